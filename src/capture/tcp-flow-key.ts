/**
 * The keys that name one direction of a TCP connection in the reassembler's table: a short flat string for IPv4
 * (addresses and ports as 16-bit char codes, hashed far faster than text built from address strings) and a text
 * key otherwise. The reverse key finds the other direction of the same connection (RFC 9293 §3.3.2: a connection
 * is named by both socket pairs), which shares what opened the connection.
 */
import type { Endpoint } from './types.js';

/** First char of a compact IPv4 key: keeps it apart from text keys, which start with an address digit. */
const IPV4_KEY_TAG = 4;
const IPV4_KEY_LENGTH = 7;

/** Compact key of an IPv4 flow: the address bytes at `srcAt`/`dstAt` of `addresses`, then the two ports. */
export function ipv4FlowKey(addresses: Uint8Array, srcAt: number, dstAt: number, srcPort: number, dstPort: number): string {
  return String.fromCharCode(
    IPV4_KEY_TAG,
    (addresses[srcAt] << 8) | addresses[srcAt + 1],
    (addresses[srcAt + 2] << 8) | addresses[srcAt + 3],
    (addresses[dstAt] << 8) | addresses[dstAt + 1],
    (addresses[dstAt + 2] << 8) | addresses[dstAt + 3],
    srcPort,
    dstPort,
  );
}

/** Text key of a flow whose caller gave no compact key (IPv6, tests). */
export function textFlowKey(src: Endpoint, dst: Endpoint): string {
  return `${src.ip}|${src.port}|${dst.ip}|${dst.port}`;
}

/** Key of the opposite direction of the flow named `key` (from `src` to `dst`), in the same form. */
export function reverseFlowKey(key: string, src: Endpoint, dst: Endpoint): string {
  if (key.length !== IPV4_KEY_LENGTH || key.charCodeAt(0) !== IPV4_KEY_TAG) return textFlowKey(dst, src);
  return String.fromCharCode(IPV4_KEY_TAG) + key.slice(3, 5) + key.slice(1, 3) + key[6] + key[5];
}
