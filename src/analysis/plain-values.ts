/**
 * From/To and the top Via of a plain message read straight from its bytes (readPlainMessage's value readers): the
 * name-addr's URI (as a range) and tag, Via's sent-by and branch, and the plain `;name=value` parameter scan they
 * share. Each reader leaves its answer in module state read right after the call (no object per value); any value
 * not in the plain form is read from its text by fields.ts, as the parser's path reads it.
 */
import { readNameAddrValue, readTopViaValue } from './fields.js';
import { ADDR_SPEC_STOP, BYTE_CLASS, COLON, PARAM_VALUE, SEMICOLON, SP, startsWith, text, TOKEN, URI_STOP, valueText, VIA_STOP } from './plain-bytes.js';

/** What nameAddrAt read (module state, read right after the call): the URI as text or as a range, and the tag. */
export let nameUriText: string | undefined;
export let nameUriStart = 0;
export let nameUriEnd = 0;
export let nameTag: string | undefined;

/** nameAddrAt's answer for a value read as text by fields.ts. */
function nameAddrFromText(value: string): void {
  const read = readNameAddrValue(value);
  nameUriText = read.uri;
  nameTag = read.tag;
}

/**
 * From/To at bytes[start, end), in one pass, in their plain forms: `<uri>;params`, `token display name <uri>;params`
 * and `uri;params` (RFC 3261 §20.10), with no quote, backslash, byte >= 0x80 or whitespace outside a token display
 * name, and plain parameters (paramRange). There parseNameAddr gives this URI and tag, and where it refuses the URI,
 * readNameAddrLeniently recovers the same ones. The URI is left as a range (most messages never need it as text);
 * any other value is read by fields.ts from its text. No field: as an empty value.
 */
export function nameAddrAt(bytes: Uint8Array, start: number, end: number): void {
  nameUriText = undefined;
  nameTag = undefined;
  if (start < 0) return nameAddrFromText('');
  let pos = start;
  let code = 0;
  // a token display name (or the scheme of an addr-spec) up to '<' or ':'
  while (pos < end) {
    code = bytes[pos];
    if (code === 0x3c || code === COLON) break;
    if (code !== SP && (BYTE_CLASS[code] & TOKEN) === 0) return nameAddrFromText(valueText(bytes, start, end));
    pos++;
  }
  let paramsStart: number;
  if (code === 0x3c && pos < end) {
    const open = pos;
    let close = open + 1;
    while (close < end && (BYTE_CLASS[bytes[close]] & URI_STOP) === 0) close++;
    if (close >= end || bytes[close] !== 0x3e || close === open + 1) return nameAddrFromText(valueText(bytes, start, end));
    nameUriStart = open + 1;
    nameUriEnd = close;
    paramsStart = close + 1;
  } else {
    // addr-spec: a scheme before ':', the URI up to ';', no '<' anywhere
    if (pos >= end || pos === start) return nameAddrFromText(valueText(bytes, start, end));
    while (pos < end && (BYTE_CLASS[bytes[pos]] & ADDR_SPEC_STOP) === 0) pos++;
    if (pos < end && bytes[pos] !== SEMICOLON) return nameAddrFromText(valueText(bytes, start, end));
    nameUriStart = start;
    nameUriEnd = pos;
    paramsStart = pos;
  }
  const tag = paramRange(bytes, paramsStart, end, TAG, false);
  if (tag === PARAM_UNPLAIN) return nameAddrFromText(valueText(bytes, start, end));
  if (tag >= 0) nameTag = text(bytes, tag, paramEnd);
}

const VIA_PREFIX = 'SIP/2.0/';

/** What topViaAt read (module state, read right after the call). */
export let viaBranch: string | undefined;
export let viaSentBy: string | undefined;

/** topViaAt's answer for a value read as text by fields.ts. */
function topViaFromText(value: string): void {
  const read = readTopViaValue(value);
  viaBranch = read.branch;
  viaSentBy = read.sentBy;
}

/**
 * Top Via at bytes[start, end) in its plain form, `SIP/2.0/TRANSPORT sent-by;params` (RFC 3261 §20.42) with no quote,
 * '<', control character or byte >= 0x80 in its first element (up to the first ',', §7.3.1: what follows is not
 * read) and plain parameters: sent-by and branch as fields.ts topVia reads them; any other value read by topVia
 * from its text. One pass: transport, sent-by and parameters are each checked as they are read.
 */
export function topViaAt(bytes: Uint8Array, start: number, end: number): void {
  viaBranch = undefined;
  viaSentBy = undefined;
  if (start < 0) return topViaFromText('');
  if (!startsWith(bytes, start, end, VIA_PREFIX)) return topViaFromText(valueText(bytes, start, end));
  // quotes and brackets need the list splitter; control characters, String#trim; ',' before sent-by: no sent-by
  const transportStart = start + VIA_PREFIX.length;
  let pos = transportStart;
  let code = 0;
  while (pos < end && (code = bytes[pos]) !== SP) {
    if ((BYTE_CLASS[code] & VIA_STOP) !== 0) return topViaFromText(valueText(bytes, start, end));
    pos++;
  }
  if (pos >= end || pos === transportStart) return topViaFromText(valueText(bytes, start, end));
  while (pos < end && bytes[pos] === SP) pos++;
  const hostStart = pos;
  let upperCase = false;
  // sent-by up to ';' or the end of the first element
  while (pos < end && (code = bytes[pos]) !== SEMICOLON) {
    if ((BYTE_CLASS[code] & VIA_STOP) !== 0) {
      if (code !== 0x2c) return topViaFromText(valueText(bytes, start, end));
      break;
    }
    if (code >= 0x41 && code <= 0x5a) upperCase = true;
    pos++;
  }
  let hostEnd = pos;
  while (hostEnd > hostStart && bytes[hostEnd - 1] === SP) hostEnd--;
  if (hostEnd === hostStart) return topViaFromText(valueText(bytes, start, end));
  viaSentBy = upperCase ? text(bytes, hostStart, hostEnd).toLowerCase() : text(bytes, hostStart, hostEnd);
  if (pos >= end || code === 0x2c) return;
  const branch = paramRange(bytes, pos, end, BRANCH, true);
  if (branch === PARAM_UNPLAIN) return topViaFromText(valueText(bytes, start, end));
  if (branch >= 0) viaBranch = text(bytes, branch, paramEnd);
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
