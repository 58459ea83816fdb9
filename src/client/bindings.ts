/**
 * Registrations returned in a 2xx to REGISTER (RFC 3261 §10.2.4): every Contact with its expiry, taken from the
 * Contact's `expires` parameter, else the Expires header field, as §10.2.1.1 defines.
 */
import { getHeader, getHeaders, parseNameAddrList, type NameAddr, type SipResponse } from '../sip/index.js';

export interface Binding {
  uri: string;
  /** Seconds; undefined when neither the contact nor the response says. */
  expires?: number;
}

export function bindingsOf(response: SipResponse): Binding[] {
  const expiresHeader = getHeader(response, 'expires');
  const fallback = expiresHeader !== undefined && /^\d+$/.test(expiresHeader.trim()) ? Number(expiresHeader.trim()) : undefined;
  const bindings: Binding[] = [];
  for (const value of getHeaders(response, 'contact')) {
    let contacts: NameAddr[];
    try {
      contacts = parseNameAddrList(value);
    } catch {
      continue; // a Contact we cannot read is not reported as a binding
    }
    for (const contact of contacts) {
      if (contact.wildcard) continue;
      const expires = contact.params.expires;
      const binding: Binding = { uri: contact.uri };
      const seconds = expires !== undefined && expires !== null && /^\d+$/.test(expires) ? Number(expires) : fallback;
      if (seconds !== undefined) binding.expires = seconds;
      bindings.push(binding);
    }
  }
  return bindings;
}
