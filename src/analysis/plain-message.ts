/**
 * The analysis's fast reading of a SIP message in its plain form, straight from its bytes: the start line and the
 * fields readFields takes (Call-ID, CSeq, From, To, top Via, credentials), without the parser's message (no text
 * of the whole message, no header objects). It answers exactly what parseMessage (RFC 3261 §7, §7.3) followed by
 * readFields answers, for the messages it accepts; anything else (bytes >= 0x80 in the start line or Call-ID,
 * folded lines, a start line the parser's quick path would not take, an unusual CSeq, messages over 16 KiB) is
 * undefined and goes to them.
 * test/analysis/plain-message.test.ts holds it to that on every message of the fixtures and the RFC 4475 set.
 *
 * Why: the analysis reads five fields of every message of captures of millions; building the whole message was
 * most of its allocation (the latin1 text of each message, a header object and a value per line).
 * Here: the line walk, the start line, CSeq and the fields; From/To and Via values in plain-values.ts; the byte
 * classes and the message's one piece of state (is it ASCII) in plain-bytes.ts.
 */
import { COMMON_METHODS } from '../sip/index.js';
import { credentialOfValues, isStaleChallengeOf } from './credentials.js';
import { ANALYSIS_FIELD_NAMES, type MessageFields } from './fields.js';
import type { MessageReading } from './observed.js';
import { beginPlainMessage, BYTE_CLASS, COLON, CR, HT, isAsciiRange, LF, SP, startsWith, text, TOKEN, valueText } from './plain-bytes.js';
import { nameAddrAt, nameTag, nameUriEnd, nameUriStart, nameUriText, topViaAt, viaBranch, viaSentBy } from './plain-values.js';
import type { Credential } from './types.js';

/** parseMessage decodes this much first (parser.ts FIRST_DECODE_BYTES): larger messages take the general path. */
const MAX_PLAIN_BYTES = 16 * 1024;

/** The fields looked for, by their index in ANALYSIS_FIELD_NAMES. */
const CALL_ID = 0;
const CSEQ = 1;
const FROM = 2;
const TO = 3;
const VIA = 4;
const AUTHORIZATION = 5;
const PROXY_AUTHORIZATION = 6;
const WWW_AUTHENTICATE = 7;
const PROXY_AUTHENTICATE = 8;
const NONE = -1;

/** Long names (lower case) of the fields looked for, by field index; compact forms (RFC 3261 §7.3.3) in fieldOf. */
const LONG_NAMES = ANALYSIS_FIELD_NAMES;

const VERSION_TAIL = ' SIP/2.0';
const RESPONSE_HEAD = 'SIP/2.0 ';

/** Reads a message in its plain form; undefined when it is not (see the file comment). */
export function readPlainMessage(bytes: Uint8Array): MessageReading | undefined {
  const total = bytes.length;
  if (total > MAX_PLAIN_BYTES) return undefined;
  // the parser decodes every value of a message that is not ASCII as UTF-8 (RFC 3261 §25.1): valueText does too
  beginPlainMessage();
  let pos = 0;
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  while (pos < total && (bytes[pos] === CR || bytes[pos] === LF)) pos++;
  const lineBreak = lineBreakAt(bytes, pos, total);
  if (pos >= total || lineBreak >= total) return undefined;
  const lineEnd = lineBreak > pos && bytes[lineBreak - 1] === CR ? lineBreak - 1 : lineBreak;
  // value ranges of the first Call-ID and CSeq and of the first non-empty From, To and Via (as readFields takes them)
  let callIdStart = -1;
  let callIdEnd = -1;
  let cseqStart = -1;
  let cseqEnd = -1;
  let fromStart = -1;
  let fromEnd = -1;
  let toStart = -1;
  let toEnd = -1;
  let viaStart = -1;
  let viaEnd = -1;
  let authorization: string[] | undefined;
  let proxyAuthorization: string[] | undefined;
  let wwwAuthenticate: string[] | undefined;
  let proxyAuthenticate: string[] | undefined;
  // readHeaderBlock's line walk (RFC 3261 §7.3): a line ends at LF (CR before it dropped), an empty one ends the block
  let line = lineBreak + 1;
  while (line < total) {
    // one pass along the line: the name up to ':', then the rest up to LF
    let colon = line;
    let code = 0;
    while (colon < total && (code = bytes[colon]) !== COLON && code !== LF) colon++;
    const newline = code === COLON ? lineBreakAt(bytes, colon + 1, total) : colon;
    const end = newline > line && bytes[newline - 1] === CR ? newline - 1 : newline;
    if (end === line) break;
    const next = newline + 1;
    // folded lines (§7.3.1) and lines starting with whitespace are the parser's to read
    if (bytes[line] === SP || bytes[line] === HT || (next < total && (bytes[next] === SP || bytes[next] === HT))) return undefined;
    if (colon < end) {
      let nameEnd = colon;
      while (nameEnd > line && (bytes[nameEnd - 1] === SP || bytes[nameEnd - 1] === HT)) nameEnd--;
      const field = fieldOf(bytes, line, nameEnd);
      if (field !== NONE) {
        let valueStart = colon + 1;
        let valueEnd = end;
        while (valueStart < valueEnd && (bytes[valueStart] === SP || bytes[valueStart] === HT)) valueStart++;
        while (valueEnd > valueStart && (bytes[valueEnd - 1] === SP || bytes[valueEnd - 1] === HT)) valueEnd--;
        const empty = valueEnd === valueStart;
        switch (field) {
          case CALL_ID:
            if (callIdStart < 0) (callIdStart = valueStart), (callIdEnd = valueEnd);
            break;
          case CSEQ:
            if (cseqStart < 0) (cseqStart = valueStart), (cseqEnd = valueEnd);
            break;
          case FROM:
            if (fromStart < 0 && !empty) (fromStart = valueStart), (fromEnd = valueEnd);
            break;
          case TO:
            if (toStart < 0 && !empty) (toStart = valueStart), (toEnd = valueEnd);
            break;
          case VIA:
            if (viaStart < 0 && !empty) (viaStart = valueStart), (viaEnd = valueEnd);
            break;
          case AUTHORIZATION:
            (authorization ??= []).push(valueText(bytes, valueStart, valueEnd));
            break;
          case PROXY_AUTHORIZATION:
            (proxyAuthorization ??= []).push(valueText(bytes, valueStart, valueEnd));
            break;
          case WWW_AUTHENTICATE:
            (wwwAuthenticate ??= []).push(valueText(bytes, valueStart, valueEnd));
            break;
          default:
            (proxyAuthenticate ??= []).push(valueText(bytes, valueStart, valueEnd));
        }
      }
    }
    line = next;
  }
  if (callIdStart < 0 || callIdEnd === callIdStart || cseqStart < 0) return undefined;
  // a Call-ID that is not ASCII is kept byte for byte (fields.ts callIdKey): the parser's path does that
  if (!isAsciiRange(bytes, callIdStart, callIdEnd)) return undefined;
  const cseqNumber = cseqNumberOf(bytes, cseqStart, cseqEnd);
  if (cseqNumber < 0) return undefined;
  const cseqMethod = cseqMethodOf(bytes, cseqStart, cseqEnd);
  if (cseqMethod === undefined) return undefined;
  // a start line that is not ASCII makes the message not ASCII: the parser's to read (readStartLine refuses it)
  if (!readStartLine(bytes, pos, lineEnd)) return undefined;
  const isRequest = lineStatus === 0;
  nameAddrAt(bytes, fromStart, fromEnd);
  const fromTag = nameTag;
  const fromUriText = nameUriText;
  const fromUriStart = nameUriStart;
  const fromUriEnd = nameUriEnd;
  nameAddrAt(bytes, toStart, toEnd);
  topViaAt(bytes, viaStart, viaEnd);
  const fields = new PlainFields(
    bytes,
    text(bytes, callIdStart, callIdEnd),
    cseqNumber,
    cseqMethod,
    fromTag,
    nameTag,
    fromUriText,
    fromUriStart,
    fromUriEnd,
    nameUriText,
    nameUriStart,
    nameUriEnd,
    viaBranch,
    viaSentBy,
    isRequest && (authorization || proxyAuthorization) ? credentialOfValues(authorization ?? [], proxyAuthorization ?? []) : undefined,
    !isRequest && isStale(lineStatus, wwwAuthenticate, proxyAuthenticate),
  );
  if (isRequest) return { kind: 'request', method: lineMethod, firstLine: lineText, fields };
  return { kind: 'response', status: lineStatus, reason: lineReason, firstLine: lineText, fields };
}

function isStale(status: number, wwwAuthenticate: string[] | undefined, proxyAuthenticate: string[] | undefined): boolean {
  if (status === 401) return wwwAuthenticate !== undefined && isStaleChallengeOf(401, wwwAuthenticate);
  if (status === 407) return proxyAuthenticate !== undefined && isStaleChallengeOf(407, proxyAuthenticate);
  return false;
}

/** Index of the first LF from `from` on, or total. */
function lineBreakAt(bytes: Uint8Array, from: number, total: number): number {
  const at = bytes.indexOf(LF, from);
  return at < 0 ? total : at;
}

/** Which looked-for field the name bytes[start, end) is (ASCII, compared as canonicalHeaderName lower-cases). */
function fieldOf(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  const first = bytes[start] | 0x20;
  let field = NONE;
  switch (length) {
    case 1:
      // compact forms (RFC 3261 §7.3.3)
      return first === 0x69 ? CALL_ID : first === 0x66 ? FROM : first === 0x74 ? TO : first === 0x76 ? VIA : NONE;
    case 2:
      field = first === 0x74 ? TO : NONE;
      break;
    case 3:
      field = first === 0x76 ? VIA : NONE;
      break;
    case 4:
      field = first === 0x63 ? CSEQ : first === 0x66 ? FROM : NONE;
      break;
    case 7:
      field = first === 0x63 ? CALL_ID : NONE;
      break;
    case 13:
      field = first === 0x61 ? AUTHORIZATION : NONE;
      break;
    case 16:
      field = first === 0x77 ? WWW_AUTHENTICATE : NONE;
      break;
    case 18:
      field = first === 0x70 ? PROXY_AUTHENTICATE : NONE;
      break;
    case 19:
      field = first === 0x70 ? PROXY_AUTHORIZATION : NONE;
      break;
  }
  if (field === NONE) return NONE;
  const name = NAME_AT[field];
  for (let j = 1; j < length; j++) if (LOWER_CASE[bytes[start + j]] !== NAME_BYTES[name + j]) return NONE;
  return field;
}

/** The long names as bytes, one after another (NAME_AT: where each starts). */
const NAME_BYTES = new Uint8Array(LONG_NAMES.join('').split('').map((char) => char.charCodeAt(0)));
const NAME_AT = new Int32Array(LONG_NAMES.map((_, field) => LONG_NAMES.slice(0, field).join('').length));

/** Each byte with A-Z lower-cased (the ASCII lower case fieldOf compares names in). */
const LOWER_CASE = new Uint8Array(256).map((_, code) => (code >= 0x41 && code <= 0x5a ? code + 0x20 : code));

/**
 * The start line as the parser's quick path reads it (parser.ts quickStartLine): "SIP/2.0 DDD[ reason]" with a
 * first digit 1-6, or "METHOD SP uri SP SIP/2.0" with a token method and a URI without SP, HT or '<'; ASCII only
 * (the parser decodes a message that is not ASCII as UTF-8: readPlainMessage leaves those to it).
 */
/** What readStartLine read (module state, read right after the call): status 0 for a request. */
let lineStatus = 0;
let lineMethod = '';
let lineReason = '';
let lineText = '';

function readStartLine(bytes: Uint8Array, start: number, end: number): boolean {
  if (startsWith(bytes, start, end, RESPONSE_HEAD)) {
    const code = start + 8;
    if (end < code + 3 || (end > code + 3 && bytes[code + 3] !== SP)) return false;
    const d0 = bytes[code] - 0x30;
    const d1 = bytes[code + 1] - 0x30;
    const d2 = bytes[code + 2] - 0x30;
    if (d0 < 1 || d0 > 6 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return false;
    if (!isAsciiRange(bytes, code + 4, end)) return false;
    // the analysis's first line is version, status and reason joined, trailing whitespace trimmed (String#trimEnd)
    let lineEnd = end;
    while (lineEnd > start && isTrimmedEnd(bytes[lineEnd - 1])) lineEnd--;
    lineStatus = d0 * 100 + d1 * 10 + d2;
    lineText = text(bytes, start, lineEnd);
    // the reason from the line's text when it is its tail (a copy or a slice of it in the heap: no second read)
    lineReason = end <= code + 4 ? '' : lineEnd === end ? lineText.slice(code + 4 - start) : text(bytes, code + 4, end);
    return true;
  }
  if (end - start < 12 || !startsWith(bytes, end - 8, end, VERSION_TAIL)) return false;
  let space = start;
  while (space < end && bytes[space] !== SP) space++;
  const uriEnd = end - 8;
  if (space <= start || space >= uriEnd - 1) return false;
  for (let i = start; i < space; i++) if ((BYTE_CLASS[bytes[i]] & TOKEN) === 0) return false;
  for (let i = space + 1; i < uriEnd; i++) {
    const code = bytes[i];
    if (code === SP || code === HT || code === 0x3c || code >= 0x80) return false;
  }
  lineStatus = 0;
  lineMethod = commonMethod(bytes, start, space) ?? text(bytes, start, space);
  lineText = text(bytes, start, end);
  return true;
}

/** Whitespace String#trimEnd removes, among ASCII bytes. */
function isTrimmedEnd(code: number): boolean {
  return code === SP || (code >= HT && code <= CR);
}

function commonMethod(bytes: Uint8Array, start: number, end: number): string | undefined {
  for (let i = 0; i < COMMON_METHODS.length; i++) {
    const method = COMMON_METHODS[i];
    if (method.length === end - start && startsWith(bytes, start, end, method)) return method;
  }
  return undefined;
}

/**
 * CSeq number (RFC 3261 §20.16) in the plain form `1*DIGIT 1*(SP/HT) token`, as parseCSeq reads it; -1 for any
 * other form (more than 10 digits, over 32 bits, no whitespace, a method that is not a token).
 */
function cseqNumberOf(bytes: Uint8Array, start: number, end: number): number {
  let pos = start;
  let seq = 0;
  while (pos < end && bytes[pos] >= 0x30 && bytes[pos] <= 0x39 && pos - start < 10) seq = seq * 10 + bytes[pos++] - 0x30;
  if (pos === start || seq > 0xffffffff || (bytes[pos] !== SP && bytes[pos] !== HT)) return -1;
  return seq;
}

/** CSeq method, upper case (as readFields keeps it), or undefined when not a token after the whitespace. */
function cseqMethodOf(bytes: Uint8Array, start: number, end: number): string | undefined {
  let pos = start;
  while (pos < end && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) pos++;
  while (pos < end && (bytes[pos] === SP || bytes[pos] === HT)) pos++;
  if (pos === end) return undefined;
  for (let i = pos; i < end; i++) if ((BYTE_CLASS[bytes[i]] & TOKEN) === 0) return undefined;
  return commonMethod(bytes, pos, end) ?? text(bytes, pos, end).toUpperCase();
}

/**
 * The analysis fields of a plain message; From and To URIs are read from the message's bytes when first asked
 * for (the bytes are the payload's own, SipPayload.bytes).
 */
class PlainFields implements MessageFields {
  private fromUriText: string | undefined;
  private toUriText: string | undefined;
  constructor(
    private readonly bytes: Uint8Array,
    readonly callId: string,
    readonly cseqNumber: number,
    readonly cseqMethod: string,
    readonly fromTag: string | undefined,
    readonly toTag: string | undefined,
    fromUriText: string | undefined,
    private readonly fromUriStart: number,
    private readonly fromUriEnd: number,
    toUriText: string | undefined,
    private readonly toUriStart: number,
    private readonly toUriEnd: number,
    readonly viaBranch: string | undefined,
    readonly viaSentBy: string | undefined,
    readonly credential: Credential | undefined,
    readonly staleChallenge: boolean,
  ) {
    this.fromUriText = fromUriText;
    this.toUriText = toUriText;
  }

  get fromUri(): string {
    return (this.fromUriText ??= text(this.bytes, this.fromUriStart, this.fromUriEnd));
  }

  get toUri(): string {
    return (this.toUriText ??= text(this.bytes, this.toUriStart, this.toUriEnd));
  }
}

