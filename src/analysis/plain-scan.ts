/**
 * The scan half of the plain reading (plain-message.ts): from a message's bytes alone, whether it is in the plain
 * form and where its start line, Call-ID, CSeq, From, To, top Via and credential fields are, as numbers and byte
 * ranges in a scan record (plain-record.ts). It makes no string and no object, so it can run on another thread
 * (analysis/read-thread/); plain-message.ts makes the reading from the record. Not plain (SCAN_KIND
 * KIND_NOT_PLAIN): bytes >= 0x80 in the start line or Call-ID, folded lines, a start line the parser's quick path
 * would not take, an unusual CSeq, messages over 16 KiB; the parser reads those.
 * Here: the line walk (RFC 3261 §7.3), the start line (§7.1, §7.2) and CSeq (§20.16); From/To and Via values in
 * plain-values.ts.
 */
import { BRANCH_MAGIC_COOKIE } from '../sip/index.js';
import { ANALYSIS_FIELD_NAMES } from './fields.js';
import { BYTE_CLASS, COLON, CR, HT, isAsciiRange, LF, SP, startsWith, TOKEN } from './plain-bytes.js';
import {
  KIND_NOT_PLAIN,
  KIND_REQUEST,
  KIND_RESPONSE,
  SCAN_CALL_ID_END,
  SCAN_CALL_ID_START,
  SCAN_CREDENTIAL_VALUES,
  SCAN_CSEQ_METHOD_END,
  SCAN_CSEQ_METHOD_START,
  SCAN_CSEQ_NUMBER,
  SCAN_FROM,
  SCAN_KIND,
  SCAN_LINE_END,
  SCAN_LINE_SPLIT,
  SCAN_LINE_START,
  SCAN_REASON_END,
  SCAN_STATUS,
  SCAN_TO,
  SCAN_VIA,
  SCAN_BRANCH_HASH,
  SCAN_BRANCH_KEYED,
  SCAN_LINE_HASH,
  SCAN_TO_TAG_HASH,
  NAME_ADDR_TAG_END,
  NAME_ADDR_TAG_START,
  VIA_BRANCH_END,
  VIA_BRANCH_START,
} from './plain-record.js';
import { bytesHash } from './own-copy.js';
import { scanNameAddr, scanTopVia } from './plain-values.js';

/** parseMessage decodes this much first (parser.ts FIRST_DECODE_BYTES): larger messages take the general path. */
const MAX_PLAIN_BYTES = 16 * 1024;

/** The fields looked for, by their index in ANALYSIS_FIELD_NAMES. */
const CALL_ID = 0;
const CSEQ = 1;
const FROM = 2;
const TO = 3;
const VIA = 4;
export const AUTHORIZATION = 5;
export const PROXY_AUTHORIZATION = 6;
export const WWW_AUTHENTICATE = 7;
export const PROXY_AUTHENTICATE = 8;
const NONE = -1;

/** Long names (lower case) of the fields looked for, by field index; compact forms (RFC 3261 §7.3.3) in fieldOf. */
const LONG_NAMES = ANALYSIS_FIELD_NAMES;

const VERSION_TAIL = ' SIP/2.0';
const RESPONSE_HEAD = 'SIP/2.0 ';

/**
 * The credential fields' values of the message scanned last, in the order of the message: field, start, end for
 * each (SCAN_CREDENTIAL_VALUES of them). Module state, read right after the scan (rarely any: only requests and
 * challenges that carry credentials).
 */
export let credentialRanges = new Int32Array(3 * 8);

function addCredentialRange(count: number, field: number, start: number, end: number): void {
  if (3 * count + 3 > credentialRanges.length) {
    const grown = new Int32Array(credentialRanges.length * 2);
    grown.set(credentialRanges);
    credentialRanges = grown;
  }
  credentialRanges[3 * count] = field;
  credentialRanges[3 * count + 1] = start;
  credentialRanges[3 * count + 2] = end;
}

/**
 * Scans a message into record[at, at + SCAN_STRIDE); returns whether it is in the plain form (see the file
 * comment). A message that is not has only SCAN_KIND written.
 */
export function scanPlainMessage(bytes: Uint8Array, record: Int32Array, at: number): boolean {
  record[at + SCAN_KIND] = KIND_NOT_PLAIN;
  const total = bytes.length;
  if (total > MAX_PLAIN_BYTES) return false;
  let pos = 0;
  // RFC 3261 §7.5: CRLFs before the start line are ignored.
  while (pos < total && (bytes[pos] === CR || bytes[pos] === LF)) pos++;
  const lineBreak = lineBreakAt(bytes, pos, total);
  if (pos >= total || lineBreak >= total) return false;
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
  let credentials = 0;
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
    if (bytes[line] === SP || bytes[line] === HT || (next < total && (bytes[next] === SP || bytes[next] === HT))) return false;
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
          default:
            addCredentialRange(credentials++, field, valueStart, valueEnd);
        }
      }
    }
    line = next;
  }
  if (callIdStart < 0 || callIdEnd === callIdStart || cseqStart < 0) return false;
  // a Call-ID that is not ASCII is kept byte for byte (fields.ts callIdKey): the parser's path does that
  if (!isAsciiRange(bytes, callIdStart, callIdEnd)) return false;
  const cseqNumber = cseqNumberOf(bytes, cseqStart, cseqEnd);
  if (cseqNumber < 0) return false;
  const cseqMethodStart = cseqMethodAt(bytes, cseqStart, cseqEnd);
  if (cseqMethodStart < 0) return false;
  // a start line that is not ASCII makes the message not ASCII: the parser's to read (scanStartLine refuses it)
  if (!scanStartLine(bytes, pos, lineEnd, record, at)) return false;
  record[at + SCAN_CALL_ID_START] = callIdStart;
  record[at + SCAN_CALL_ID_END] = callIdEnd;
  record[at + SCAN_CSEQ_NUMBER] = cseqNumber | 0;
  record[at + SCAN_CSEQ_METHOD_START] = cseqMethodStart;
  record[at + SCAN_CSEQ_METHOD_END] = cseqEnd;
  scanNameAddr(bytes, fromStart, fromEnd, record, at + SCAN_FROM);
  scanNameAddr(bytes, toStart, toEnd, record, at + SCAN_TO);
  scanTopVia(bytes, viaStart, viaEnd, record, at + SCAN_VIA);
  record[at + SCAN_CREDENTIAL_VALUES] = credentials;
  if (record[at + SCAN_KIND] === KIND_REQUEST) record[at + SCAN_LINE_HASH] = bytesHash(bytes, record[at + SCAN_LINE_START], record[at + SCAN_LINE_END]);
  const branchStart = record[at + SCAN_VIA + VIA_BRANCH_START];
  if (branchStart >= 0) {
    const branchEnd = record[at + SCAN_VIA + VIA_BRANCH_END];
    record[at + SCAN_BRANCH_HASH] = bytesHash(bytes, branchStart, branchEnd);
    record[at + SCAN_BRANCH_KEYED] = startsWith(bytes, branchStart, branchEnd, BRANCH_MAGIC_COOKIE) ? 1 : 0;
  }
  const toTagStart = record[at + SCAN_TO + NAME_ADDR_TAG_START];
  if (toTagStart >= 0) record[at + SCAN_TO_TAG_HASH] = bytesHash(bytes, toTagStart, record[at + SCAN_TO + NAME_ADDR_TAG_END]);
  return true;
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
 * (the parser decodes a message that is not ASCII as UTF-8: the plain reading leaves those to it). Writes
 * SCAN_KIND, SCAN_STATUS and the line's ranges.
 */
function scanStartLine(bytes: Uint8Array, start: number, end: number, record: Int32Array, at: number): boolean {
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
    record[at + SCAN_KIND] = KIND_RESPONSE;
    record[at + SCAN_STATUS] = d0 * 100 + d1 * 10 + d2;
    record[at + SCAN_LINE_START] = start;
    record[at + SCAN_LINE_END] = lineEnd;
    record[at + SCAN_LINE_SPLIT] = code + 4;
    record[at + SCAN_REASON_END] = end;
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
  record[at + SCAN_KIND] = KIND_REQUEST;
  record[at + SCAN_STATUS] = 0;
  record[at + SCAN_LINE_START] = start;
  record[at + SCAN_LINE_END] = end;
  record[at + SCAN_LINE_SPLIT] = space;
  record[at + SCAN_REASON_END] = end;
  return true;
}

/** Whitespace String#trimEnd removes, among ASCII bytes. */
function isTrimmedEnd(code: number): boolean {
  return code === SP || (code >= HT && code <= CR);
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

/** Where the CSeq method starts (it ends with the value), or -1 when not a token after the whitespace. */
function cseqMethodAt(bytes: Uint8Array, start: number, end: number): number {
  let pos = start;
  while (pos < end && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) pos++;
  while (pos < end && (bytes[pos] === SP || bytes[pos] === HT)) pos++;
  if (pos === end) return -1;
  for (let i = pos; i < end; i++) if ((BYTE_CLASS[bytes[i]] & TOKEN) === 0) return -1;
  return pos;
}
