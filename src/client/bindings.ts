/**
 * Registrations returned in a 2xx to REGISTER (RFC 3261 §10.2.4): every Contact with its expiry, taken from the
 * Contact's `expires` parameter, else the Expires header field, as §10.2.1.1 defines.
 */
import { getHeader, getHeaders, parseNameAddr, splitHeaderList, type NameAddr, type SipResponse } from '../sip/index.js';

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
    for (const contact of readableContacts(value)) {
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

/**
 * The Contacts of one header value (RFC 3261 §7.3.1 list) that parse, each element on its own: a malformed one is
 * not reported as a binding and costs the others nothing. An element that does not parse and holds commas (an
 * unclosed quote or '<' kept the list splitter from seeing them) is tried again piece by piece at each ", <".
 */
function readableContacts(value: string): NameAddr[] {
  const contacts: NameAddr[] = [];
  for (const element of splitHeaderList(value)) {
    const parsed = tryParse(element);
    if (parsed) contacts.push(parsed);
    else if (element.includes(',')) {
      for (const piece of element.split(/,(?=\s*<)/).slice(1)) {
        const recovered = tryParse(piece);
        if (recovered) contacts.push(recovered);
      }
    }
  }
  return contacts;
}

function tryParse(element: string): NameAddr | undefined {
  try {
    return parseNameAddr(element);
  } catch {
    return undefined;
  }
}
