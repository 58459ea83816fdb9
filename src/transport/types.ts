/** What the client layer sees of a transport: send bytes, receive parsed SIP messages, errors, close. */
import type { SipMessage } from '../sip/index.js';
import type { Endpoint, TransportName, TransportTarget } from './endpoint.js';
import type { TransportError } from './errors.js';
import type { HandshakeAnswer, HandshakeToken } from './handshake.js';

export type { Endpoint, TransportName, TransportTarget } from './endpoint.js';
export type { HandshakeAnswer, HandshakeToken } from './handshake.js';

export const TRANSPORT_NAMES: readonly TransportName[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

export interface ConnectOptions {
  /** Extra CA certificate(s) (PEM) trusted for TLS/WSS. */
  ca?: string | Buffer;
  /** Skip TLS certificate verification (off by default: verification is on). */
  insecure?: boolean;
  /** WebSocket resource path (RFC 7118), default '/'. */
  wsPath?: string;
  localAddress?: string;
  localPort?: number;
  /** UDP socket receive buffer (SO_RCVBUF) in bytes, for bursts of responses (load mode); capped by the kernel. */
  receiveBufferBytes?: number;
  /** Limit for establishing TCP/TLS/WS connections. */
  connectTimeoutMs?: number;
  /** ws/wss: a token presented at the handshake. */
  handshakeToken?: HandshakeToken;
}

export interface TransportHandlers {
  message(message: SipMessage, raw: Uint8Array): void;
  /** A fatal transport problem: the transport is unusable afterwards. */
  error(error: TransportError): void;
  /** Bytes that arrived but are not a SIP message (kept for -v; not fatal on datagrams). */
  invalid?(raw: Uint8Array, reason: string): void;
}

export interface SipTransport {
  readonly name: TransportName;
  /** RFC 3261 §17.1.1.2 / §17.1.2.2: retransmit only over unreliable transports. */
  readonly reliable: boolean;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Via sent-protocol transport token (RFC 3261 §18.2.1, RFC 7118 §5.1). */
  readonly viaToken: string;
  /** ws/wss: the HTTP answer to the upgrade. */
  readonly handshake?: HandshakeAnswer;
  setHandlers(handlers: TransportHandlers): void;
  send(bytes: Uint8Array): void;
  /**
   * Closes the transport. A connection is ended gracefully and waited for until `deadline` (Date.now() time), at
   * most a short grace, then taken down; a datagram socket just closes.
   */
  close(deadline?: number): Promise<void>;
}

export function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/** host:port with IPv6 references in brackets: the one formatter of src/sip (RFC 3261 §25.1 hostport). */
export { hostPort } from '../sip/uri.js';
