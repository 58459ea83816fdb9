/**
 * `sipscope serve` with a tls: listener (certificate made by openssl in the test): sipscope's client verifies it
 * against the test CA, registers and places a call over TLS, and a revocation gives 403 on the re-INVITE there too.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCall } from '../../src/client/call.js';
import { runRegister } from '../../src/client/register.js';
import { makeTestCertificates, type TestCertificates } from '../transport/certs.js';
import { control, PASSWORDS, startTestServer, type TestServer } from './serve-helpers.js';

let certificates: TestCertificates;
let running: TestServer;
let tlsPort: number;

beforeAll(async () => {
  certificates = makeTestCertificates();
  running = await startTestServer({
    listen: [{ kind: 'udp+tcp', address: '127.0.0.1', port: 0 }, { kind: 'tls', address: '127.0.0.1', port: 0 }],
    tls: { cert: certificates.cert, key: certificates.key },
  });
  tlsPort = running.server.listening.find((socket) => socket.transport === 'tls')!.port;
});
afterAll(async () => {
  await running?.close();
  rmSync(certificates.dir, { recursive: true, force: true });
});

test('REGISTER over TLS, certificate verified against the test CA', async () => {
  const result = await runRegister({ uri: `sip:bob@127.0.0.1:${tlsPort}`, transport: 'tls', ca: certificates.ca, password: PASSWORDS.bob, timeoutMs: 3000 });
  expect(result).toMatchObject({ ok: true, status: 200, target: { transport: 'tls', port: tlsPort } });
});

test('a call over TLS is held; alice revoked meanwhile gets 403 on her re-INVITE over TLS', async () => {
  const common = { transport: 'tls' as const, ca: certificates.ca, timeoutMs: 3000, refreshMs: 200 };
  const bob = runCall({ uri: `sip:echo@127.0.0.1:${tlsPort}`, user: 'bob', password: PASSWORDS.bob, durationMs: 900, ...common });
  const alice = runCall({ uri: `sip:echo@127.0.0.1:${tlsPort}`, user: 'alice', password: PASSWORDS.alice, durationMs: 2000, ...common });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await control(running, 'POST', '/users/alice/revoke');
  expect(await bob).toMatchObject({ ok: true, endedBy: 'bye', target: { transport: 'tls' } });
  expect(await alice).toMatchObject({ endedBy: 'revoked', revocation: { status: 403 } });
});
