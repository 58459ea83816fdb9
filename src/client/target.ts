/**
 * The target of a check: a SIP or SIPS URI (RFC 3261 §19.1) given on the command line, cut into what the
 * client needs (scheme, user, host, port, transport parameter). IPv6 references keep their brackets in `hostport`.
 */
import { parseUri, unescapeUri, UriError, type SipUri } from '../sip/index.js';
import { TRANSPORT_NAMES, type TransportName } from '../transport/index.js';

export interface TargetUri {
  scheme: 'sip' | 'sips';
  user?: string;
  /** Host without brackets (IPv6 as bare address). */
  host: string;
  port?: number;
  /** `transport=` URI parameter, when it names one we speak. */
  transport?: TransportName;
  /** The URI as given, less any password (RFC 3261 §19.1.1: never sent, never shown). */
  text: string;
}

export class TargetError extends Error {
  readonly code = 'bad-argument';
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

export function parseTargetUri(text: string, what = 'SIP-URI'): TargetUri {
  const trimmed = text.trim().replace(/^<(.*)>$/, '$1');
  const shown = withoutPassword(text);
  let uri: SipUri;
  try {
    uri = parseUri(trimmed);
  } catch (error) {
    // the parser's message quotes the URI; when it held a password, give only the code
    const message = shown === text ? String((error as Error).message) : String((error as { code?: string }).code ?? 'bad URI');
    const detail = error instanceof UriError ? `${message} (at character ${error.offset})` : message;
    throw new TargetError(`${what} "${shown}" is not usable: ${detail}`);
  }
  if (uri.scheme === 'tel' || uri.hostType === 'none') throw new TargetError(`${what} "${shown}" is not a sip: or sips: URI (e.g. sip:alice@example.com:5060)`);
  const host = uri.hostType === 'ipv6' ? uri.host.slice(1, -1) : uri.host;
  const target: TargetUri = { scheme: uri.scheme, host, text: withoutPassword(trimmed) };
  // RFC 3261 §19.1.1: a password in the URI is deprecated; we take the user and never the password
  if (uri.user !== undefined) target.user = unescapeUri(uri.user);
  if (uri.port !== undefined) {
    if (uri.port < 1 || uri.port > 65535) throw new TargetError(`${what} "${shown}": port ${uri.port} is not in 1..65535`);
    target.port = uri.port;
  }
  const transportParam = uri.params.transport?.toLowerCase();
  if (transportParam !== undefined) {
    if (!(TRANSPORT_NAMES as readonly string[]).includes(transportParam)) {
      throw new TargetError(`${what} "${shown}": transport=${transportParam} is not one of ${TRANSPORT_NAMES.join(', ')}`);
    }
    target.transport = transportParam as TransportName;
  }
  return target;
}

/** The URI text with a `user:password@` password removed (RFC 3261 §19.1.1 advises against passwords in URIs). */
export function withoutPassword(text: string): string {
  return text.replace(/^(\s*<?sips?:[^:@;?]+):[^@;?]*@/i, '$1@');
}
