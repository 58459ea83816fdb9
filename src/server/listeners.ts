/**
 * The sockets of `sipscope serve`: UDP and TCP on each --listen address, TLS on each tls: address (RFC 3261 §18,
 * §26.2), SIP over WebSocket on each ws:/wss: address (ws-listener.ts). A UDP answer goes back to the datagram's
 * source; a stream answer on its connection. Stream bytes are cut into messages by Content-Length (the shared
 * StreamFramer); a connection holding more than
 * MAX_STREAM_BUFFER unframed bytes, or sending bytes that cannot be framed, is closed with a log line. At most
 * MAX_CONNECTIONS connections per listener. Every datagram and stream chunk goes to the recorder when one is set.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { StreamFramer } from '../transport/index.js';
import type { Origin } from './core.js';
import { ServerError } from './errors.js';
import { describeOrigin, intake } from './intake.js';
import type { ListenContext, Listening, ListenSpec } from './listen-types.js';
import { listenWebSocket } from './ws-listener.js';

export type { ListenContext, Listening, ListenSpec } from './listen-types.js';

const MAX_STREAM_BUFFER = 256 * 1024;
const MAX_CONNECTIONS = 1024;

export interface OpenListeners {
  listening: Listening[];
  close(): Promise<void>;
}

export async function openListeners(specs: ListenSpec[], context: ListenContext): Promise<OpenListeners> {
  const closers: (() => Promise<void>)[] = [];
  const listening: Listening[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    for (const spec of specs) {
      if (spec.kind === 'ws' || spec.kind === 'wss') {
        closers.push(await listenWebSocket(spec, spec.kind === 'wss', context, listening));
        continue;
      }
      if (spec.kind === 'tls') {
        if (!context.tls) throw new ServerError('bad-listen', `tls:${spec.address}:${spec.port} needs --cert and --key`);
        const server = tls.createServer({ cert: context.tls.cert, key: context.tls.key });
        closers.push(await listenStream(server, 'tls', spec, context, listening));
        continue;
      }
      closers.push(...(await listenUdpAndTcp(spec, context, listening)));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { listening, close };
}

/** Tries of an ephemeral port (port 0) whose number is free for UDP but taken for TCP. */
const EPHEMERAL_PORT_TRIES = 20;

/**
 * UDP and TCP on one port. With port 0 the UDP socket picks the port and TCP takes the same number, which another
 * TCP socket of the machine may hold already (EADDRINUSE): then both go and another port is tried, a bounded number
 * of times.
 */
export async function listenUdpAndTcp(
  spec: ListenSpec,
  context: ListenContext,
  listening: Listening[],
  listenTcp: typeof listenStream = listenStream,
): Promise<Array<() => Promise<void>>> {
  for (let attempt = 1; ; attempt++) {
    const socket = await bindUdp(spec, context);
    const udpPort = socket.address().port;
    const closeUdp = () => new Promise<void>((resolve) => socket.close(() => resolve()));
    const udpListening: Listening = { transport: 'udp', address: spec.address, port: udpPort };
    try {
      const tcpListening: Listening[] = [];
      const closeTcp = await listenTcp(net.createServer(), 'tcp', { ...spec, port: udpPort }, context, tcpListening);
      listening.push(udpListening, ...tcpListening);
      return [closeUdp, closeTcp];
    } catch (error) {
      await closeUdp();
      const taken = error instanceof ServerError && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
      if (spec.port !== 0 || !taken || attempt >= EPHEMERAL_PORT_TRIES) throw error;
    }
  }
}

async function bindUdp(spec: ListenSpec, context: ListenContext): Promise<dgram.Socket> {
  const socket = dgram.createSocket(net.isIPv6(spec.address) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (error) => reject(new ServerError('listen-failed', `UDP ${spec.address}:${spec.port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
    socket.bind(spec.port, spec.address, () => resolve());
  });
  socket.removeAllListeners('error');
  socket.on('error', (error) => context.badInput.line(`UDP ${spec.address}:${spec.port}: ${error.message}`));
  const local = { address: spec.address, port: socket.address().port };
  try {
    socket.setRecvBufferSize(4 * 1024 * 1024);
  } catch {
    // the kernel's limit stays
  }
  socket.on('message', (datagram, remoteInfo) => {
    const remote = { address: remoteInfo.address, port: remoteInfo.port };
    context.recorder?.udp(remote, local, datagram);
    const origin: Origin = {
      transport: 'udp',
      local,
      remote,
      reliable: false,
      send: (bytes) => {
        context.recorder?.udp(local, remote, bytes);
        socket.send(bytes, remote.port, remote.address);
      },
    };
    intake(datagram, origin, context.core, context.badInput);
  });
  return socket;
}

async function listenStream(server: net.Server, transport: 'tcp' | 'tls', spec: ListenSpec, context: ListenContext, listening: Listening[]): Promise<() => Promise<void>> {
  server.maxConnections = MAX_CONNECTIONS;
  const sockets = new Set<net.Socket>();
  const connectionEvent = transport === 'tls' ? 'secureConnection' : 'connection';
  server.on(connectionEvent, (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, transport, context);
  });
  server.on('tlsClientError', (error: Error) => context.badInput.line(`TLS handshake failed: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new ServerError('listen-failed', `${transport.toUpperCase()} ${spec.address}:${spec.port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, { cause: error })));
    server.listen(spec.port, spec.address, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  listening.push({ transport, address: spec.address, port });
  return () => new Promise<void>((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
}

function serveConnection(socket: net.Socket, transport: 'tcp' | 'tls', context: ListenContext): void {
  socket.setNoDelay(true);
  const local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
  const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
  context.recorder?.tcpOpen(remote, local);
  const framer = new StreamFramer();
  const origin: Origin = {
    transport,
    local,
    remote,
    reliable: true,
    send: (bytes) => {
      if (socket.destroyed) return;
      context.recorder?.tcpData(local, remote, bytes);
      socket.write(bytes);
    },
  };
  socket.on('data', (chunk: Buffer) => {
    context.recorder?.tcpData(remote, local, chunk);
    let messages: Buffer[];
    try {
      messages = framer.push(chunk);
    } catch (error) {
      context.badInput.line(`closed ${describeOrigin(origin)}: ${(error as Error).message}`);
      socket.destroy();
      return;
    }
    for (const message of messages) intake(message, origin, context.core, context.badInput);
    if (framer.pending > MAX_STREAM_BUFFER) {
      context.badInput.line(`closed ${describeOrigin(origin)}: more than ${MAX_STREAM_BUFFER} bytes without a complete message`);
      socket.destroy();
    }
  });
  socket.on('error', () => undefined); // a reset connection ends like a closed one
  socket.once('close', () => context.recorder?.tcpClose(remote, local));
}
