/**
 * Registrations returned in a 2xx to REGISTER (RFC 3261 §10.2.4): every Contact with its expiry, taken from the
 * Contact's `expires` parameter, else the Expires header field, as §10.2.1.1 defines.
 */
import { getHeader, getHeaders, type SipResponse } from '../sip/index.js';

export interface Binding {
  uri: string;
  /** Seconds; undefined when neither the contact nor the response says. */
  expires?: number;
}

/** Splits a header value at commas that are outside quotes and angle brackets (RFC 3261 §7.3.1). */
export function splitHeaderList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (quoted) {
      if (char === '\\') i++;
      else if (char === '"') quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === '<') depth++;
    else if (char === '>') depth = Math.max(0, depth - 1);
    else if (char === ',' && depth === 0) {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((part) => part !== '');
}

function parseContact(entry: string): { uri: string; params: string } {
  const open = entry.indexOf('<');
  const close = entry.indexOf('>', open + 1);
  if (open >= 0 && close > open) return { uri: entry.slice(open + 1, close), params: entry.slice(close + 1) };
  // addr-spec form: contact params start at the first ';' (RFC 3261 §20.10)
  const semicolon = entry.indexOf(';');
  return semicolon < 0 ? { uri: entry, params: '' } : { uri: entry.slice(0, semicolon), params: entry.slice(semicolon) };
}

export function bindingsOf(response: SipResponse): Binding[] {
  const expiresHeader = getHeader(response, 'expires');
  const fallback = expiresHeader !== undefined && /^\d+$/.test(expiresHeader.trim()) ? Number(expiresHeader.trim()) : undefined;
  const bindings: Binding[] = [];
  for (const value of getHeaders(response, 'contact')) {
    for (const entry of splitHeaderList(value)) {
      if (entry === '*') continue;
      const { uri, params } = parseContact(entry);
      const expires = /;\s*expires\s*=\s*"?(\d+)/i.exec(params)?.[1];
      const binding: Binding = { uri: uri.trim() };
      const seconds = expires !== undefined ? Number(expires) : fallback;
      if (seconds !== undefined) binding.expires = seconds;
      bindings.push(binding);
    }
  }
  return bindings;
}
