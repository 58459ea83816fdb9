/**
 * SIP, SIPS (RFC 3261 §19.1, §25.1) and tel (RFC 3966) URIs: parse into components and format back.
 * Components are kept as written (escapes included, e.g. user 'I%20have'); `unescapeUri` decodes them.
 */
import { SipSyntaxError } from './errors.js';
import { createParams } from './headers/params.js';

export interface SipUri {
  /** Lowercase: 'sip', 'sips' or 'tel'. */
  scheme: 'sip' | 'sips' | 'tel';
  /** userinfo user part as written (escaped); for tel the telephone-subscriber number. */
  user?: string;
  password?: string;
  /** Host as written: domain name, IPv4 address, or IPv6 reference with its brackets. '' for tel. */
  host: string;
  hostType: 'domain' | 'ipv4' | 'ipv6' | 'none';
  port?: number;
  /** uri-parameters, names lowercased (RFC 3261 §19.1.4 compares them case-insensitively); null = no value. */
  params: Record<string, string | null>;
  /** headers after '?', in order, as written (escaped). */
  headers: Array<{ name: string; value: string }>;
}

/** A URI that does not follow the grammar; `offset` is the character index in the URI text. */
export class UriError extends SipSyntaxError {}

const USER = 1;
const PASSWORD = 2;
const PARAM = 4;
const HEADER = 8;
const HOST = 16;
const TEL = 32;

/** Character classes of RFC 3261 §25.1, one bit per production ('%' handled as `escaped` separately). */
const CLASSES = (() => {
  const table = new Uint8Array(128);
  const add = (chars: string, bits: number) => {
    for (const ch of chars) table[ch.charCodeAt(0)] |= bits;
  };
  const alphanum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const mark = "-_.!~*'()";
  add(alphanum + mark, USER | PASSWORD | PARAM | HEADER);
  add('&=+$,;?/', USER); // user-unreserved
  add('&=+$,', PASSWORD);
  add('[]/:&+$', PARAM); // param-unreserved
  add('[]/?:+$', HEADER); // hnv-unreserved
  add(alphanum + '-.', HOST);
  add('0123456789abcdefABCDEF*#+-.()', TEL); // RFC 3966 phonedigit-hex / visual-separator
  return table;
})();

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x66);
}

/** Checks text[start, end) against a character class, allowing %HH escapes. Returns the bad index or -1. */
function badCharIndex(text: string, start: number, end: number, bits: number): number {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25) {
      if (i + 2 < end && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
        i += 2;
        continue;
      }
      return i;
    }
    if (code >= 128 || (CLASSES[code] & bits) === 0) return i;
  }
  return -1;
}

function describeChar(text: string, index: number): string {
  const ch = text[index];
  return ch === '%' ? `a bad escape ${JSON.stringify(text.slice(index, index + 3))}` : `character ${JSON.stringify(ch)}`;
}

/**
 * The character at `index` where nothing more may follow, or where this part of the URI ends (the host, §25.1
 * hostname: no escapes there). A well-formed escape there is misplaced, not bad.
 */
function describeUnexpected(text: string, index: number): string {
  if (text[index] !== '%') return `unexpected ${describeChar(text, index)}`;
  const wellFormed = isHex(text.charCodeAt(index + 1)) && isHex(text.charCodeAt(index + 2));
  return wellFormed ? `an escape ${JSON.stringify(text.slice(index, index + 3))} where none is allowed` : describeChar(text, index);
}

/** Parses a sip:, sips: or tel: URI. Throws UriError (with a specific code) for anything else or bad syntax. */
export function parseUri(text: string): SipUri {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UriError('bad-uri-scheme', `URI ${JSON.stringify(text)} has no scheme`, 0);
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(text, scheme, colon + 1);
  if (scheme === 'tel') return parseTelUri(text, colon + 1);
  if (!isUriScheme(scheme)) throw new UriError('bad-uri-scheme', `URI ${JSON.stringify(text)} has an invalid scheme`, 0);
  throw new UriError('unsupported-uri-scheme', `URI scheme ${JSON.stringify(scheme)} is not sip, sips or tel`, 0);
}

/** RFC 3986 §3.1 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
export function isUriScheme(scheme: string): boolean {
  if (scheme.length === 0) return false;
  for (let i = 0; i < scheme.length; i++) {
    const code = scheme.charCodeAt(i) | 0x20;
    const alpha = code >= 0x61 && code <= 0x7a;
    const other = i > 0 && ((scheme.charCodeAt(i) >= 0x30 && scheme.charCodeAt(i) <= 0x39) || '+-.'.includes(scheme[i]));
    if (!alpha && !other) return false;
  }
  return true;
}

function parseSipUri(text: string, scheme: 'sip' | 'sips', start: number): SipUri {
  // Every field present from the start (undefined until known): one object shape for all URIs.
  const uri: SipUri = { scheme, user: undefined, password: undefined, host: '', hostType: 'domain', port: undefined, params: createParams(), headers: [] };
  const end = text.length;
  // RFC 3261 §25.1: '@' is in no other production of the URI, so the first one ends userinfo.
  const at = text.indexOf('@', start);
  let pos = start;
  if (at >= 0) {
    const passwordColon = text.indexOf(':', start);
    const userEnd = passwordColon >= 0 && passwordColon < at ? passwordColon : at;
    if (userEnd === start) throw new UriError('bad-uri-user', `URI ${JSON.stringify(text)} has an empty user part`, start);
    const badUser = badCharIndex(text, start, userEnd, USER);
    if (badUser >= 0) throw new UriError('bad-uri-user', `user part of ${JSON.stringify(text)} has ${describeChar(text, badUser)} at ${badUser}`, badUser);
    uri.user = text.slice(start, userEnd);
    if (userEnd < at) {
      const badPassword = badCharIndex(text, userEnd + 1, at, PASSWORD);
      if (badPassword >= 0) throw new UriError('bad-uri-password', `password of ${JSON.stringify(text)} has ${describeChar(text, badPassword)} at ${badPassword}`, badPassword);
      uri.password = text.slice(userEnd + 1, at);
    }
    pos = at + 1;
  }
  pos = readHostPort(text, pos, uri);
  while (pos < end && text.charCodeAt(pos) === 0x3b /* ; */) pos = readUriParam(text, pos + 1, uri);
  if (pos < end && text.charCodeAt(pos) === 0x3f /* ? */) pos = readUriHeaders(text, pos + 1, uri);
  if (pos < end) throw new UriError('bad-uri', `URI ${JSON.stringify(text)} has ${describeUnexpected(text, pos)} at ${pos}`, pos);
  return uri;
}

/** An IPv6 address written without its brackets (RFC 3261 §25.1: host = hostname / IPv4address / IPv6reference). */
function unbracketedIPv6(text: string, pos: number): UriError {
  return new UriError('bad-uri-host', `URI ${JSON.stringify(text)}: an IPv6 address goes in brackets, e.g. sip:bob@[::1]:5060`, pos);
}

function readHostPort(text: string, pos: number, uri: SipUri): number {
  const end = text.length;
  const hostStart = pos;
  let hostEnd: number;
  if (text.charCodeAt(pos) === 0x5b /* [ */) {
    const close = text.indexOf(']', pos);
    if (close < 0) throw new UriError('bad-uri-host', `IPv6 reference in ${JSON.stringify(text)} has no closing ']'`, pos);
    if (!isIPv6(text.slice(pos + 1, close))) throw new UriError('bad-uri-host', `${JSON.stringify(text.slice(pos, close + 1))} is not an IPv6 reference`, pos);
    hostEnd = close + 1;
    uri.hostType = 'ipv6';
  } else {
    hostEnd = pos;
    while (hostEnd < end && CLASSES[text.charCodeAt(hostEnd)] & HOST && text.charCodeAt(hostEnd) < 128) hostEnd++;
    const host = text.slice(pos, hostEnd);
    if (isIPv4(host)) uri.hostType = 'ipv4';
    else if (!isHostname(host)) {
      if (host.length === 0 && text.charCodeAt(pos) === 0x3a /* : */) throw unbracketedIPv6(text, pos);
      throw new UriError('bad-uri-host', host.length === 0 ? `URI ${JSON.stringify(text)} has no host` : `${JSON.stringify(host)} is not a valid host name`, pos);
    }
  }
  uri.host = text.slice(pos, hostEnd);
  pos = hostEnd;
  if (pos < end && text.charCodeAt(pos) === 0x3a /* : */) {
    let portEnd = pos + 1;
    let port = 0;
    while (portEnd < end && text.charCodeAt(portEnd) >= 0x30 && text.charCodeAt(portEnd) <= 0x39) {
      port = port * 10 + text.charCodeAt(portEnd) - 0x30;
      portEnd++;
    }
    if (portEnd === pos + 1 || port > 65535) {
      // the port as written: up to the parameters or headers
      const portText = /^[^;?]*/.exec(text.slice(pos + 1))![0];
      if (portText.includes(':')) throw unbracketedIPv6(text, hostStart);
      throw new UriError('bad-uri-port', `URI ${JSON.stringify(text)} has an invalid port ${JSON.stringify(portText)}`, pos + 1);
    }
    uri.port = port;
    pos = portEnd;
  }
  return pos;
}

function readUriParam(text: string, pos: number, uri: SipUri): number {
  let end = pos;
  let equals = -1;
  for (; end < text.length; end++) {
    const code = text.charCodeAt(end);
    if (code === 0x3b || code === 0x3f) break;
    if (code === 0x3d && equals < 0) equals = end;
  }
  const nameEnd = equals >= 0 ? equals : end;
  if (nameEnd === pos) throw new UriError('bad-uri-param', `URI ${JSON.stringify(text)} has an empty parameter at ${pos}`, pos);
  const badName = badCharIndex(text, pos, nameEnd, PARAM);
  if (badName >= 0) throw new UriError('bad-uri-param', `parameter name in ${JSON.stringify(text)} has ${describeChar(text, badName)} at ${badName}`, badName);
  let value: string | null = null;
  if (nameEnd < end) {
    if (nameEnd + 1 === end) throw new UriError('bad-uri-param', `parameter ${JSON.stringify(text.slice(pos, nameEnd))} has '=' but no value`, nameEnd);
    const badValue = badCharIndex(text, nameEnd + 1, end, PARAM);
    if (badValue >= 0) throw new UriError('bad-uri-param', `parameter value in ${JSON.stringify(text)} has ${describeChar(text, badValue)} at ${badValue}`, badValue);
    value = text.slice(nameEnd + 1, end);
  }
  uri.params[text.slice(pos, nameEnd).toLowerCase()] = value;
  return end;
}

function readUriHeaders(text: string, pos: number, uri: SipUri): number {
  const end = text.length;
  for (;;) {
    let headerEnd = text.indexOf('&', pos);
    if (headerEnd < 0) headerEnd = end;
    const equals = text.indexOf('=', pos);
    if (equals < 0 || equals >= headerEnd || equals === pos) throw new UriError('bad-uri-header', `URI header ${JSON.stringify(text.slice(pos, headerEnd))} is not name=value`, pos);
    const bad = badCharIndex(text, pos, equals, HEADER) >= 0 ? badCharIndex(text, pos, equals, HEADER) : badCharIndex(text, equals + 1, headerEnd, HEADER);
    if (bad >= 0) throw new UriError('bad-uri-header', `URI header in ${JSON.stringify(text)} has ${describeChar(text, bad)} at ${bad}`, bad);
    uri.headers.push({ name: text.slice(pos, equals), value: text.slice(equals + 1, headerEnd) });
    if (headerEnd === end) return end;
    pos = headerEnd + 1;
  }
}

/** RFC 3966 §3: tel:telephone-subscriber *(;par). Number checked loosely (digits, hex, visual separators). */
function parseTelUri(text: string, start: number): SipUri {
  const uri: SipUri = { scheme: 'tel', user: undefined, password: undefined, host: '', hostType: 'none', port: undefined, params: createParams(), headers: [] };
  let end = text.indexOf(';', start);
  if (end < 0) end = text.length;
  if (end === start) throw new UriError('bad-uri-user', `tel URI ${JSON.stringify(text)} has no number`, start);
  const bad = badCharIndex(text, start, end, TEL);
  if (bad >= 0) throw new UriError('bad-uri-user', `tel number in ${JSON.stringify(text)} has ${describeChar(text, bad)} at ${bad}`, bad);
  uri.user = text.slice(start, end);
  let pos = end;
  while (pos < text.length && text.charCodeAt(pos) === 0x3b) pos = readUriParam(text, pos + 1, uri);
  if (pos < text.length) throw new UriError('bad-uri', `tel URI ${JSON.stringify(text)} has ${describeUnexpected(text, pos)} at ${pos}`, pos);
  return uri;
}

export function isIPv4(host: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= host.length; i++) {
    const code = i < host.length ? host.charCodeAt(i) : 0x2e;
    if (code === 0x2e) {
      if (digits === 0 || value > 255) return false;
      parts++;
      digits = 0;
      value = 0;
    } else if (code >= 0x30 && code <= 0x39 && digits < 3) {
      value = value * 10 + code - 0x30;
      digits++;
    } else {
      return false;
    }
  }
  return parts === 4;
}

/** RFC 3261 §25.1 IPv6address (hex groups, at most one '::', optional trailing IPv4). */
export function isIPv6(address: string): boolean {
  if (address.length < 2) return false;
  const doubleColon = address.indexOf('::');
  if (doubleColon >= 0 && address.indexOf('::', doubleColon + 1) >= 0) return false;
  const groups = address.split(':');
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    if (group === '') continue;
    if (i === groups.length - 1 && group.includes('.')) {
      if (!isIPv4(group)) return false;
      count += 2;
      continue;
    }
    if (group.length > 4) return false;
    for (let j = 0; j < group.length; j++) if (!isHex(group.charCodeAt(j))) return false;
    count++;
  }
  if (address.startsWith(':') && !address.startsWith('::')) return false;
  if (address.endsWith(':') && !address.endsWith('::')) return false;
  return doubleColon >= 0 ? count < 8 : count === 8;
}

/** RFC 3261 §25.1 hostname: labels of alphanum and '-', not starting or ending with '-'; the top label starts with a letter; trailing dot allowed. */
export function isHostname(host: string): boolean {
  const end = host.length > 1 && host.charCodeAt(host.length - 1) === 0x2e ? host.length - 1 : host.length;
  if (end === 0) return false;
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    const code = i < end ? host.charCodeAt(i) : 0x2e;
    if (code === 0x2e) {
      if (i === labelStart || host.charCodeAt(labelStart) === 0x2d || host.charCodeAt(i - 1) === 0x2d) return false;
      if (i === end) {
        const top = host.charCodeAt(labelStart) | 0x20;
        return top >= 0x61 && top <= 0x7a;
      }
      labelStart = i + 1;
    } else if (!((code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) || code === 0x2d)) {
      return false;
    }
  }
  return false;
}

/** Decodes %HH escapes (RFC 3261 §19.1.2) as UTF-8; malformed escapes are left as written. */
export function unescapeUri(text: string): string {
  if (text.indexOf('%') < 0) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '%' && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
        bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        for (const byte of Buffer.from(text[i], 'utf8')) bytes.push(byte);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

/** Writes a URI back to text (components are emitted as held, so escapes survive a round trip). */
export function formatUri(uri: SipUri): string {
  let text = uri.scheme + ':';
  if (uri.user !== undefined) {
    text += uri.user;
    if (uri.password !== undefined) text += ':' + uri.password;
    if (uri.scheme !== 'tel') text += '@';
  }
  text += uri.host;
  if (uri.port !== undefined) text += ':' + uri.port;
  for (const name of Object.keys(uri.params)) {
    const value = uri.params[name];
    text += value === null ? ';' + name : ';' + name + '=' + value;
  }
  uri.headers.forEach((header, index) => {
    text += (index === 0 ? '?' : '&') + header.name + '=' + header.value;
  });
  return text;
}

/**
 * host[:port] as SIP writes it (RFC 3261 §25.1 hostport; IPv6reference = "[" IPv6address "]"): an IPv6 address in
 * brackets. The one formatter of an address and port, for URIs, Via sent-by, transport peers and the endpoints of
 * captured packets alike. `host` is a bare address or name (not already bracketed).
 */
export function hostPort(host: string, port?: number | string): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${port}`;
}
