/**
 * SIP over UDP (RFC 3261 §18): one connected datagram socket per target, so that an ICMP port unreachable
 * comes back as ECONNREFUSED (sipsak-style "remote error") instead of a silent timeout.
 */
import dgram from 'node:dgram';
import { parseMessage } from '../sip/index.js';
import { TransportError, socketError } from './errors.js';
import { familyOf, hostPort, type ConnectOptions, type Endpoint, type SipTransport, type TransportHandlers, type TransportTarget } from './types.js';

export class UdpTransport implements SipTransport {
  readonly name = 'udp' as const;
  readonly reliable = false;
  readonly viaToken = 'UDP';
  private handlers: TransportHandlers | undefined;
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly local: Endpoint,
    readonly remote: Endpoint,
  ) {
    socket.on('message', (datagram) => this.receive(datagram));
    socket.on('error', (error) => this.fail(error));
  }

  static async connect(target: TransportTarget, options: ConnectOptions = {}): Promise<UdpTransport> {
    const socket = dgram.createSocket(target.family === 6 ? 'udp6' : 'udp4');
    const peer = hostPort(target.address, target.port);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: options.localAddress, port: options.localPort ?? 0 }, () => {
          socket.connect(target.port, target.address, () => {
            socket.off('error', reject);
            resolve();
          });
        });
      });
    } catch (error) {
      socket.close();
      throw socketError(error, peer);
    }
    if (options.receiveBufferBytes !== undefined) {
      try {
        socket.setRecvBufferSize(options.receiveBufferBytes);
      } catch {
        // the kernel keeps its own limit (net.core.rmem_max); a smaller buffer only means more retransmissions
      }
    }
    const address = socket.address();
    return new UdpTransport(
      socket,
      { address: address.address, port: address.port, family: familyOf(address.address) },
      { address: target.address, port: target.port, family: target.family },
    );
  }

  setHandlers(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  send(bytes: Uint8Array): void {
    if (this.closed) throw new TransportError('connection-closed', 'UDP socket already closed');
    // one send per datagram; the completion handler is shared (a closure per send showed up in load-mode profiles)
    this.socket.send(bytes, this.afterSend);
  }

  private readonly afterSend = (error: Error | null): void => {
    if (error) this.fail(error);
  };

  private receive(datagram: Buffer): void {
    try {
      // RFC 3261 §18.3: on datagrams, bytes past Content-Length are discarded
      this.handlers?.message(parseMessage(datagram, { datagram: true }), datagram);
    } catch (error) {
      this.handlers?.invalid?.(datagram, error instanceof Error ? error.message : String(error));
    }
  }

  private fail(error: Error): void {
    if (this.closed) return;
    const peer = hostPort(this.remote.address, this.remote.port);
    const code = (error as NodeJS.ErrnoException).code;
    // A connected UDP socket reports ICMP port unreachable as ECONNREFUSED
    const mapped = code === 'ECONNREFUSED'
      ? new TransportError('unreachable', `ICMP port unreachable from ${peer} (nothing listening on UDP)`, { cause: error })
      : socketError(error, peer);
    this.handlers?.error(mapped);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
