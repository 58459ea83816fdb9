import { DigestError } from './errors.js';
import { parseAuthElements } from './params.js';

/** Digest credentials from an Authorization / Proxy-Authorization header (RFC 3261 §22.2, RFC 7616 §3.4). */
export interface DigestCredentials {
  /** username, or the decoded `username*` (RFC 7616 §3.4.4), or the hash when `userhash` is true. */
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  /** The response digest, lowercase hex as sent. */
  response: string;
  /** Algorithm token as sent; undefined when absent (then MD5, RFC 2617 §3.2.2). */
  algorithm?: string;
  cnonce?: string;
  /** nc as sent (8 hex digits, RFC 7616 §3.4). */
  nc?: string;
  qop?: string;
  opaque?: string;
  userhash: boolean;
  /** Every parameter, lowercase name -> unescaped value. */
  params: Record<string, string>;
}

/** RFC 5987 ext-value: charset'lang'percent-encoded (used by username*, RFC 7616 §3.4.4). */
function decodeExtValue(extValue: string, header: string): string {
  const match = /^([^']*)'[^']*'(.*)$/.exec(extValue);
  if (match === null || match[1]!.toLowerCase() !== 'utf-8') {
    throw new DigestError('digest-syntax', `${header}: username* is not a UTF-8 ext-value: "${extValue}"`, header);
  }
  try {
    return decodeURIComponent(match[2]!);
  } catch {
    throw new DigestError('digest-syntax', `${header}: username* has a bad percent-encoding: "${extValue}"`, header);
  }
}

/**
 * Parse one Authorization / Proxy-Authorization header value. Throws DigestError: 'digest-not-digest' for another
 * scheme, 'digest-syntax' / 'digest-duplicate-param' for malformed text, 'digest-missing-param' when username,
 * realm, nonce, uri or response is absent (RFC 3261 §25.1 dig-resp).
 */
export function parseAuthorization(value: string, header = 'authorization'): DigestCredentials {
  const elements = parseAuthElements(value, header);
  const element = elements[0];
  if (element === undefined || element.scheme.toLowerCase() !== 'digest') {
    throw new DigestError('digest-not-digest', `${header}: scheme is "${element?.scheme ?? ''}", not Digest`, header, element?.offset ?? 0);
  }
  if (elements.length > 1) {
    throw new DigestError('digest-syntax', `${header}: more than one credentials element in one header value`, header, elements[1]!.offset);
  }
  const params: Record<string, string> = {};
  for (const [name, param] of element.params) params[name] = param.value;
  if (params.username === undefined && params['username*'] !== undefined) {
    params.username = decodeExtValue(params['username*'], header);
  }
  for (const required of ['username', 'realm', 'nonce', 'uri', 'response'] as const) {
    if (params[required] === undefined) {
      throw new DigestError('digest-missing-param', `${header}: Digest credentials without "${required}"`, header, element.offset);
    }
  }
  const credentials: DigestCredentials = {
    username: params.username!,
    realm: params.realm!,
    nonce: params.nonce!,
    uri: params.uri!,
    response: params.response!,
    userhash: (params.userhash ?? '').toLowerCase() === 'true',
    params,
  };
  for (const optional of ['algorithm', 'cnonce', 'nc', 'qop', 'opaque'] as const) {
    if (params[optional] !== undefined) credentials[optional] = params[optional];
  }
  return credentials;
}

/** A quoted-string with `"` and `\` escaped as quoted-pairs (RFC 3261 §25.1). */
export function quoteString(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}
