/** Errors of the transport layer: each has a stable `code` and says whether the fault is local or remote. */
import { isIP } from 'node:net';
import type { HandshakeAnswer } from './handshake.js';
import type { TransportTarget } from './endpoint.js';

export type TransportErrorCode =
  /** The host name has no usable address (RFC 3263 resolution found nothing). Local. */
  | 'name-not-resolved'
  /** The target URI or options cannot be used (bad port, unknown transport). Local. */
  | 'bad-target'
  /** Local socket problem (bind failed, address in use). Local. */
  | 'local-socket'
  /** ICMP port/host unreachable on a connected UDP socket. Remote. */
  | 'unreachable'
  | 'connection-refused'
  | 'connection-reset'
  /** The peer closed a stream while a transaction was still waiting. Remote. */
  | 'connection-closed'
  /** No connection within the time left (TCP/TLS/WS connect). Remote. */
  | 'timeout'
  /** TLS handshake failure, including certificate verification. Remote. */
  | 'tls-failure'
  /** WebSocket upgrade refused or not speaking the 'sip' subprotocol (RFC 7118 §4). Remote. */
  | 'websocket-failure'
  /** The WebSocket upgrade was answered 401 or 403: the gateway refused the credentials (token) of the handshake. Remote. */
  | 'websocket-rejected'
  /** A stream carried bytes that cannot be framed as SIP (RFC 3261 §18.3). Remote. */
  | 'bad-framing';

const LOCAL_CODES: ReadonlySet<TransportErrorCode> = new Set(['name-not-resolved', 'bad-target', 'local-socket']);

export class TransportError extends Error {
  readonly code: TransportErrorCode;
  /** true when the problem is on the far side or the network (sipsak exit 3), false when it is ours (exit 2). */
  readonly remote: boolean;
  /** WebSocket: the HTTP answer to the upgrade, when one came (a status other than 101). */
  readonly handshake?: HandshakeAnswer;
  /** Where a connection was being opened when it failed (set by connectTransport), so a report can name it. */
  target?: TransportTarget;
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown; handshake?: HandshakeAnswer }) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
    this.remote = !LOCAL_CODES.has(code);
    if (options?.handshake) this.handshake = options.handshake;
  }
}

/**
 * Our own bind failing (the local address or port given) is a local error whatever the errno: EADDRNOTAVAIL for an
 * address not on this host, EINVAL for an address of the other family than the target's (an IPv6 local address for
 * an IPv4 target), EADDRINUSE, EACCES.
 */
function bindError(error: NodeJS.ErrnoException, peer: string, text: string): TransportError {
  const local = (error as { address?: string }).address;
  const peerFamily = peer.startsWith('[') ? 6 : 4;
  const familyMismatch = error.code === 'EINVAL' && local !== undefined && (local.includes(':') ? 6 : 4) !== peerFamily;
  const why = familyMismatch ? ` (${local} is an IPv${peerFamily === 4 ? 6 : 4} address; ${peer} is IPv${peerFamily})` : '';
  return new TransportError('local-socket', `cannot use the local address: ${text}${why}`, { cause: error });
}

interface AltnameMismatch {
  code: 'ERR_TLS_CERT_ALTNAME_INVALID';
  /** The name or address the certificate was checked against. */
  host?: string;
  cert?: { subjectaltname?: string; subject?: { CN?: string } };
}

/**
 * A server certificate that does not name the host or address connected to (RFC 5922 §7.2, RFC 6125 §6): what it
 * names instead. Node's own text ends in the list it compared against, which is empty when the certificate has no IP
 * addresses ("Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: ").
 */
function altnameMismatchText(error: AltnameMismatch): string | undefined {
  const { host, cert } = error;
  if (host === undefined || cert === undefined) return undefined;
  const entries = (cert.subjectaltname ?? '').split(/,\s*/);
  const valuesOf = (prefix: string) => entries.filter((entry) => entry.startsWith(prefix)).map((entry) => entry.slice(prefix.length));
  const dns = valuesOf('DNS:');
  const ips = valuesOf('IP Address:');
  // Node matches a name against the subject CN only when there is no DNS name (RFC 6125 §6.4.4); an address never
  const cn = cert.subject?.CN;
  const dnsText = dns.length > 0 ? `DNS names ${dns.join(', ')}` : `no DNS names${cn ? ` (subject CN ${cn})` : ''}`;
  const ipText = ips.length > 0 ? `IP addresses ${ips.join(', ')}` : 'no IP addresses';
  const held = isIP(host) ? `${ipText} and ${dnsText}` : `${dnsText} and ${ipText}`;
  return `the certificate does not match ${host}: it holds ${held} (${error.code})`;
}

/** Maps a Node socket error to a TransportError naming the peer. */
export function socketError(error: unknown, peer: string, tls = false): TransportError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const text = error instanceof Error ? error.message : String(error);
  if ((error as NodeJS.ErrnoException | undefined)?.syscall === 'bind') return bindError(error as NodeJS.ErrnoException, peer, text);
  switch (code) {
    case 'ECONNREFUSED':
      return new TransportError('connection-refused', `connection refused by ${peer}`, { cause: error });
    case 'ECONNRESET':
    case 'EPIPE':
      return new TransportError('connection-reset', `connection reset by ${peer}`, { cause: error });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new TransportError('unreachable', `${peer} is unreachable (${code})`, { cause: error });
    case 'EADDRINUSE':
    case 'EADDRNOTAVAIL':
    case 'EACCES':
      return new TransportError('local-socket', `cannot use the local address: ${text}`, { cause: error });
    default:
      if (tls || (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|HOSTNAME|ERR_SSL/.test(code))) {
        const mismatch = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? altnameMismatchText(error as AltnameMismatch) : undefined;
        return new TransportError('tls-failure', `TLS with ${peer} failed: ${mismatch ?? text}`, { cause: error });
      }
      return new TransportError('connection-reset', `connection to ${peer} failed: ${text}`, { cause: error });
  }
}
