/**
 * WebSocket listeners of `sipscope serve` (SIP over WebSocket, RFC 7118): ws: on HTTP, wss: on HTTPS with the
 * --cert/--key of the tls: listeners. The upgrade must offer the 'sip' subprotocol (§4.1), else it is refused with
 * HTTP 400. Each WebSocket message holds one SIP message (§5.1): it goes to the same intake and core as UDP and
 * TCP, and the answer goes back on its connection as a text frame. Frames over MAX_FRAME_BYTES close the connection
 * (ws answers 1009); at most MAX_CONNECTIONS connections per listener. The --record capture gets a WebSocket
 * connection as its SIP messages over TCP, as a TLS connection is recorded as its cleartext (the HTTP upgrade and
 * the frame headers are left out).
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Origin } from './core.js';
import { ServerError } from './errors.js';
import { describeOrigin, intake } from './intake.js';
import type { ListenContext, Listening, ListenSpec } from './listen-types.js';

const MAX_FRAME_BYTES = 64 * 1024;
const MAX_CONNECTIONS = 1024;

/** RFC 7118 §4.1: the client lists 'sip' in Sec-WebSocket-Protocol. */
function offersSip(request: http.IncomingMessage): boolean {
  const offered = request.headers['sec-websocket-protocol'] ?? '';
  return offered.split(',').some((protocol) => protocol.trim() === 'sip');
}

/** Listens for ws (or wss) on `spec`; returns the closer. */
export async function listenWebSocket(spec: ListenSpec, secure: boolean, context: ListenContext, listening: Listening[]): Promise<() => Promise<void>> {
  if (secure && !context.tls) throw new ServerError('bad-listen', `wss:${spec.address}:${spec.port} needs --cert and --key`);
  const server = secure ? https.createServer({ cert: context.tls!.cert, key: context.tls!.key }) : http.createServer();
  server.maxConnections = MAX_CONNECTIONS;
  // plain HTTP requests (no upgrade) get 426: this port speaks SIP over WebSocket only
  server.on('request', (_request: http.IncomingMessage, response: http.ServerResponse) => {
    response.writeHead(426, { Upgrade: 'websocket', Connection: 'close' }).end();
  });
  server.on('tlsClientError', (error: Error) => context.badInput.line(`WSS TLS handshake failed: ${error.message}`));
  const sockets = new WebSocketServer({
    server,
    maxPayload: MAX_FRAME_BYTES,
    verifyClient: (info: { req: http.IncomingMessage }, callback: (accept: boolean, code?: number, reason?: string) => void) => {
      if (offersSip(info.req)) callback(true);
      else callback(false, 400, "Bad Request (no 'sip' subprotocol, RFC 7118 section 4.1)");
    },
    handleProtocols: () => 'sip',
  });
  sockets.on('connection', (socket: WebSocket, request: http.IncomingMessage) => serveWebSocket(socket, request.socket, secure ? 'wss' : 'ws', context));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new ServerError('listen-failed', `${secure ? 'WSS' : 'WS'} ${spec.address}:${spec.port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
    server.listen(spec.port, spec.address, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  listening.push({ transport: secure ? 'wss' : 'ws', address: spec.address, port });
  return () => new Promise<void>((resolve) => {
    for (const client of sockets.clients) client.terminate();
    sockets.close();
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

function serveWebSocket(socket: WebSocket, connection: net.Socket, transport: 'ws' | 'wss', context: ListenContext): void {
  const local = { address: connection.localAddress ?? '', port: connection.localPort ?? 0 };
  const remote = { address: connection.remoteAddress ?? '', port: connection.remotePort ?? 0 };
  const { recorder } = context;
  recorder?.tcpOpen(remote, local);
  const origin: Origin = {
    transport,
    local,
    remote,
    reliable: true,
    send: (bytes) => {
      if (socket.readyState !== socket.OPEN) return;
      recorder?.tcpData(local, remote, bytes);
      // RFC 7118 §5.1: our SIP messages are UTF-8, sent as text frames
      socket.send(bytes.toString('utf8'));
    },
  };
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    recorder?.tcpData(remote, local, bytes);
    intake(bytes, origin, context.core, context.badInput);
  });
  socket.once('close', () => recorder?.tcpClose(remote, local));
  socket.on('error', (error) => {
    context.badInput.line(`closed ${describeOrigin(origin)}: ${error.message}`);
    socket.terminate();
  });
}
