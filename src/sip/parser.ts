/**
 * SIP message parser (RFC 3261 §7, §25). Tolerant: returns a message with `defects` wherever the start line
 * could be read; throws SipParseError only when there is no SIP start line at all.
 *
 * Speed: the input is decoded once as latin1 (one byte = one char, so string index = byte offset), then
 * scanned with indexOf/charCodeAt; values are sliced, never built char by char. Only a header block holding
 * bytes >= 0x80 pays for UTF-8 decoding, value by value. Expensive field parses (URI, Via, name-addr) are
 * separate on-demand functions in uri.ts and headers/*.ts; `validateMessage` (validate.ts) runs them.
 */
import { isAscii } from 'node:buffer';
import { SipParseError } from './errors.js';
import type { Defect, HeaderField, SipMessage } from './message.js';
import { isToken, isWhite, latin1 } from './syntax.js';
import { validateMessage } from './validate.js';
import { readHeaderBlock, utf8FromLatin1 } from './header-block.js';

export { byteFaithfulValue, readHeaderBlock, unfold, utf8FromLatin1, utf8WithByteEscapes, type HeaderBlock } from './header-block.js';

export interface ParseOptions {
  /** Datagram transport (UDP): bytes past Content-Length are dropped (RFC 3261 §18.3); a short body is a defect. */
  datagram?: boolean;
  /** Also run the field-level checks of validate.ts (mandatory headers, CSeq, Via, URIs, ...) into `defects`. */
  validate?: boolean;
  /**
   * Read only these header fields (canonical names, see canonicalHeaderName), in their order; the body is not
   * framed (empty, no Content-Length defects). For readers that need a few fields of many messages (analysis).
   */
  only?: ReadonlySet<string>;
}

const CR = 13;
const LF = 10;
const SP = 32;
const HT = 9;
/** Header blocks are decoded in one go up to this size; larger inputs are decoded whole only when needed. */
const FIRST_DECODE_BYTES = 16 * 1024;
const EMPTY_BODY: Uint8Array = Buffer.alloc(0);

function toBuffer(input: Uint8Array | string): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (Buffer.isBuffer(input)) return input;
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

export type StartLine =
  | { kind: 'request'; method: string; uri: string; version: string; defects: Defect[] }
  | { kind: 'response'; version: string; status: number; reason: string; defects: Defect[] };

function isSipVersion(version: string): boolean {
  // RFC 3261 §25.1: SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT ("SIP" case-insensitive)
  if (version.length < 7 || (version.charCodeAt(0) | 0x20) !== 0x73 || (version.charCodeAt(1) | 0x20) !== 0x69) return false;
  if ((version.charCodeAt(2) | 0x20) !== 0x70 || version.charCodeAt(3) !== 0x2f) return false;
  const dot = version.indexOf('.', 4);
  if (dot < 5 || dot === version.length - 1) return false;
  for (let i = 4; i < version.length; i++) {
    const code = version.charCodeAt(i);
    if (i !== dot && (code < 0x30 || code > 0x39)) return false;
  }
  return true;
}

function versionDefect(version: string, offset: number): Defect | undefined {
  if (version === 'SIP/2.0') return undefined;
  if (version.toUpperCase() === 'SIP/2.0') return undefined;
  return { code: 'bad-sip-version', message: `unsupported SIP version ${JSON.stringify(version)}; only SIP/2.0 is understood (RFC 3261 §8.2.2.1 answers 505)`, offset };
}

/**
 * Reads a start line (RFC 3261 §7.1 Request-Line, §7.2 Status-Line). `line` excludes the line end; `offset`
 * is its byte offset in the message (for defects). Throws SipParseError when it is not a SIP start line.
 */
export function parseStartLine(line: string, offset = 0): StartLine {
  const defects: Defect[] = [];
  const firstSpace = line.indexOf(' ');
  if (firstSpace > 0 && line.charCodeAt(0) === 0x53 && line.startsWith('SIP/') && isSipVersion(line.slice(0, firstSpace))) {
    const version = line.slice(0, firstSpace);
    const bad = versionDefect(version, offset);
    if (bad) defects.push(bad);
    let codeEnd = line.indexOf(' ', firstSpace + 1);
    if (codeEnd < 0) codeEnd = line.length;
    const codeText = line.slice(firstSpace + 1, codeEnd);
    let status = 0;
    for (let i = 0; i < codeText.length; i++) {
      const digit = codeText.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) {
        throw new SipParseError('bad-start-line', `status line has a non-numeric status code ${JSON.stringify(codeText.slice(0, 20))}`, offset + firstSpace + 1);
      }
      status = status * 10 + digit;
    }
    if (codeText.length === 0) throw new SipParseError('bad-start-line', 'status line has no status code', offset + firstSpace + 1);
    if (codeText.length !== 3 || status < 100 || status > 699) {
      defects.push({ code: 'bad-status-code', message: `status code ${codeText} is not three digits from 100 to 699 (RFC 3261 §7.2, §21)`, offset: offset + firstSpace + 1 });
    }
    const reason = codeEnd < line.length ? utf8FromLatin1(line.slice(codeEnd + 1)) : '';
    return { kind: 'response', version, status, reason, defects };
  }
  if (firstSpace <= 0) {
    throw new SipParseError('bad-start-line', `not a SIP start line: ${JSON.stringify(utf8FromLatin1(line.slice(0, 80)))}`, offset);
  }
  const method = utf8FromLatin1(line.slice(0, firstSpace));
  let end = line.length;
  while (end > firstSpace && isWhite(line.charCodeAt(end - 1))) end--;
  const lastSpace = line.lastIndexOf(' ', end - 1);
  const version = lastSpace > firstSpace ? line.slice(lastSpace + 1, end) : '';
  if (!isSipVersion(version)) {
    throw new SipParseError('bad-start-line', `request line does not end in a SIP version: ${JSON.stringify(utf8FromLatin1(line.slice(0, 80)))}`, offset);
  }
  if (!isToken(line, 0, firstSpace)) {
    defects.push({ code: 'bad-method', message: `method ${JSON.stringify(method)} is not a token (RFC 3261 §25.1 Method)`, offset });
  }
  const bad = versionDefect(version, offset + lastSpace + 1);
  if (bad) defects.push(bad);
  if (end < line.length) {
    defects.push({ code: 'bad-start-line', message: 'request line has whitespace after the SIP version (RFC 3261 §7.1: Method SP Request-URI SP SIP-Version CRLF)', offset: offset + end });
  }
  let uriStart = firstSpace + 1;
  let uriEnd = lastSpace;
  if (isWhite(line.charCodeAt(uriStart)) || isWhite(line.charCodeAt(uriEnd - 1))) {
    defects.push({ code: 'bad-start-line', message: 'request line separates its elements by more than one SP (RFC 3261 §7.1)', offset: offset + firstSpace });
    while (uriStart < uriEnd && isWhite(line.charCodeAt(uriStart))) uriStart++;
    while (uriEnd > uriStart && isWhite(line.charCodeAt(uriEnd - 1))) uriEnd--;
  }
  const uri = utf8FromLatin1(line.slice(uriStart, uriEnd));
  if (uri.length === 0) {
    defects.push({ code: 'bad-request-uri', message: 'request line has no Request-URI', offset: offset + uriStart });
  } else if (uri.indexOf(' ') >= 0 || uri.indexOf('\t') >= 0) {
    defects.push({ code: 'bad-request-uri', message: `Request-URI ${JSON.stringify(uri)} contains whitespace (RFC 3261 §25.1 allows none)`, offset: offset + uriStart });
  } else if (uri.charCodeAt(0) === 0x3c) {
    defects.push({ code: 'bad-request-uri', message: `Request-URI ${JSON.stringify(uri)} is enclosed in <>, which RFC 3261 §7.1 does not allow`, offset: offset + uriStart });
  }
  return { kind: 'request', method, uri, version, defects };
}

/** RFC 3261 §20.14 Content-Length = 1*DIGIT. Returns the number, or a defect. */
function readContentLength(value: string, offset: number | undefined): number | Defect {
  if (value.length === 0) return { code: 'bad-content-length', header: 'content-length', message: 'Content-Length is empty', offset };
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) {
      if (i === 0 && value.charCodeAt(0) === 0x2d && value.length > 1 && isDigits(value, 1)) {
        return { code: 'negative-content-length', header: 'content-length', message: `Content-Length ${value} is negative (RFC 3261 §20.14: 1*DIGIT)`, offset };
      }
      return { code: 'bad-content-length', header: 'content-length', message: `Content-Length ${JSON.stringify(value)} is not a number (RFC 3261 §20.14)`, offset };
    }
    length = length * 10 + digit;
  }
  return length;
}

function isDigits(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return from < text.length;
}

/** Methods whose text the quick start line shares rather than slices (the analysis's plain reading too). */
export const COMMON_METHODS: readonly string[] = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'INFO', 'UPDATE', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH'];

/**
 * Fast path for the usual "METHOD SP URI SP SIP/2.0" and "SIP/2.0 SP 3DIGIT SP reason" lines; anything else
 * (or anything that needs a defect) returns undefined and goes through parseStartLine.
 */
function quickStartLine(text: string, start: number, end: number, utf8: boolean): StartLine | undefined {
  if (text.startsWith('SIP/2.0 ', start)) {
    const code = start + 8;
    if (end < code + 3 || (end > code + 3 && text.charCodeAt(code + 3) !== SP)) return undefined;
    const d0 = text.charCodeAt(code) - 0x30;
    const d1 = text.charCodeAt(code + 1) - 0x30;
    const d2 = text.charCodeAt(code + 2) - 0x30;
    if (d0 < 1 || d0 > 6 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return undefined;
    const reason = end > code + 4 ? text.slice(code + 4, end) : '';
    return { kind: 'response', version: 'SIP/2.0', status: d0 * 100 + d1 * 10 + d2, reason: utf8 ? utf8FromLatin1(reason) : reason, defects: [] };
  }
  if (end - start < 12 || !text.startsWith(' SIP/2.0', end - 8)) return undefined;
  const space = text.indexOf(' ', start);
  const uriEnd = end - 8;
  if (space <= start || space >= uriEnd - 1 || !isToken(text, start, space)) return undefined;
  for (let i = space + 1; i < uriEnd; i++) {
    const code = text.charCodeAt(i);
    if (code === SP || code === HT || code === 0x3c) return undefined;
  }
  let method: string | undefined;
  for (let i = 0; i < COMMON_METHODS.length; i++) {
    const candidate = COMMON_METHODS[i];
    if (candidate.length === space - start && text.startsWith(candidate, start)) { method = candidate; break; }
  }
  const uri = text.slice(space + 1, uriEnd);
  return { kind: 'request', method: method ?? text.slice(start, space), uri: utf8 ? utf8FromLatin1(uri) : uri, version: 'SIP/2.0', defects: [] };
}

/** Parses one SIP message. See the file comment; `options.datagram` applies RFC 3261 §18.3 UDP body rules. */
export function parseMessage(input: Uint8Array | string, options: ParseOptions = {}): SipMessage {
  const bytes = toBuffer(input);
  const total = bytes.length;
  let text = latin1(bytes, 0, total > FIRST_DECODE_BYTES ? FIRST_DECODE_BYTES : total);
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  let pos = 0;
  while (pos < text.length && (text.charCodeAt(pos) === CR || text.charCodeAt(pos) === LF)) pos++;
  let lineBreak = text.indexOf('\n', pos);
  if (lineBreak < 0 && text.length < total) {
    text = latin1(bytes, 0, total);
    lineBreak = text.indexOf('\n', pos);
  }
  if (pos >= text.length) throw new SipParseError('empty-message', 'message is empty (no start line)', 0);
  let utf8 = !isAscii(text.length === total ? bytes : bytes.subarray(0, text.length));
  const lineEnd = lineBreak < 0 ? text.length : lineBreak > pos && text.charCodeAt(lineBreak - 1) === CR ? lineBreak - 1 : lineBreak;
  const start = quickStartLine(text, pos, lineEnd, utf8) ?? parseStartLine(text.slice(pos, lineEnd), pos);
  const defects = start.defects;
  let headers: HeaderField[] = [];
  let bodyStart = -1;
  if (lineBreak >= 0) {
    const startDefects = defects.length;
    let block = readHeaderBlock(text, lineBreak + 1, utf8, defects, options.only);
    if (block.bodyStart < 0 && text.length < total) {
      text = latin1(bytes, 0, total);
      utf8 = !isAscii(bytes);
      defects.length = startDefects;
      block = readHeaderBlock(text, lineBreak + 1, utf8, defects, options.only);
    }
    headers = block.headers;
    bodyStart = block.bodyStart;
  }
  if (bodyStart < 0) {
    defects.push({ code: 'no-header-end', message: 'header block does not end with an empty line (RFC 3261 §7)', offset: total });
    bodyStart = total;
  }
  const body = options.only !== undefined ? EMPTY_BODY : frameBody(bytes, bodyStart, headers, options, defects);
  const message: SipMessage = start.kind === 'request'
    ? { kind: 'request', method: start.method, uri: start.uri, version: start.version, headers, body, defects, raw: bytes }
    : { kind: 'response', status: start.status, reason: start.reason, version: start.version, headers, body, defects, raw: bytes };
  if (options.validate) for (const defect of validateMessage(message)) defects.push(defect);
  return message;
}

/** RFC 3261 §18.3 / §20.14: the body is Content-Length bytes; on datagrams extra bytes are dropped. */
function frameBody(bytes: Buffer, bodyStart: number, headers: HeaderField[], options: ParseOptions, defects: Defect[]): Uint8Array {
  const available = bytes.length - bodyStart;
  let lengthField: HeaderField | undefined;
  for (let i = 0; i < headers.length; i++) {
    if (headers[i].name === 'content-length') { lengthField = headers[i]; break; }
  }
  if (lengthField === undefined) return available === 0 ? EMPTY_BODY : bytes.subarray(bodyStart);
  const declared = readContentLength(lengthField.value, lengthField.offset);
  if (typeof declared !== 'number') {
    defects.push(declared);
    return available === 0 ? EMPTY_BODY : bytes.subarray(bodyStart);
  }
  if (declared > available) {
    defects.push({ code: 'content-length-mismatch', header: 'content-length', message: `Content-Length ${declared} exceeds the ${available} body bytes present (RFC 3261 §18.3)`, offset: lengthField.offset });
    return available === 0 ? EMPTY_BODY : bytes.subarray(bodyStart);
  }
  if (declared < available && !options.datagram) {
    defects.push({ code: 'trailing-bytes', header: 'content-length', message: `${available - declared} bytes follow the ${declared}-byte body declared by Content-Length`, offset: bodyStart + declared });
  }
  return declared === 0 ? EMPTY_BODY : bytes.subarray(bodyStart, bodyStart + declared);
}
