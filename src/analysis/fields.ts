/**
 * The few header fields the analysis needs from each message, read once: Call-ID, CSeq, From/To tags and URIs,
 * the top Via (branch and sent-by) and the credential. Everything else of the message is dropped after this.
 */
import { byteFaithfulValue, isTokenChar, parseCSeq, parseUri, readNameAddrLeniently, readParams, splitHeaderList, unescapeUri, type SipMessage } from '../sip/index.js';
import { credentialOf, isStaleChallenge } from './credentials.js';
import { ownCopy } from './own-copy.js';
import type { Credential } from './types.js';

/** Every string here is one of its own (never a slice of the message): calls and transactions keep them as they are. */
export interface MessageFields {
  callId: string;
  cseqNumber: number;
  /** CSeq method (RFC 3261 §8.1.1.5): for a response, the method of the request it answers. */
  cseqMethod: string;
  fromTag?: string;
  toTag?: string;
  /** addr-spec of From / To without display name and header parameters. */
  fromUri: string;
  toUri: string;
  /** Top Via: branch parameter and sent-by (host[:port]) (RFC 3261 §20.42). */
  viaBranch?: string;
  viaSentBy?: string;
  credential?: Credential;
  /** stale=true in a 401/407 challenge (RFC 3261 §22.4 / RFC 7616 §3.3): not a rejection of the credentials. */
  staleChallenge: boolean;
}

/**
 * The header fields readFields and the credential readers look at: the parser reads only these for the analysis
 * (parseMessage's `only`), which skips the values of every other field and the body.
 */
export const ANALYSIS_HEADERS: ReadonlySet<string> = new Set([
  'call-id', 'cseq', 'from', 'to', 'via', 'authorization', 'proxy-authorization', 'www-authenticate', 'proxy-authenticate',
]);

/** Reads the analysis fields in one pass over the headers; undefined when Call-ID or CSeq is missing or unreadable. */
export function readFields(message: SipMessage): MessageFields | undefined {
  let callId: string | undefined;
  let cseqValue: string | undefined;
  let fromValue = '';
  let toValue = '';
  let viaValue = '';
  let seen = 0;
  for (const field of message.headers) {
    switch (field.name) {
      case 'call-id':
        if (callId === undefined) (callId = callIdKey(message, field)), seen++;
        break;
      case 'cseq':
        if (cseqValue === undefined) (cseqValue = field.value), seen++;
        break;
      case 'from':
        if (fromValue === '' && field.value !== '') (fromValue = field.value), seen++;
        break;
      case 'to':
        if (toValue === '' && field.value !== '') (toValue = field.value), seen++;
        break;
      case 'via':
        if (viaValue === '' && field.value !== '') (viaValue = field.value), seen++;
        break;
    }
    // the first Call-ID and CSeq, the first non-empty From, To and Via: then nothing further is read
    if (seen === 5) break;
  }
  const cseq = parseCSeqValue(cseqValue);
  if (!callId || !cseq) return undefined;
  const from = readNameAddrValue(fromValue);
  const to = readNameAddrValue(toValue);
  const via = readTopViaValue(viaValue);
  // strings of their own (not slices of the message): calls and transactions keep them, as the plain reading's are
  return {
    callId: ownCopy(callId),
    cseqNumber: cseq.number,
    cseqMethod: ownCopy(cseq.method),
    fromTag: optionalCopy(from.tag),
    toTag: optionalCopy(to.tag),
    fromUri: ownCopy(from.uri),
    toUri: ownCopy(to.uri),
    viaBranch: optionalCopy(via.branch),
    viaSentBy: optionalCopy(via.sentBy),
    credential: message.kind === 'request' ? credentialOf(message) : undefined,
    staleChallenge: message.kind === 'response' && isStaleChallenge(message),
  };
}

function optionalCopy(text: string | undefined): string | undefined {
  return text === undefined ? undefined : ownCopy(text);
}

/**
 * The Call-ID as the key of a call: the parser's text, except where invalid UTF-8 became U+FFFD (two different
 * Call-IDs would then merge into one call): there the bytes are kept, each invalid one written as \xNN.
 */
function callIdKey(message: SipMessage, field: SipMessage['headers'][number]): string {
  if (!field.value.includes('\uFFFD') || message.raw === undefined) return field.value;
  return byteFaithfulValue(message.raw, field) ?? field.value;
}

/** URI and tag of a From/To value (readNameAddrLeniently's reading, the plain forms without it). */
export function readNameAddrValue(value: string): { uri: string; tag?: string } {
  return plainNameAddr(value) ?? cached(nameAddrCache, value, nameAddrParts);
}

/** Branch and sent-by of a Via value's first via-parm (topVia's reading, the plain form without it). */
export function readTopViaValue(value: string): { branch?: string; sentBy?: string } {
  return plainTopVia(value) ?? cached(viaCache, value, topVia);
}

/**
 * Every message of a dialog repeats the same From and To values, and a response repeats its request's Via:
 * remembering recent results saves most of the header parsing. Cleared when full (bounded memory).
 */
const CACHE_ENTRIES = 8192;
const nameAddrCache = new Map<string, { uri: string; tag?: string }>();
const viaCache = new Map<string, { branch?: string; sentBy?: string }>();

function cached<T>(cache: Map<string, T>, value: string, read: (value: string) => T): T {
  let result = cache.get(value);
  if (result === undefined) {
    result = read(value);
    if (cache.size >= CACHE_ENTRIES) cache.clear();
    cache.set(value, result);
  }
  return result;
}

function parseCSeqValue(value: string | undefined): { number: number; method: string } | undefined {
  if (!value) return undefined;
  try {
    const cseq = parseCSeq(value);
    return { number: cseq.seq, method: cseq.method.toUpperCase() };
  } catch {
    return undefined;
  }
}

/**
 * addr-spec and tag of a From/To value (RFC 3261 §20.10); a value that breaks the grammar is read as Wireshark
 * reads it (a dialog must not be lost to a display name with stray quotes); the raw value as URI when no URI is found.
 */
function nameAddrParts(value: string): { uri: string; tag?: string } {
  const { uri, tag } = readNameAddrLeniently(value);
  return { uri, tag };
}

/** User part of a sip:, sips: or tel: URI, unescaped (read when needed: most messages never need it). */
export function uriUser(uri: string): string | undefined {
  try {
    const parsed = parseUri(uri);
    return parsed.user === undefined ? undefined : unescapeUri(parsed.user);
  } catch {
    return undefined;
  }
}

/**
 * `;name[=value]` parameters of text[pos, end) in their plainest form: token names, token / IPv6-ish values, no
 * whitespace, no quotes. Returns the first value of `wanted` ('' when absent, null when present without a value),
 * or undefined when the text is anything else (then readParams decides, with its errors).
 */
function plainParam(text: string, pos: number, end: number, wanted: string): string | null | undefined {
  let found: string | null = '';
  let seen = false;
  while (pos < end) {
    if (text.charCodeAt(pos) !== 0x3b) return undefined;
    const nameStart = ++pos;
    while (pos < end && isTokenChar(text.charCodeAt(pos))) pos++;
    const nameEnd = pos;
    if (nameEnd === nameStart) return undefined;
    let valueStart = -1;
    if (pos < end && text.charCodeAt(pos) === 0x3d) {
      valueStart = ++pos;
      while (pos < end && isPlainValueChar(text.charCodeAt(pos))) pos++;
      if (pos === valueStart) return undefined;
    }
    if (!seen && sameNameIgnoringCase(text, nameStart, nameEnd, wanted)) {
      seen = true;
      found = valueStart < 0 ? null : text.slice(valueStart, pos);
    }
  }
  return found;
}

function isPlainValueChar(code: number): boolean {
  return code === 0x3a || code === 0x5b || code === 0x5d || isTokenChar(code);
}

function sameNameIgnoringCase(text: string, start: number, end: number, lowerName: string): boolean {
  if (end - start !== lowerName.length) return false;
  for (let i = 0; i < lowerName.length; i++) if ((text.charCodeAt(start + i) | 0x20) !== lowerName.charCodeAt(i)) return false;
  return true;
}

/**
 * From/To in their plainest forms, read without the cache or the grammar's objects: `<uri>;params`,
 * `token display name <uri>;params` and `uri;params` with no quote, backslash or whitespace outside a token display
 * name. There parseNameAddr would give the same URI and tag (and, where it refuses the URI, so would the lenient
 * reading). Anything else: undefined (nameAddrParts reads it).
 */
function plainNameAddr(value: string): { uri: string; tag?: string } | undefined {
  const length = value.length;
  if (length === 0 || value.indexOf('"') >= 0 || value.indexOf('\\') >= 0) return undefined;
  const open = value.indexOf('<');
  const colon = value.indexOf(':');
  let uri: string;
  let pos: number;
  if (open >= 0 && (colon < 0 || open < colon)) {
    for (let i = 0; i < open; i++) {
      const code = value.charCodeAt(i);
      if (code !== 0x20 && !isTokenChar(code)) return undefined;
    }
    const close = value.indexOf('>', open);
    if (close <= open + 1) return undefined;
    for (let i = open + 1; i < close; i++) if (isSpaceOrControl(value.charCodeAt(i))) return undefined;
    uri = value.slice(open + 1, close);
    pos = close + 1;
  } else {
    if (open >= 0 || colon <= 0) return undefined;
    pos = 0;
    while (pos < length && value.charCodeAt(pos) !== 0x3b) {
      const code = value.charCodeAt(pos);
      if (isSpaceOrControl(code) || code === 0x3f || code === 0x2c || code === 0x3e) return undefined;
      pos++;
    }
    uri = value.slice(0, pos);
    if (uri.indexOf(':') <= 0) return undefined;
  }
  const tag = plainParam(value, pos, length, 'tag');
  if (tag === undefined) return undefined;
  return tag === '' || tag === null ? { uri } : { uri, tag };
}

function isSpaceOrControl(code: number): boolean {
  return code <= 0x20 || code === 0x7f;
}

const VIA_PLAIN_PREFIX = 'SIP/2.0/';

/** Top Via in its plainest form (`SIP/2.0/UDP host:port;params`, no quote, no '<', no tab): as topVia reads it. */
function plainTopVia(value: string): { branch?: string; sentBy?: string } | undefined {
  if (!value.startsWith(VIA_PLAIN_PREFIX) || value.indexOf('"') >= 0 || value.indexOf('<') >= 0 || value.indexOf('\t') >= 0) return undefined;
  const comma = value.indexOf(',');
  const end = comma < 0 ? value.length : comma;
  const space = value.indexOf(' ', VIA_PLAIN_PREFIX.length);
  if (space < 0 || space >= end || space === VIA_PLAIN_PREFIX.length) return undefined;
  let hostStart = space;
  while (value.charCodeAt(hostStart) === 0x20) hostStart++;
  let semicolon = value.indexOf(';', hostStart);
  if (semicolon > end) semicolon = -1;
  const sentBy = value.slice(hostStart, semicolon < 0 ? end : semicolon).trim().toLowerCase();
  if (sentBy.length === 0) return undefined;
  if (semicolon < 0) return { sentBy };
  let paramsEnd = end;
  while (paramsEnd > semicolon && value.charCodeAt(paramsEnd - 1) === 0x20) paramsEnd--;
  const branch = plainParam(value, semicolon, paramsEnd, 'branch');
  if (branch === undefined) return undefined;
  return branch === '' || branch === null ? { sentBy } : { sentBy, branch };
}

/**
 * Top Via (first via-parm of the first Via header, RFC 3261 §7.3.1, §20.42): sent-by and branch only, read with
 * the shared parameter reader (the full parseVia also validates every host form, which analysis does not need).
 */
function topVia(value: string): { branch?: string; sentBy?: string } {
  const first = splitHeaderList(value)[0] ?? '';
  const protocolEnd = /^\s*SIP\s*\/\s*[^/\s]+\s*\/\s*\S+\s+/i.exec(first);
  if (!protocolEnd) return {};
  const semicolon = first.indexOf(';', protocolEnd[0].length);
  const sentBy = first.slice(protocolEnd[0].length, semicolon < 0 ? first.length : semicolon).trim().toLowerCase();
  if (semicolon < 0) return { sentBy };
  try {
    const branch = readParams(first, semicolon).params.branch;
    return { sentBy, branch: branch ?? undefined };
  } catch {
    return { sentBy };
  }
}

/** The plain-form readers and the general ones they stand in for, side by side (for the equivalence test). */
export const fieldReadersForTest = { plainNameAddr, nameAddrParts, plainTopVia, topVia };
