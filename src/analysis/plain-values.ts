/**
 * From/To and the top Via of a plain message scanned from its bytes (the plain scan's value readers, plain-scan.ts):
 * the name-addr's URI and tag, Via's sent-by and branch, and the plain `;name=value` parameter scan they share. Each
 * leaves byte ranges in the message's scan record (plain-record.ts); a value not in the plain form is marked so,
 * and plain-message.ts reads it from its text by fields.ts, as the parser's path reads it.
 */
import {
  NAME_ADDR_TAG_END,
  NAME_ADDR_TAG_START,
  NAME_ADDR_URI_END,
  NAME_ADDR_URI_START,
  NAME_ADDR_VALUE_END,
  NAME_ADDR_VALUE_START,
  VIA_BRANCH_END,
  VIA_BRANCH_START,
  VIA_SENT_BY_END,
  VIA_SENT_BY_START,
  VIA_SENT_BY_UPPER,
  VIA_VALUE_END,
  VIA_VALUE_START,
} from './plain-record.js';
import { ADDR_SPEC_STOP, BYTE_CLASS, COLON, PARAM_VALUE, SEMICOLON, SP, startsWith, TOKEN, URI_STOP, VIA_STOP } from './plain-bytes.js';

/**
 * From/To at bytes[start, end) (start -1: no such field), in one pass, in their plain forms: `<uri>;params`,
 * `token display name <uri>;params` and `uri;params` (RFC 3261 §20.10), with no quote, backslash, byte >= 0x80 or
 * whitespace outside a token display name, and plain parameters (paramRange). There parseNameAddr gives this URI
 * and tag, and where it refuses the URI, readNameAddrLeniently recovers the same ones. Written at record[at...]
 * (NAME_ADDR_* slots); any other value is marked to be read from its text (URI_START -1).
 */
export function scanNameAddr(bytes: Uint8Array, start: number, end: number, record: Int32Array, at: number): void {
  record[at + NAME_ADDR_VALUE_START] = start;
  record[at + NAME_ADDR_VALUE_END] = end;
  record[at + NAME_ADDR_URI_START] = -1;
  record[at + NAME_ADDR_URI_END] = -1;
  record[at + NAME_ADDR_TAG_START] = -1;
  record[at + NAME_ADDR_TAG_END] = -1;
  if (start < 0) return;
  let pos = start;
  let code = 0;
  // a token display name (or the scheme of an addr-spec) up to '<' or ':'
  while (pos < end) {
    code = bytes[pos];
    if (code === 0x3c || code === COLON) break;
    if (code !== SP && (BYTE_CLASS[code] & TOKEN) === 0) return;
    pos++;
  }
  let uriStart: number;
  let uriEnd: number;
  let paramsStart: number;
  if (code === 0x3c && pos < end) {
    const open = pos;
    let close = open + 1;
    while (close < end && (BYTE_CLASS[bytes[close]] & URI_STOP) === 0) close++;
    if (close >= end || bytes[close] !== 0x3e || close === open + 1) return;
    uriStart = open + 1;
    uriEnd = close;
    paramsStart = close + 1;
  } else {
    // addr-spec: a scheme before ':', the URI up to ';', no '<' anywhere
    if (pos >= end || pos === start) return;
    while (pos < end && (BYTE_CLASS[bytes[pos]] & ADDR_SPEC_STOP) === 0) pos++;
    if (pos < end && bytes[pos] !== SEMICOLON) return;
    uriStart = start;
    uriEnd = pos;
    paramsStart = pos;
  }
  const tag = paramRange(bytes, paramsStart, end, TAG, false);
  if (tag === PARAM_UNPLAIN) return;
  record[at + NAME_ADDR_URI_START] = uriStart;
  record[at + NAME_ADDR_URI_END] = uriEnd;
  if (tag >= 0) {
    record[at + NAME_ADDR_TAG_START] = tag;
    record[at + NAME_ADDR_TAG_END] = paramEnd;
  }
}

const VIA_PREFIX = 'SIP/2.0/';

/**
 * Top Via at bytes[start, end) (start -1: none) in its plain form, `SIP/2.0/TRANSPORT sent-by;params` (RFC 3261
 * §20.42) with no quote, '<', control character or byte >= 0x80 in its first element (up to the first ',', §7.3.1:
 * what follows is not read) and plain parameters: sent-by and branch as fields.ts topVia reads them, written at
 * record[at...] (VIA_* slots); any other value is marked to be read by topVia from its text (SENT_BY_START -1).
 * One pass: transport, sent-by and parameters are each checked as they are read.
 */
export function scanTopVia(bytes: Uint8Array, start: number, end: number, record: Int32Array, at: number): void {
  record[at + VIA_VALUE_START] = start;
  record[at + VIA_VALUE_END] = end;
  record[at + VIA_SENT_BY_START] = -1;
  record[at + VIA_SENT_BY_END] = -1;
  record[at + VIA_SENT_BY_UPPER] = 0;
  record[at + VIA_BRANCH_START] = -1;
  record[at + VIA_BRANCH_END] = -1;
  if (start < 0) return;
  if (!startsWith(bytes, start, end, VIA_PREFIX)) return;
  // quotes and brackets need the list splitter; control characters, String#trim; ',' before sent-by: no sent-by
  const transportStart = start + VIA_PREFIX.length;
  let pos = transportStart;
  let code = 0;
  while (pos < end && (code = bytes[pos]) !== SP) {
    if ((BYTE_CLASS[code] & VIA_STOP) !== 0) return;
    pos++;
  }
  if (pos >= end || pos === transportStart) return;
  while (pos < end && bytes[pos] === SP) pos++;
  const hostStart = pos;
  let upperCase = false;
  // sent-by up to ';' or the end of the first element
  while (pos < end && (code = bytes[pos]) !== SEMICOLON) {
    if ((BYTE_CLASS[code] & VIA_STOP) !== 0) {
      if (code !== 0x2c) return;
      break;
    }
    if (code >= 0x41 && code <= 0x5a) upperCase = true;
    pos++;
  }
  let hostEnd = pos;
  while (hostEnd > hostStart && bytes[hostEnd - 1] === SP) hostEnd--;
  if (hostEnd === hostStart) return;
  if (pos < end && code !== 0x2c) {
    const branch = paramRange(bytes, pos, end, BRANCH, true);
    if (branch === PARAM_UNPLAIN) return;
    if (branch >= 0) {
      record[at + VIA_BRANCH_START] = branch;
      record[at + VIA_BRANCH_END] = paramEnd;
    }
  }
  record[at + VIA_SENT_BY_START] = hostStart;
  record[at + VIA_SENT_BY_END] = hostEnd;
  record[at + VIA_SENT_BY_UPPER] = upperCase ? 1 : 0;
}

const TAG = 'tag';
const BRANCH = 'branch';
/** paramRange: the parameters are not in the plain form. */
const PARAM_UNPLAIN = -2;
/** paramRange: the parameter is absent, or present without a value. */
const PARAM_NONE = -1;
/** End of the value paramRange found (module state: read right after the call). */
let paramEnd = 0;

/**
 * `;name[=value]` parameters of bytes[pos, end) in their plainest form (token names, token or IPv6-ish values, no
 * whitespace, no quotes; readParams reads them alike and cannot fail on them): the start of the first
 * `wanted` parameter's value (its end in paramEnd), PARAM_NONE when absent or valueless, PARAM_UNPLAIN otherwise.
 * inList: the parameters of a list's first element, which may end at SPs and ',' (endsElement).
 */
function paramRange(bytes: Uint8Array, pos: number, end: number, wanted: string, inList: boolean): number {
  let found = PARAM_NONE;
  let seen = false;
  while (pos < end) {
    if (bytes[pos] !== SEMICOLON) {
      if (inList && endsElement(bytes, pos, end)) break;
      return PARAM_UNPLAIN;
    }
    const nameStart = ++pos;
    while (pos < end && (BYTE_CLASS[bytes[pos]] & TOKEN) !== 0) pos++;
    const nameEnd = pos;
    if (nameEnd === nameStart) return PARAM_UNPLAIN;
    let valueStart = -1;
    if (pos < end && bytes[pos] === 0x3d) {
      valueStart = ++pos;
      while (pos < end && (BYTE_CLASS[bytes[pos]] & PARAM_VALUE) !== 0) pos++;
      if (pos === valueStart) return PARAM_UNPLAIN;
    }
    if (!seen && sameName(bytes, nameStart, nameEnd, wanted)) {
      seen = true;
      if (valueStart >= 0) {
        found = valueStart;
        paramEnd = pos;
      }
    }
  }
  return found;
}

/** Whether bytes[pos, end) starts with SPs then ',': the end of a list element (splitHeaderList, which trims it). */
function endsElement(bytes: Uint8Array, pos: number, end: number): boolean {
  while (pos < end && bytes[pos] === SP) pos++;
  return pos < end && bytes[pos] === 0x2c;
}

function sameName(bytes: Uint8Array, start: number, end: number, lowerName: string): boolean {
  if (end - start !== lowerName.length) return false;
  for (let i = 0; i < lowerName.length; i++) if ((bytes[start + i] | 0x20) !== lowerName.charCodeAt(i)) return false;
  return true;
}
