/**
 * SIP over WebSocket (RFC 7118): subprotocol 'sip' (§4.1), one SIP message per WebSocket message (§5.1),
 * Via transport WS / WSS. Certificate verification for wss is on unless `insecure`.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { closeWithin, ConnectionTransport } from './connection.js';
import { TransportError, socketError } from './errors.js';
import { familyOf, hostPort, type ConnectOptions, type Endpoint, type HandshakeAnswer, type HandshakeToken, type TransportTarget } from './types.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The upgrade request's URL with the token (as a query parameter), and the same URL as it may be shown. */
export function handshakeUrl(base: string, token: HandshakeToken | undefined): { url: string; shown: string } {
  if (token?.placement !== 'query') return { url: base, shown: base };
  const join = base.includes('?') ? '&' : '?';
  const name = encodeURIComponent(token.name);
  return { url: `${base}${join}${name}=${encodeURIComponent(token.value)}`, shown: `${base}${join}${name}=[token redacted]` };
}

/** Request headers carrying the token; `Authorization` gets the RFC 6750 §2.1 `Bearer` scheme. */
export function handshakeHeaders(token: HandshakeToken | undefined): Record<string, string> {
  if (token?.placement !== 'header') return {};
  const value = token.name.toLowerCase() === 'authorization' && !/^bearer\s/i.test(token.value) ? `Bearer ${token.value}` : token.value;
  return { [token.name]: value };
}

/** 401 and 403 answers refuse the credentials of the handshake (RFC 6750 §3.1 invalid_token / insufficient_scope). */
const REJECTING_STATUSES: ReadonlySet<number> = new Set([401, 403]);

export class WebSocketTransport extends ConnectionTransport {
  private constructor(
    name: 'ws' | 'wss',
    private readonly socket: WebSocket,
    local: Endpoint,
    remote: Endpoint,
    readonly handshake: HandshakeAnswer,
  ) {
    super(name, local, remote);
    socket.on('message', (data: WebSocket.RawData) => this.receive(data));
    socket.on('error', (error) => this.fail(socketError(error, this.peer)));
    socket.on('close', () => {
      if (!this.closing) this.fail(new TransportError('connection-closed', `${this.peer} closed the WebSocket`));
    });
  }

  static async connect(target: TransportTarget, options: ConnectOptions = {}): Promise<WebSocketTransport> {
    const secure = target.transport === 'wss';
    const host = target.hostname && net.isIP(target.hostname) === 0 ? target.hostname : target.address;
    const path = options.wsPath ?? '/';
    // `url` may carry the token: only `shown` goes into messages
    const { url, shown } = handshakeUrl(`${secure ? 'wss' : 'ws'}://${hostPort(host, target.port)}${path.startsWith('/') ? path : `/${path}`}`, options.handshakeToken);
    const peer = hostPort(target.address, target.port);
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    let local: Endpoint = { address: '', port: 0, family: target.family };
    let answer: HandshakeAnswer = { status: 101, reason: 'Switching Protocols' };
    const socket = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, 'sip', {
        // connect to the resolved address while keeping the name for Host and SNI
        lookup: (_hostname: string, _options: unknown, callback: (error: Error | null, address: string, family: number) => void) =>
          callback(null, target.address, target.family),
        ca: options.ca,
        rejectUnauthorized: !options.insecure,
        servername: net.isIP(host) === 0 ? host : undefined,
        localAddress: options.localAddress,
        handshakeTimeout: timeoutMs,
        headers: handshakeHeaders(options.handshakeToken),
      } as WebSocket.ClientOptions);
      let tcpUp = false;
      ws.once('upgrade', (response) => {
        tcpUp = true;
        answer = { status: response.statusCode ?? 101, reason: response.statusMessage ?? 'Switching Protocols' };
        const address = response.socket.localAddress ?? '';
        local = { address, port: response.socket.localPort ?? 0, family: familyOf(address) };
      });
      ws.once('unexpected-response', (request, response) => {
        const handshake = { status: response.statusCode ?? 0, reason: response.statusMessage ?? '' };
        // ws leaves the connection to us once we listen for this event
        request.destroy();
        ws.terminate();
        const code = REJECTING_STATUSES.has(handshake.status) ? 'websocket-rejected' : 'websocket-failure';
        reject(new TransportError(code, `${shown} answered the WebSocket upgrade with HTTP ${handshake.status} ${handshake.reason}`.trimEnd(), { handshake }));
      });
      ws.once('error', (error) => {
        const { code, syscall } = error as NodeJS.ErrnoException;
        // refused, reset, or our own bind of --local-ip failing (a local error)
        if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || syscall === 'bind') reject(socketError(error, peer));
        else if (secure && !tcpUp && /CERT|SELF_SIGNED|UNABLE_TO|ERR_SSL|HOSTNAME|ERR_TLS/.test(String(code))) reject(socketError(error, peer, true));
        // ws says "Opening handshake has timed out" (handshakeTimeout): no answer to the upgrade in time
        else if (/time(?:d )?out/i.test(error.message)) reject(new TransportError('timeout', `no WebSocket connection to ${shown} within ${timeoutMs} ms`, { cause: error }));
        else reject(new TransportError(secure ? 'tls-failure' : 'websocket-failure', `WebSocket ${shown} failed: ${error.message}`, { cause: error }));
      });
      ws.once('open', () => {
        ws.removeAllListeners('error');
        if (ws.protocol !== 'sip') {
          ws.terminate();
          reject(new TransportError('websocket-failure', `${shown} did not accept the 'sip' subprotocol (RFC 7118 §4.1)`));
          return;
        }
        resolve(ws);
      });
    });
    return new WebSocketTransport(secure ? 'wss' : 'ws', socket, local, {
      address: target.address,
      port: target.port,
      family: target.family,
    }, answer);
  }

  send(bytes: Uint8Array): void {
    if (this.closing || this.failed || this.socket.readyState !== WebSocket.OPEN) {
      throw new TransportError('connection-closed', `the WebSocket to ${this.peer} is closed`);
    }
    // RFC 7118 §5.1: SIP messages go as text frames when they are UTF-8, which ours are
    this.socket.send(Buffer.from(bytes).toString('utf8'));
  }

  private receive(data: WebSocket.RawData): void {
    const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    // RFC 7118 §5.1: each WebSocket message holds exactly one SIP message
    this.deliver(raw, { datagram: true });
  }

  async close(deadline?: number): Promise<void> {
    if (!this.beginClose(this.socket.readyState === WebSocket.CLOSED)) return;
    await closeWithin(this.socket, () => this.socket.close(1000), () => this.socket.terminate(), deadline);
  }
}
