/**
 * Failures a check must report as remote errors, quickly: ICMP port unreachable on UDP (IPv4 and IPv6), TCP
 * connection refused, connection reset by the peer, a peer closing the stream mid-transaction, and a peer that
 * accepts the connection but never answers the TLS or WebSocket handshake (a timeout over every transport).
 */
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { connectTransport, TransportError, type SipTransport } from '../../src/transport/index.js';

const NOTHING_LISTENS = 45299;
let transport: SipTransport | undefined;
let server: net.Server | undefined;

afterEach(async () => {
  await transport?.close();
  transport = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function nextError(target: SipTransport): Promise<TransportError> {
  return new Promise((resolve) => target.setHandlers({ message: () => {}, error: resolve }));
}

const request = Buffer.from('OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n');

describe('UDP', () => {
  test.each([
    ['127.0.0.1', 4],
    ['::1', 6],
  ] as const)('nothing listening on %s: ICMP port unreachable -> "unreachable" within a second', async (address, family) => {
    transport = await connectTransport({ transport: 'udp', address, port: NOTHING_LISTENS, family });
    const failure = nextError(transport);
    const started = Date.now();
    transport.send(request);
    const error = await failure;
    expect(error.code).toBe('unreachable');
    expect(error.remote).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('TCP', () => {
  test.each([
    ['127.0.0.1', 4],
    ['::1', 6],
  ] as const)('nothing listening on %s: "connection-refused"', async (address, family) => {
    const error = await connectTransport({ transport: 'tcp', address, port: NOTHING_LISTENS, family }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('connection-refused');
    expect((error as TransportError).remote).toBe(true);
  });

  test('the peer resets the connection after the request: "connection-reset"', async () => {
    server = net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => server!.listen(45201, '127.0.0.1', () => resolve()));
    transport = await connectTransport({ transport: 'tcp', address: '127.0.0.1', port: 45201, family: 4 });
    const failure = nextError(transport);
    transport.send(request);
    expect((await failure).code).toBe('connection-reset');
  });

  test('the peer closes the connection: "connection-closed"', async () => {
    server = net.createServer((socket) => socket.once('data', () => socket.end()));
    await new Promise<void>((resolve) => server!.listen(45202, '127.0.0.1', () => resolve()));
    transport = await connectTransport({ transport: 'tcp', address: '127.0.0.1', port: 45202, family: 4 });
    const failure = nextError(transport);
    transport.send(request);
    expect((await failure).code).toBe('connection-closed');
  });
});

describe('a peer that accepts the connection and says nothing', () => {
  test.each(['tls', 'ws', 'wss'] as const)('%s: "timeout" once the connect limit is over (ws/wss were websocket-failure / tls-failure)', async (name) => {
    // reads and drops what comes, so that our close ends its side too (the server's close waits for it)
    server = net.createServer((socket) => socket.on('error', () => undefined).resume());
    await new Promise<void>((resolve) => server!.listen(45203, '127.0.0.1', () => resolve()));
    const started = Date.now();
    const error = await connectTransport({ transport: name, address: '127.0.0.1', port: 45203, family: 4 }, { connectTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'timeout', remote: true });
    expect((error as Error).message).toMatch(/within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
