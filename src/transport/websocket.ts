/**
 * SIP over WebSocket (RFC 7118): subprotocol 'sip' (§4.1), one SIP message per WebSocket message (§5.1),
 * Via transport WS / WSS. Certificate verification for wss is on unless `insecure`.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { closeWithin, ConnectionTransport } from './connection.js';
import { TransportError, socketError } from './errors.js';
import { familyOf, hostPort, type ConnectOptions, type Endpoint, type TransportTarget } from './types.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export class WebSocketTransport extends ConnectionTransport {
  private constructor(
    name: 'ws' | 'wss',
    private readonly socket: WebSocket,
    local: Endpoint,
    remote: Endpoint,
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
    const url = `${secure ? 'wss' : 'ws'}://${hostPort(host, target.port)}${path.startsWith('/') ? path : `/${path}`}`;
    const peer = hostPort(target.address, target.port);
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    let local: Endpoint = { address: '', port: 0, family: target.family };
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
      } as WebSocket.ClientOptions);
      let tcpUp = false;
      ws.once('upgrade', (response) => {
        tcpUp = true;
        const address = response.socket.localAddress ?? '';
        local = { address, port: response.socket.localPort ?? 0, family: familyOf(address) };
      });
      ws.once('unexpected-response', (_request, response) => {
        ws.terminate();
        reject(new TransportError('websocket-failure', `${url} answered the WebSocket upgrade with HTTP ${response.statusCode}`));
      });
      ws.once('error', (error) => {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ECONNREFUSED' || code === 'ECONNRESET') reject(socketError(error, peer));
        else if (secure && !tcpUp && /CERT|SELF_SIGNED|UNABLE_TO|ERR_SSL|HOSTNAME|ERR_TLS/.test(String(code))) reject(socketError(error, peer, true));
        else if (/timeout/i.test(error.message)) reject(new TransportError('timeout', `no WebSocket connection to ${url} within ${timeoutMs} ms`, { cause: error }));
        else reject(new TransportError(secure ? 'tls-failure' : 'websocket-failure', `WebSocket ${url} failed: ${error.message}`, { cause: error }));
      });
      ws.once('open', () => {
        ws.removeAllListeners('error');
        if (ws.protocol !== 'sip') {
          ws.terminate();
          reject(new TransportError('websocket-failure', `${url} did not accept the 'sip' subprotocol (RFC 7118 §4.1)`));
          return;
        }
        resolve(ws);
      });
    });
    return new WebSocketTransport(secure ? 'wss' : 'ws', socket, local, {
      address: target.address,
      port: target.port,
      family: target.family,
    });
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

  async close(): Promise<void> {
    if (!this.beginClose(this.socket.readyState === WebSocket.CLOSED)) return;
    await closeWithin(this.socket, () => this.socket.close(1000), () => this.socket.terminate());
  }
}
