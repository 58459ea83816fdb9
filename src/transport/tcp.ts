/**
 * SIP over TCP and TLS (RFC 3261 §18, §26.2): one connection per target, reused for every transaction of a
 * check (the challenge round goes over the same connection). Messages are cut by Content-Length.
 * TLS verifies the server certificate by default; `insecure` turns that off, `ca` adds trusted roots.
 */
import net from 'node:net';
import { closeWithin, ConnectionTransport } from './connection.js';
import { TransportError, socketError } from './errors.js';
import { StreamFramer } from './stream-framer.js';
import { familyOf, hostPort, type ConnectOptions, type Endpoint, type TransportTarget } from './types.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export class StreamTransport extends ConnectionTransport {
  private readonly framer = new StreamFramer();

  private constructor(
    name: 'tcp' | 'tls',
    private readonly socket: net.Socket,
    local: Endpoint,
    remote: Endpoint,
  ) {
    super(name, local, remote);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.fail(socketError(error, this.peer)));
    socket.on('close', () => {
      if (!this.closing) this.fail(new TransportError('connection-closed', `${this.peer} closed the ${name.toUpperCase()} connection`));
    });
  }

  static async connect(target: TransportTarget, options: ConnectOptions = {}): Promise<StreamTransport> {
    const useTls = target.transport === 'tls';
    const peer = hostPort(target.address, target.port);
    // node:tls loaded only for TLS: it costs start-up time of every UDP and TCP check (issue 14)
    const tls = useTls ? (await import('node:tls')).default : undefined;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const common = { host: target.address, port: target.port, localAddress: options.localAddress, localPort: options.localPort };
      const connectEvent = useTls ? 'secureConnect' : 'connect';
      const connection: net.Socket = tls
        ? tls.connect({
            ...common,
            // SNI only for names (RFC 6066 §3 forbids literal IP addresses)
            servername: target.hostname && net.isIP(target.hostname) === 0 ? target.hostname : undefined,
            ca: options.ca,
            rejectUnauthorized: !options.insecure,
          })
        : net.connect(common);
      const timer = setTimeout(() => {
        connection.destroy();
        reject(new TransportError('timeout', `no ${useTls ? 'TLS' : 'TCP'} connection to ${peer} within ${options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS} ms`));
      }, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
      let tcpUp = false;
      connection.once('connect', () => { tcpUp = true; });
      connection.once('error', (error) => {
        clearTimeout(timer);
        connection.destroy();
        // once TCP is up, any failure before secureConnect is the TLS handshake (certificate, protocol)
        reject(socketError(error, peer, useTls && tcpUp));
      });
      connection.once(connectEvent, () => {
        clearTimeout(timer);
        connection.removeAllListeners('error');
        resolve(connection);
      });
    });
    socket.setNoDelay(true);
    const localAddress = socket.localAddress ?? '';
    return new StreamTransport(
      useTls ? 'tls' : 'tcp',
      socket,
      { address: localAddress, port: socket.localPort ?? 0, family: familyOf(localAddress) },
      { address: target.address, port: target.port, family: target.family },
    );
  }

  send(bytes: Uint8Array): void {
    if (this.closing || this.failed || this.socket.destroyed) {
      throw new TransportError('connection-closed', `the connection to ${this.peer} is closed`);
    }
    this.socket.write(bytes);
  }

  private receive(chunk: Buffer): void {
    let messages: Buffer[];
    try {
      messages = this.framer.push(chunk);
    } catch (error) {
      this.fail(error as TransportError);
      this.socket.destroy();
      return;
    }
    for (const raw of messages) this.deliver(raw);
  }

  async close(deadline?: number): Promise<void> {
    if (!this.beginClose(this.socket.destroyed)) return;
    await closeWithin(this.socket, () => this.socket.end(), () => this.socket.destroy(), deadline);
  }
}
