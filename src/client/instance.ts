/**
 * The `+sip.instance` of sipscope's own Contact (RFC 5626 §4.1, RFC 5627 §3.1): a URN that stays the same from run
 * to run for one user at one registrar, so a kept binding is replaced by the next run's instead of added beside it
 * (the registrar matches the instance, RFC 5626 §6, not the Contact address, whose port changes every run).
 * A name-based UUID (RFC 4122 §4.3, version 5: SHA-1 of a name in a namespace) as `urn:uuid:` (RFC 4122 §3).
 */
import { createHash } from 'node:crypto';

/** RFC 4122 Appendix C: the URL namespace; the name is a sip: URL of our own making. */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');

export function stableInstanceUrn(user: string, host: string): string {
  const hash = createHash('sha1').update(URL_NAMESPACE).update(`sip:${user}@${host.toLowerCase()};sipscope-check`).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
