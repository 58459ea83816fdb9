/** Transport layer: resolve a target (RFC 3263) and open a UDP, TCP, TLS or WebSocket transport to it. */
import { TransportError } from './errors.js';
import { StreamTransport } from './tcp.js';
import type { ConnectOptions, SipTransport, TransportTarget } from './types.js';
import { UdpTransport } from './udp.js';

export * from './errors.js';
export * from './types.js';
export * from './resolve.js';
export { StreamFramer } from './stream-framer.js';

/** Opens a transport to `target`; a TransportError it fails with carries `target`. */
export async function connectTransport(target: TransportTarget, options: ConnectOptions = {}): Promise<SipTransport> {
  try {
    return await openTransport(target, options);
  } catch (error) {
    if (error instanceof TransportError) error.target ??= target;
    throw error;
  }
}

async function openTransport(target: TransportTarget, options: ConnectOptions): Promise<SipTransport> {
  switch (target.transport) {
    case 'udp': return UdpTransport.connect(target, options);
    case 'tcp':
    case 'tls': return StreamTransport.connect(target, options);
    case 'ws':
    // the ws package is loaded only when a WebSocket is wanted (it costs start-up time of every check)
    case 'wss': return (await import('./websocket.js')).WebSocketTransport.connect(target, options);
  }
}
