/**
 * The few header values the messages table needs beyond what the analysis reads (User-Agent, Server, Expires,
 * and a Contact's expires parameter), found in the message bytes without building a message again: the analysis
 * has already parsed each message once, and a second full parse would cost as much as the analysis' own.
 * Lines are read as RFC 3261 §7.3.1 writes them: `name *(SP/HT) ":" value`, names case-insensitive; a folded
 * continuation line is joined with one space; values are decoded as UTF-8.
 */

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;

export interface ScannedHeaders {
  userAgent: string | null;
  server: string | null;
  expires: string | null;
  /** The first Contact header value. */
  contact: string | null;
}

const WANTED: ReadonlyArray<[string, keyof ScannedHeaders]> = [
  ['user-agent', 'userAgent'],
  ['server', 'server'],
  ['expires', 'expires'],
  ['contact', 'contact'],
  ['m', 'contact'], // compact form of Contact, RFC 3261 §7.3.3
];

/** The first value of each wanted header in the header block of `bytes` (start line skipped). */
export function scanHeaders(bytes: Uint8Array): ScannedHeaders {
  const found: ScannedHeaders = { userAgent: null, server: null, expires: null, contact: null };
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let lineStart = view.indexOf(LF) + 1;
  while (lineStart > 0 && lineStart < view.length) {
    let lineEnd = view.indexOf(LF, lineStart);
    if (lineEnd < 0) lineEnd = view.length;
    const contentEnd = lineEnd > lineStart && view[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (contentEnd === lineStart) break; // blank line: end of the header block
    const first = view[lineStart] | 0x20;
    if (first === 0x75 /* u */ || first === 0x73 /* s */ || first === 0x65 /* e */ || first === 0x63 /* c */ || first === 0x6d /* m */) {
      const colon = view.indexOf(COLON, lineStart);
      if (colon > 0 && colon < contentEnd) {
        const name = view.toString('latin1', lineStart, colon).trimEnd().toLowerCase();
        for (const [wanted, key] of WANTED) {
          if (name === wanted && found[key] === null) {
            const end = foldedEnd(view, lineEnd);
            found[key] = view.toString('utf8', colon + 1, end).replace(/\r?\n[ \t]+/g, ' ').trim();
            break;
          }
        }
      }
    }
    lineStart = lineEnd + 1;
  }
  return found;
}

/** End of a logical line (continuation lines that start with SP/HT included), CR excluded. */
function foldedEnd(view: Buffer, lineEnd: number): number {
  let end = lineEnd;
  while (end + 1 < view.length && (view[end + 1] === 0x20 || view[end + 1] === 0x09)) {
    const next = view.indexOf(LF, end + 1);
    end = next < 0 ? view.length : next;
  }
  return end > 0 && view[end - 1] === CR ? end - 1 : end;
}

/**
 * Binding lifetime granted by a 2xx to a REGISTER (RFC 3261 §10.3 step 8): the Expires header, else the expires
 * parameter of the (first) Contact; null when neither is a number.
 */
export function grantedExpires(headers: ScannedHeaders): number | null {
  const fromHeader = headers.expires === null ? NaN : Number.parseInt(headers.expires, 10);
  if (Number.isFinite(fromHeader)) return fromHeader;
  const param = headers.contact === null ? null : /;\s*expires\s*=\s*(\d+)/i.exec(headers.contact);
  return param ? Number.parseInt(param[1], 10) : null;
}
