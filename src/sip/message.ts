/**
 * The SIP message model (RFC 3261 §7): a start line, header fields in wire order, a body.
 * Produced by parser.ts, written back by serializer.ts. Header names are kept as they were on the wire
 * (`rawName`) and normalised to their lowercase long form (`name`, compact forms expanded, RFC 3261 §7.3.3).
 */

export interface HeaderField {
  /** Lowercase long form: 'via', 'call-id', 'content-length' (compact 'v', 'i', 'l' expanded). */
  name: string;
  /** As written on the wire, e.g. 'v' or 'CALL-ID'. */
  rawName: string;
  /** Value with line folding (RFC 3261 §7.3.1) replaced by a single space, leading/trailing whitespace trimmed. */
  value: string;
  /** Byte offset of the field's first byte in the parsed message's `raw` bytes (set by the parser). */
  offset?: number;
  /** Bytes of the field on the wire, folding included, final line end excluded (set by the parser). */
  length?: number;
}

/** A specific problem found while parsing; a message with defects is still returned where its framing allowed. */
export interface Defect {
  /** Stable machine code, e.g. 'content-length-mismatch', 'bad-cseq', 'bad-request-uri'. */
  code: string;
  message: string;
  /** Header that holds the problem, when there is one (long lowercase form). */
  header?: string;
  /** Byte offset into the message, when known. */
  offset?: number;
  /**
   * 'error' (the default when absent): the message breaks a MUST of the RFCs and should be rejected (400).
   * 'warning': legal but suspicious or only understood for backward compatibility (e.g. RFC 2543 syntax).
   */
  severity?: 'error' | 'warning';
}

interface SipMessageBase {
  /** Protocol version from the start line, normally 'SIP/2.0'. */
  version: string;
  headers: HeaderField[];
  /** Body bytes (framed by Content-Length where present). */
  body: Uint8Array;
  /** Problems found; empty for a valid message. */
  defects: Defect[];
  /** The bytes the message was parsed from (kept for anything not parsed, and for byte-exact re-serialisation). */
  raw?: Uint8Array;
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: string;
  /** Request-URI as written. */
  uri: string;
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** RFC 3261 §7.3.3 compact forms, plus those of later RFCs listed in the IANA registry. */
export const COMPACT_HEADER_NAMES: Readonly<Record<string, string>> = {
  i: 'call-id',
  m: 'contact',
  f: 'from',
  t: 'to',
  v: 'via',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  u: 'allow-events',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  y: 'identity',
  a: 'accept-contact',
  j: 'reject-contact',
  d: 'request-disposition',
  n: 'identity-info',
};

/** Lowercase long header name for any wire spelling (compact or not). */
export function canonicalHeaderName(rawName: string): string {
  const lower = rawName.toLowerCase();
  return lower.length === 1 ? (COMPACT_HEADER_NAMES[lower] ?? lower) : lower;
}

/** First value of a header field (any spelling of its name), or undefined. */
export function getHeader(message: SipMessage, name: string): string | undefined {
  const wanted = canonicalHeaderName(name);
  for (const field of message.headers) if (field.name === wanted) return field.value;
  return undefined;
}

/** All values of a header field, in wire order (each header line one entry; not split at commas). */
export function getHeaders(message: SipMessage, name: string): string[] {
  const wanted = canonicalHeaderName(name);
  const values: string[] = [];
  for (const field of message.headers) if (field.name === wanted) values.push(field.value);
  return values;
}
