/**
 * What the connection-oriented transports (TCP/TLS and WebSocket) share: one connection per target, reliable
 * (RFC 3261 §17.1.1.2: no retransmission), handlers set by the transaction layer, the first failure reported once,
 * and a close that waits briefly for the peer before forcing the connection down.
 */
import { parseMessage, type ParseOptions } from '../sip/index.js';
import type { TransportError } from './errors.js';
import { hostPort, type Endpoint, type SipTransport, type TransportHandlers, type TransportName } from './types.js';

/** How long close() waits at most for the peer to close the connection before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

export abstract class ConnectionTransport implements SipTransport {
  readonly reliable = true;
  readonly viaToken: string;
  protected handlers: TransportHandlers | undefined;
  protected closing = false;
  protected failed = false;

  protected constructor(
    readonly name: TransportName,
    readonly local: Endpoint,
    readonly remote: Endpoint,
  ) {
    this.viaToken = name.toUpperCase();
  }

  protected get peer(): string {
    return hostPort(this.remote.address, this.remote.port);
  }

  setHandlers(handlers: TransportHandlers): void {
    this.handlers = handlers;
  }

  abstract send(bytes: Uint8Array): void;
  abstract close(deadline?: number): Promise<void>;

  /** Reports the first failure only, and none once we are closing the connection ourselves. */
  protected fail(error: TransportError): void {
    if (this.failed || this.closing) return;
    this.failed = true;
    this.handlers?.error(error);
  }

  /** Hands one framed message to the handlers; bytes that do not parse go to `invalid`. */
  protected deliver(raw: Buffer, options?: ParseOptions): void {
    try {
      this.handlers?.message(parseMessage(raw, options), raw);
    } catch (error) {
      this.handlers?.invalid?.(raw, error instanceof Error ? error.message : String(error));
    }
  }

  /** Marks the connection as closing; true when close() still has to take the connection down. */
  protected beginClose(alreadyClosed: boolean): boolean {
    if (this.closing) return false;
    this.closing = true;
    return !alreadyClosed;
  }
}

/**
 * Ends a connection gracefully, forcing it down when it has not closed within the grace period, or at `deadline`
 * (Date.now() time) when that comes first: a check's limit bounds its close too, and a peer that sits on an open
 * connection (reads nothing, never closes its end) would otherwise hold every run up by the whole grace.
 */
export function closeWithin(
  connection: { once(event: 'close', listener: () => void): unknown },
  end: () => void,
  force: () => void,
  deadline?: number,
): Promise<void> {
  const graceMs = Math.max(0, Math.min(CLOSE_GRACE_MS, (deadline ?? Infinity) - Date.now()));
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      force();
      resolve();
    }, graceMs);
    connection.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    end();
  });
}
