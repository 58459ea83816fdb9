/**
 * Parsed views of a message's common fields, computed on first use and cached per message, so consumers
 * (transactions, dialogs, detectors) can ask repeatedly without re-parsing. The cache remembers the header
 * values it parsed and parses again if they were changed. Malformed values throw the field parser's
 * HeaderSyntaxError / UriError, as a direct call would.
 */
import type { SipMessage } from './message.js';
import { getHeaders } from './message.js';
import { parseCSeq, type CSeq } from './headers/cseq.js';
import { parseNameAddr, parseNameAddrList, type NameAddr } from './headers/name-addr.js';
import { parseVia, type Via } from './headers/via.js';

interface CacheEntry {
  values: string[];
  parsed: unknown;
}

const caches = new WeakMap<SipMessage, Map<string, CacheEntry>>();

function sameValues(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function cached<T>(message: SipMessage, name: string, parse: (values: string[]) => T): T {
  let cache = caches.get(message);
  if (cache === undefined) {
    cache = new Map();
    caches.set(message, cache);
  }
  const values = getHeaders(message, name);
  const entry = cache.get(name);
  if (entry !== undefined && sameValues(entry.values, values)) return entry.parsed as T;
  const parsed = parse(values);
  cache.set(name, { values, parsed });
  return parsed;
}

/** Every Via, topmost first, across all Via fields (RFC 3261 §20.42). */
export function viasOf(message: SipMessage): Via[] {
  return cached(message, 'via', (values) => values.flatMap((value) => parseVia(value)));
}

/** The topmost Via (the one a response is routed back by, RFC 3261 §18.2.2), if any. */
export function topViaOf(message: SipMessage): Via | undefined {
  return viasOf(message)[0];
}

/** The CSeq (RFC 3261 §20.16), or undefined when there is none. */
export function cseqOf(message: SipMessage): CSeq | undefined {
  return cached(message, 'cseq', (values) => (values.length > 0 ? parseCSeq(values[0]) : undefined));
}

/** The From address (RFC 3261 §20.20), or undefined. */
export function fromOf(message: SipMessage): NameAddr | undefined {
  return cached(message, 'from', (values) => (values.length > 0 ? parseNameAddr(values[0]) : undefined));
}

/** The To address (RFC 3261 §20.39), or undefined. */
export function toOf(message: SipMessage): NameAddr | undefined {
  return cached(message, 'to', (values) => (values.length > 0 ? parseNameAddr(values[0]) : undefined));
}

/** Every Contact across all Contact fields (RFC 3261 §20.10), in order. */
export function contactsOf(message: SipMessage): NameAddr[] {
  return cached(message, 'contact', (values) => values.flatMap((value) => parseNameAddrList(value)));
}
