/**
 * `sipscope serve` with ws: and wss: listeners (SIP over WebSocket, RFC 7118): sipscope's client registers and
 * calls over them (wss verified against the test CA), a revocation gives 403 on the re-INVITE over wss; SIP.js, an
 * independent SIP stack, registers over wss with digest as a browser would; an upgrade without the 'sip'
 * subprotocol is refused with HTTP 400 and a frame beyond the limit closes the connection, the server serving on.
 * --record writes the WebSocket connection's SIP as TCP, which tshark reads without a warning.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCall } from '../../src/client/call.js';
import { runRegister } from '../../src/client/register.js';
import { sipJsRegister } from '../interop/sipjs-peer.js';
import { makeTestCertificates, type TestCertificates } from '../transport/certs.js';
import { control, PASSWORDS, startTestServer, type TestServer } from './serve-helpers.js';

let certificates: TestCertificates;
let running: TestServer;
let wsPort: number;
let wssPort: number;

beforeAll(async () => {
  certificates = makeTestCertificates();
  running = await startTestServer({
    listen: [
      { kind: 'udp+tcp', address: '127.0.0.1', port: 0 },
      { kind: 'ws', address: '127.0.0.1', port: 0 },
      { kind: 'wss', address: '127.0.0.1', port: 0 },
    ],
    tls: { cert: certificates.cert, key: certificates.key },
  });
  wsPort = running.server.listening.find((socket) => socket.transport === 'ws')!.port;
  wssPort = running.server.listening.find((socket) => socket.transport === 'wss')!.port;
});
afterAll(async () => {
  await running?.close();
  rmSync(certificates.dir, { recursive: true, force: true });
});

test('REGISTER over ws and over wss (certificate verified against the test CA)', async () => {
  const overWs = await runRegister({ uri: `sip:bob@127.0.0.1:${wsPort}`, transport: 'ws', password: PASSWORDS.bob, timeoutMs: 3000 });
  expect(overWs).toMatchObject({ ok: true, status: 200, challenged: true, target: { transport: 'ws', port: wsPort } });
  const overWss = await runRegister({ uri: `sip:bob@127.0.0.1:${wssPort}`, transport: 'wss', ca: certificates.ca, password: PASSWORDS.bob, timeoutMs: 3000 });
  expect(overWss).toMatchObject({ ok: true, status: 200, target: { transport: 'wss', port: wssPort } });
  const untrusted = await runRegister({ uri: `sip:bob@127.0.0.1:${wssPort}`, transport: 'wss', password: PASSWORDS.bob, timeoutMs: 3000 });
  expect(untrusted.ok).toBe(false);
  expect(untrusted.error?.code).toMatch(/tls|cert/);
});

test('a call over ws is held; alice revoked meanwhile gets 403 on her re-INVITE over wss', async () => {
  const bob = runCall({ uri: `sip:echo@127.0.0.1:${wsPort}`, user: 'bob', password: PASSWORDS.bob, durationMs: 900, transport: 'ws', timeoutMs: 3000, refreshMs: 200 });
  const alice = runCall({ uri: `sip:echo@127.0.0.1:${wssPort}`, user: 'alice', password: PASSWORDS.alice, durationMs: 2000, transport: 'wss', ca: certificates.ca, timeoutMs: 3000, refreshMs: 200 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await control(running, 'POST', '/users/alice/revoke');
  const bobResult = await bob;
  expect(bobResult).toMatchObject({ ok: true, endedBy: 'bye', challenged: true, target: { transport: 'ws' } });
  expect(bobResult.refreshes.ok).toBeGreaterThanOrEqual(2);
  const aliceResult = await alice;
  expect(aliceResult).toMatchObject({ endedBy: 'revoked', revocation: { status: 403 }, target: { transport: 'wss' } });
  expect(aliceResult.transactions.filter((record) => record.step === 'bye').map((record) => record.status)).toEqual([200]);
  await control(running, 'POST', '/users/alice/restore');
});

test('SIP.js registers over wss with digest, as a browser would', async () => {
  const registered = await sipJsRegister(`wss://127.0.0.1:${wssPort}`, 'sip:bob@127.0.0.1', certificates.ca, 5000, { username: 'bob', password: PASSWORDS.bob });
  expect(registered, registered.detail).toMatchObject({ connected: true, registered: true });
  const refused = await sipJsRegister(`wss://127.0.0.1:${wssPort}`, 'sip:bob@127.0.0.1', certificates.ca, 5000, { username: 'bob', password: 'not-the-password' });
  expect(refused.registered, refused.detail).toBe(false);
  expect(refused.status).toBeDefined();
});

test("an upgrade without the 'sip' subprotocol gets HTTP 400; an oversize frame closes only its connection", async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${wsPort}/`, 'chat');
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => reject(new Error('upgrade accepted without the sip subprotocol')));
    socket.once('error', () => undefined);
  });
  expect(status).toBe(400);
  const closeCode = await new Promise<number>((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${wsPort}/`, 'sip');
    socket.once('open', () => socket.send('x'.repeat(100 * 1024)));
    socket.once('close', (code) => resolve(code));
    socket.once('error', () => undefined);
  });
  expect(closeCode).toBe(1009);
  const after = await runRegister({ uri: `sip:bob@127.0.0.1:${wsPort}`, transport: 'ws', password: PASSWORDS.bob, timeoutMs: 3000 });
  expect(after).toMatchObject({ ok: true, status: 200 });
});

test('--record: a WebSocket connection is recorded as its SIP over TCP; tshark reads it without a warning', async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'sipscope-serve-ws-record-'));
  const recording = path.join(directory, 'ws.pcapng');
  const recorded = await startTestServer({ listen: [{ kind: 'udp+tcp', address: '127.0.0.1', port: 0 }, { kind: 'ws', address: '127.0.0.1', port: 0 }], record: recording });
  try {
    const port = recorded.server.listening.find((socket) => socket.transport === 'ws')!.port;
    expect(await runRegister({ uri: `sip:bob@127.0.0.1:${port}`, transport: 'ws', password: PASSWORDS.bob, timeoutMs: 3000 })).toMatchObject({ ok: true });
    await recorded.close();
    const tshark = (args: string[]) => spawnSync('tshark', ['-r', recording, '-o', 'tcp.check_checksum:TRUE', '-d', `tcp.port==${port},sip`, ...args], { encoding: 'utf8' });
    const expert = tshark(['-q', '-z', 'expert,warn']);
    expect(expert.stdout).not.toMatch(/Errors|Warns|Warnings|Malformed/);
    const lines = tshark(['-Y', 'sip', '-T', 'fields', '-e', 'sip.Method', '-e', 'sip.Status-Code']).stdout.trim().split('\n').map((line) => line.trim());
    // the check registers, then removes its binding again: each a REGISTER challenged with 401, then 200
    expect(lines, lines.join(' / ')).toEqual(['REGISTER', '401', 'REGISTER', '200', 'REGISTER', '401', 'REGISTER', '200']);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
