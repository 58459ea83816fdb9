/**
 * Header name lookup for the parser's hot path: common wire spellings are matched in place (no slice, no
 * hashing) and yield shared constant strings; anything else goes through canonicalHeaderName with a bounded cache.
 */
import { canonicalHeaderName } from './message.js';

/** Common spellings (RFC 3261 §20 long forms, §7.3.3 compact forms, frequent lowercase variants). */
const SPELLINGS = [
  'Via', 'v', 'Max-Forwards', 'To', 't', 'From', 'f', 'Call-ID', 'Call-Id', 'i', 'CSeq', 'Contact', 'm',
  'Content-Type', 'c', 'Content-Length', 'l', 'Allow', 'Supported', 'k', 'User-Agent', 'Server', 'Route',
  'Record-Route', 'Expires', 'Accept', 'Authorization', 'WWW-Authenticate', 'Proxy-Authenticate',
  'Proxy-Authorization', 'Event', 'o', 'Subscription-State', 'Date', 'Require', 'Proxy-Require', 'Allow-Events',
  'u', 'Session-Expires', 'x', 'Min-SE', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Privacy', 'Reason',
  'Refer-To', 'r', 'Referred-By', 'b', 'Content-Disposition', 'Accept-Language', 'Accept-Encoding',
  'Organization', 'Warning', 'Retry-After', 'Timestamp', 'Subject', 's', 'RSeq', 'RAck', 'Min-Expires',
  'Unsupported', 'Path', 'Service-Route', 'Content-Encoding', 'e', 'Identity', 'y', 'Replaces', 'X-Asterisk-HangupCause',
  'via', 'to', 'from', 'call-id', 'cseq', 'contact', 'content-type', 'content-length', 'max-forwards', 'expires',
  'user-agent', 'allow', 'supported', 'route', 'record-route', 'CALL-ID', 'CSEQ', 'VIA', 'TO', 'FROM', 'CONTACT',
];

interface KnownName {
  spelling: string;
  name: string;
}

/** Indexed by length * 128 + first char code (a dense array: one element load, no hashing). */
const MAX_KNOWN_LENGTH = 32;
const KNOWN: Array<KnownName[] | undefined> = new Array((MAX_KNOWN_LENGTH + 1) * 128).fill(undefined);
for (const spelling of SPELLINGS) {
  const key = spelling.length * 128 + spelling.charCodeAt(0);
  const list = KNOWN[key] ?? [];
  list.push({ spelling, name: canonicalHeaderName(spelling) });
  KNOWN[key] = list;
}

const cache = new Map<string, string>();
const CACHE_LIMIT = 2048;

/** The known spelling at text[start, end), or undefined. */
export function knownHeaderName(text: string, start: number, end: number): KnownName | undefined {
  const first = text.charCodeAt(start);
  const length = end - start;
  if (first >= 128 || length > MAX_KNOWN_LENGTH) return undefined;
  const list = KNOWN[length * 128 + first];
  if (list === undefined) return undefined;
  for (let i = 0; i < list.length; i++) {
    const spelling = list[i].spelling;
    let j = 1;
    while (j < length && spelling.charCodeAt(j) === text.charCodeAt(start + j)) j++;
    if (j === length) return list[i];
  }
  return undefined;
}

/** Canonical (lowercase long) name of any spelling, cached (bounded, so hostile input cannot grow it). */
export function cachedHeaderName(rawName: string): string {
  let name = cache.get(rawName);
  if (name === undefined) {
    name = canonicalHeaderName(rawName);
    if (cache.size < CACHE_LIMIT) cache.set(rawName, name);
  }
  return name;
}
