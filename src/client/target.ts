/**
 * The target of a check: a SIP or SIPS URI (RFC 3261 §19.1) given on the command line, cut into what the
 * client needs (scheme, user, host, port, transport parameter). IPv6 references keep their brackets in `hostport`.
 */
import { TRANSPORT_NAMES, type TransportName } from '../transport/index.js';

export interface TargetUri {
  scheme: 'sip' | 'sips';
  user?: string;
  /** Host without brackets (IPv6 as bare address). */
  host: string;
  port?: number;
  /** `transport=` URI parameter, when it names one we speak. */
  transport?: TransportName;
  /** The URI as given. */
  text: string;
}

export class TargetError extends Error {
  readonly code = 'bad-argument';
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

const URI_PATTERN = /^(sips?):(?:([^@;?]+)@)?(\[[0-9A-Fa-f:.]+\]|[^:;?\[\]]+)(?::(\d+))?((?:;[^?]*)?)(\?.*)?$/i;

export function parseTargetUri(text: string, what = 'SIP-URI'): TargetUri {
  const trimmed = text.trim().replace(/^<(.*)>$/, '$1');
  const match = URI_PATTERN.exec(trimmed);
  if (!match) throw new TargetError(`${what} "${text}" is not a sip: or sips: URI (e.g. sip:alice@example.com:5060)`);
  const [, scheme, userinfo, rawHost, rawPort, params] = match;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const target: TargetUri = { scheme: scheme.toLowerCase() as 'sip' | 'sips', host, text: trimmed };
  // RFC 3261 §19.1.1: user:password@ is deprecated; we take the user and never the password
  if (userinfo) target.user = decodeURIComponent(userinfo.split(':')[0]);
  if (rawPort !== undefined) {
    const port = Number(rawPort);
    if (port < 1 || port > 65535) throw new TargetError(`${what} "${text}": port ${rawPort} is not in 1..65535`);
    target.port = port;
  }
  const transportParam = /;transport=([^;]+)/i.exec(params ?? '')?.[1]?.toLowerCase();
  if (transportParam !== undefined) {
    if (!(TRANSPORT_NAMES as readonly string[]).includes(transportParam)) {
      throw new TargetError(`${what} "${text}": transport=${transportParam} is not one of ${TRANSPORT_NAMES.join(', ')}`);
    }
    target.transport = transportParam as TransportName;
  }
  return target;
}

/** host[:port] as written in a URI: IPv6 in brackets (RFC 3261 §25.1). */
export function uriHostPort(host: string, port?: number): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? shown : `${shown}:${port}`;
}
