/**
 * TLS and WebSocket transports against servers started here on 127.0.0.1: TLS certificate verification on by
 * default (a self-signed CA is refused, accepted with `ca`, or with `insecure`), SIP over WS/WSS with the 'sip'
 * subprotocol and one SIP message per WebSocket message (RFC 7118 §4.1, §5.1).
 */
import { rmSync } from 'node:fs';
import tls from 'node:tls';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { runOptions } from '../../src/client/options.js';
import { parseMessage, type SipRequest } from '../../src/sip/index.js';
import { StreamFramer } from '../../src/transport/stream-framer.js';
import { buildResponse } from '../client/sip-peer.js';
import { makeTestCertificates, type TestCertificates } from './certs.js';

const TLS_PORT = 45210;
const WS_PORT = 45220;
const WSS_PORT = 45221;
const WS_NO_SIP_PORT = 45222;

let certs: TestCertificates;
let tlsServer: tls.Server;
let httpsServer: https.Server;
const wsServers: WebSocketServer[] = [];
const wsFrames: string[] = [];
const tlsRequests: SipRequest[] = [];

function answerOverWs(socket: WebSocket): void {
  socket.on('message', (data) => {
    const text = data.toString();
    wsFrames.push(text);
    const request = parseMessage(text) as SipRequest;
    // two responses, two WebSocket messages
    socket.send(buildResponse(request, { status: 100, reason: 'Trying' }));
    socket.send(buildResponse(request, { status: 200, reason: 'OK' }));
  });
}

beforeAll(async () => {
  certs = makeTestCertificates();
  tlsServer = tls.createServer({ key: certs.key, cert: certs.cert }, (socket) => {
    const framer = new StreamFramer();
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      for (const raw of framer.push(chunk)) {
        const request = parseMessage(raw) as SipRequest;
        tlsRequests.push(request);
        socket.write(buildResponse(request, { status: 200, reason: 'OK' }));
      }
    });
  });
  await new Promise<void>((resolve) => tlsServer.listen(TLS_PORT, '127.0.0.1', () => resolve()));
  const sipOnly = (protocols: Set<string>) => (protocols.has('sip') ? 'sip' : false);
  const ws = new WebSocketServer({ port: WS_PORT, host: '127.0.0.1', handleProtocols: sipOnly });
  const wsListening = new Promise((resolve) => ws.once('listening', resolve));
  ws.on('connection', answerOverWs);
  httpsServer = https.createServer({ key: certs.key, cert: certs.cert });
  const wss = new WebSocketServer({ server: httpsServer, handleProtocols: sipOnly });
  wss.on('connection', answerOverWs);
  await new Promise<void>((resolve) => httpsServer.listen(WSS_PORT, '127.0.0.1', () => resolve()));
  const noSip = new WebSocketServer({ port: WS_NO_SIP_PORT, host: '127.0.0.1', handleProtocols: () => false });
  const noSipListening = new Promise((resolve) => noSip.once('listening', resolve));
  noSip.on('connection', answerOverWs);
  wsServers.push(ws, wss, noSip);
  await Promise.all([wsListening, noSipListening]);
});

afterAll(async () => {
  for (const server of wsServers) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
  await new Promise((resolve) => httpsServer?.close(resolve));
  await new Promise((resolve) => tlsServer?.close(resolve));
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

const options = (uri: string, extra: Record<string, unknown> = {}) => ({ uri, timeoutMs: 3000, ...extra });

describe('TLS', () => {
  test('a self-signed CA is refused by default: remote error "tls-failure"', async () => {
    const result = await runOptions(options(`sip:127.0.0.1:${TLS_PORT}`, { transport: 'tls' }));
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({ code: 'tls-failure', remote: true });
    expect(result.error!.message).toMatch(/certificate/i);
  });

  test('accepted with the CA given (ca), over the same connection; Via says TLS', async () => {
    const before = tlsRequests.length;
    const result = await runOptions(options(`sip:127.0.0.1:${TLS_PORT}`, { transport: 'tls', ca: certs.ca }));
    expect(result).toMatchObject({ ok: true, status: 200, target: { transport: 'tls', port: TLS_PORT } });
    expect(tlsRequests.length).toBe(before + 1);
    expect(tlsRequests.at(-1)!.headers.find((field) => field.name === 'via')!.value).toMatch(/^SIP\/2\.0\/TLS /);
  });

  test('accepted with insecure (verification off)', async () => {
    const result = await runOptions(options(`sip:127.0.0.1:${TLS_PORT}`, { transport: 'tls', insecure: true }));
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  test('sips: URI means TLS without --transport', async () => {
    const result = await runOptions(options(`sips:127.0.0.1:${TLS_PORT}`, { ca: certs.ca }));
    expect(result).toMatchObject({ ok: true, target: { transport: 'tls' } });
  });
});

describe('WebSocket (RFC 7118)', () => {
  test('ws: one SIP message per WebSocket message in both directions; 100 then 200 read as two messages', async () => {
    const before = wsFrames.length;
    const result = await runOptions(options(`sip:127.0.0.1:${WS_PORT}`, { transport: 'ws' }));
    expect(result).toMatchObject({ ok: true, status: 200, target: { transport: 'ws' } });
    expect(result.transactions[0].provisional).toEqual([100]);
    expect(wsFrames.length).toBe(before + 1);
    const frame = wsFrames.at(-1)!;
    expect(frame).toMatch(/^OPTIONS sip:127\.0\.0\.1:45220 SIP\/2\.0\r\n/);
    expect(frame).toMatch(/\r\nVia: SIP\/2\.0\/WS /);
    expect(frame).toMatch(/;transport=ws>/);
    expect(frame.endsWith('\r\n\r\n')).toBe(true);
  });

  test('wss: verified with the CA, refused without it', async () => {
    expect(await runOptions(options(`sip:127.0.0.1:${WSS_PORT}`, { transport: 'wss', ca: certs.ca }))).toMatchObject({ ok: true, status: 200 });
    const refused = await runOptions(options(`sip:127.0.0.1:${WSS_PORT}`, { transport: 'wss' }));
    expect(refused.error).toMatchObject({ code: 'tls-failure', remote: true });
  });

  test('a server that does not accept the "sip" subprotocol is a websocket-failure', async () => {
    const result = await runOptions(options(`sip:127.0.0.1:${WS_NO_SIP_PORT}`, { transport: 'ws' }));
    expect(result.error).toMatchObject({ code: 'websocket-failure', remote: true });
  });

  test('nothing listening: connection-refused', async () => {
    const result = await runOptions(options('sip:127.0.0.1:45298', { transport: 'ws' }));
    expect(result.error).toMatchObject({ code: 'connection-refused' });
  });
});
