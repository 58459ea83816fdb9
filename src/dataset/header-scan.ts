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

const USER_AGENT = bytesOf('user-agent');
const SERVER = bytesOf('server');
const EXPIRES = bytesOf('expires');
const CONTACT = bytesOf('contact');
const CONTACT_COMPACT = bytesOf('m'); // compact form of Contact, RFC 3261 §7.3.3

function bytesOf(name: string): Uint8Array {
  return Uint8Array.from(name, (char) => char.charCodeAt(0));
}

/**
 * The first value of each wanted header in the header block of `bytes` (start line skipped). Expires and Contact
 * are looked for only when `binding` is set (a response to a REGISTER).
 */
export function scanHeaders(bytes: Uint8Array, binding: boolean): ScannedHeaders {
  const found: ScannedHeaders = { userAgent: null, server: null, expires: null, contact: null };
  // payload bytes are usually Buffers already (views into the capture's pool); wrap only when not
  const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let lineStart = view.indexOf(LF) + 1;
  while (lineStart > 0 && lineStart < view.length) {
    let lineEnd = view.indexOf(LF, lineStart);
    if (lineEnd < 0) lineEnd = view.length;
    const first = view[lineStart];
    if (first === CR || first === LF) break; // blank line: end of the header block
    const lower = first | 0x20;
    let valueAt = -1;
    if (lower === 0x75 /* u */ && found.userAgent === null && (valueAt = valueStart(view, lineStart, lineEnd, USER_AGENT)) >= 0) {
      found.userAgent = valueOf(view, valueAt, lineEnd);
    } else if (lower === 0x73 /* s */ && found.server === null && (valueAt = valueStart(view, lineStart, lineEnd, SERVER)) >= 0) {
      found.server = valueOf(view, valueAt, lineEnd);
    } else if (binding && lower === 0x65 /* e */ && found.expires === null && (valueAt = valueStart(view, lineStart, lineEnd, EXPIRES)) >= 0) {
      found.expires = valueOf(view, valueAt, lineEnd);
    } else if (binding && lower === 0x63 /* c */ && found.contact === null && (valueAt = valueStart(view, lineStart, lineEnd, CONTACT)) >= 0) {
      found.contact = valueOf(view, valueAt, lineEnd);
    } else if (binding && lower === 0x6d /* m */ && found.contact === null && (valueAt = valueStart(view, lineStart, lineEnd, CONTACT_COMPACT)) >= 0) {
      found.contact = valueOf(view, valueAt, lineEnd);
    }
    lineStart = lineEnd + 1;
  }
  return found;
}

/** Where the value starts when the line names `name` (any case, optional SP/HT, colon); else -1. */
function valueStart(view: Buffer, lineStart: number, lineEnd: number, name: Uint8Array): number {
  const nameEnd = lineStart + name.length;
  if (nameEnd >= lineEnd) return -1;
  for (let i = 1; i < name.length; i++) if ((view[lineStart + i] | 0x20) !== name[i]) return -1;
  let at = nameEnd;
  while (at < lineEnd && (view[at] === 0x20 || view[at] === 0x09)) at++;
  return at < lineEnd && view[at] === COLON ? at + 1 : -1;
}

function valueOf(view: Buffer, valueAt: number, lineEnd: number): string {
  const end = foldedEnd(view, lineEnd);
  const value = view.toString('utf8', valueAt, end);
  return (value.includes('\n') ? value.replace(/\r?\n[ \t]+/g, ' ') : value).trim();
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
