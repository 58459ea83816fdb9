/**
 * `sipscope serve` in-process, driven by sipscope's own client over real loopback sockets: digest (MD5, SHA-256,
 * SHA-512-256), registrations with expiry, calls answered and refreshed, a credential revoked through the control
 * API refused with 403 on the next re-INVITE and REGISTER, restore, users file reload, the control API's token.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { runCall, type CallOptions } from '../../src/client/call.js';
import { runRegister } from '../../src/client/register.js';
import { startControl } from '../../src/server/control.js';
import { control, PASSWORDS, REALM, startTestServer, TOKEN, type TestServer } from './serve-helpers.js';

let running: TestServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const timers = { t1: 100, t2: 800 };
const register = (port: number, user: string, password: string, extra: object = {}) =>
  runRegister({ uri: `sip:${user}@127.0.0.1:${port}`, password, timeoutMs: 3000, timers, ...extra });
const call = (port: number, user: 'alice' | 'bob', extra: Partial<CallOptions> = {}) =>
  runCall({ uri: `sip:echo@127.0.0.1:${port}`, user, password: PASSWORDS[user], durationMs: 900, refreshMs: 200, timeoutMs: 3000, timers, ...extra });

describe('serve: registrar', () => {
  test('REGISTER: 401 with the realm, then 200 listing the binding with its expiry; the control API lists it per credential', async () => {
    running = await startTestServer();
    const result = await register(running.port, 'alice', PASSWORDS.alice, { expires: 120, keep: true });
    expect(result).toMatchObject({ ok: true, status: 200, realm: REALM, algorithm: 'MD5', qop: 'auth' });
    expect(result.transactions.map((record) => record.status)).toEqual([401, 200]);
    expect(result.bindings).toHaveLength(1);
    expect(result.bindings[0].expires).toBeGreaterThan(115);
    expect(result.bindings[0].expires).toBeLessThanOrEqual(120);
    const listed = await control(running, 'GET', '/registrations');
    expect(listed.json).toEqual([expect.objectContaining({ aor: 'alice', user: 'alice', contact: result.bindings[0].uri })]);
    // unregister (Expires: 0) removes it
    expect(await register(running.port, 'alice', PASSWORDS.alice, { mode: 'unregister', contact: result.bindings[0].uri })).toMatchObject({ ok: true });
    expect((await control(running, 'GET', '/registrations')).json).toEqual([]);
  });

  test.each(['SHA-256', 'SHA-512-256'] as const)('offering %s first: the client answers with it and the server verifies it', async (algorithm) => {
    running = await startTestServer({ algorithms: [algorithm, 'MD5'] });
    expect(await register(running.port, 'bob', PASSWORDS.bob)).toMatchObject({ ok: true, algorithm });
  });

  test('wrong password -> 401 again (exit 1 for the client); unknown user -> 403', async () => {
    running = await startTestServer();
    expect((await register(running.port, 'alice', 'wrong')).transactions.map((record) => record.status)).toEqual([401, 401]);
    expect((await register(running.port, 'mallory', 'whatever')).transactions.map((record) => record.status)).toEqual([401, 403]);
  });

  test('a binding asking less than the minimum gets 423 with Min-Expires', async () => {
    running = await startTestServer();
    expect(await register(running.port, 'alice', PASSWORDS.alice, { expires: 3 })).toMatchObject({ ok: false, status: 423 });
  });
});

describe('serve: calls and revocation', () => {
  test.each(['udp', 'tcp'] as const)('a call over %s is answered (401, 200), refreshed and ended with BYE', async (transport) => {
    running = await startTestServer();
    const result = await call(running.port, 'bob', { transport });
    expect(result).toMatchObject({ ok: true, status: 200, endedBy: 'bye', challenged: true });
    expect(result.refreshes.sent).toBeGreaterThanOrEqual(3);
    expect(result.refreshes.ok).toBe(result.refreshes.sent);
    expect(result.transactions.filter((record) => record.step === 'setup').map((record) => record.provisional)).toEqual([[], [100, 180]]);
  });

  test('revoking alice through the control API: her call gets 403 on its next re-INVITE and ends; bob is untouched; restore lets her in again', async () => {
    running = await startTestServer();
    const alice = call(running.port, 'alice', { durationMs: 3000 });
    const bob = call(running.port, 'bob', { durationMs: 1500 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const calls = (await control(running, 'GET', '/calls')).json as Record<string, unknown[]>;
    expect(Object.keys(calls).sort()).toEqual(['alice', 'bob']);
    expect(await control(running, 'POST', '/users/alice/revoke')).toEqual({ status: 200, json: { user: 'alice', revoked: true, activeCalls: 1 } });
    const [aliceResult, bobResult] = await Promise.all([alice, bob]);
    expect(aliceResult).toMatchObject({ ok: false, endedBy: 'revoked', revocation: { method: 'INVITE', status: 403 } });
    expect(aliceResult.transactions.filter((record) => record.step === 'bye').map((record) => record.status)).toEqual([200]);
    expect(bobResult).toMatchObject({ ok: true, endedBy: 'bye' });
    expect(running.log.some((line) => /403 to INVITE in call .* from user "alice": credential revoked/.test(line))).toBe(true);
    // REGISTER after the revocation: 401, then 403
    expect((await register(running.port, 'alice', PASSWORDS.alice)).transactions.map((record) => record.status)).toEqual([401, 403]);
    expect((await control(running, 'POST', '/users/alice/restore')).status).toBe(200);
    expect(await register(running.port, 'alice', PASSWORDS.alice)).toMatchObject({ ok: true });
  });

  test('an UPDATE refresh is authenticated again like a re-INVITE', async () => {
    running = await startTestServer();
    const alice = call(running.port, 'alice', { durationMs: 2000, refreshMethod: 'update' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await control(running, 'POST', '/users/alice/revoke');
    expect(await alice).toMatchObject({ endedBy: 'revoked', revocation: { method: 'UPDATE', status: 403 } });
  });

  test('session timers (RFC 4028): serve grants the asked interval with refresher=uac; the caller refreshes at half of it', async () => {
    running = await startTestServer({ minSessionExpires: 2 });
    const result = await call(running.port, 'bob', { durationMs: 2500, refreshMs: undefined, sessionExpires: 2 });
    expect(result).toMatchObject({ ok: true, sessionExpires: { seconds: 2, refresher: 'uac' }, refreshes: { sent: 2, ok: 2 } });
    // refreshed in time: serve never ended the session itself
    expect((await control(running, 'GET', '/stats')).json).toMatchObject({ sessionExpired: 0 });
  });

  test('RFC 4028 §9, §7.3: asking for less than serve\'s Min-SE gets 422; the call asks again with the Min-SE, is granted it and refreshes', async () => {
    running = await startTestServer({ minSessionExpires: 3, listen: [{ kind: 'udp+tcp', address: '127.0.0.1', port: 27601 }], control: { address: '127.0.0.1', port: 27602, token: TOKEN } });
    const result = await call(running.port, 'bob', { durationMs: 2000, refreshMs: undefined, sessionExpires: 2 });
    expect(result.transactions.filter((record) => record.step === 'setup').map((record) => record.status)).toEqual([422, 401, 200]);
    expect(result).toMatchObject({ ok: true, endedBy: 'bye', sessionExpires: { seconds: 3, refresher: 'uac' }, refreshes: { sent: 1, ok: 1 } });
  });

  test('RFC 3263 §4.3: the first SRV target answers ICMP unreachable to the INVITE; the call goes to the next one', async () => {
    running = await startTestServer();
    const port = running.port;
    const dns = {
      resolveNaptr: async () => [],
      resolveSrv: async (name: string) => (name === '_sip._udp.calls.test' ? [{ name: 'dead.calls.test', port: 9, priority: 1, weight: 0 }, { name: 'live.calls.test', port, priority: 2, weight: 0 }] : []),
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    };
    const result = await runCall({ uri: 'sip:echo@calls.test', user: 'bob', password: PASSWORDS.bob, transport: 'udp', dns, durationMs: 300, timeoutMs: 3000, timers });
    expect(result).toMatchObject({ ok: true, target: { address: '127.0.0.1', port } });
  });

  test('no final answer in time: CANCEL after the 180, the INVITE ends 487', async () => {
    running = await startTestServer({ ringMs: 5000 });
    const result = await call(running.port, 'bob', { answerTimeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, endedBy: 'cancelled', status: 487 });
    expect(result.transactions.find((record) => record.step === 'cancel')).toMatchObject({ request: 'CANCEL', status: 200 });
  });
});

describe('serve: accounts and control API', () => {
  test('the users file is re-read when it changes: a removed user is refused, an added one accepted', async () => {
    running = await startTestServer();
    writeFileSync(running.usersFile, `bob ${PASSWORDS.bob}\ncarol carol-secret-3\n`);
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && !running.log.some((line) => line.includes('users file changed'))) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await register(running.port, 'carol', 'carol-secret-3')).toMatchObject({ ok: true });
    expect((await register(running.port, 'alice', PASSWORDS.alice)).status).toBe(403);
    expect(running.server.reload()).toBe(2);
  });

  test('users added through the control API can register; listings never carry a password', async () => {
    running = await startTestServer();
    expect((await control(running, 'POST', '/users', { user: 'dave', password: 'dave-secret-4' })).status).toBe(201);
    expect(await register(running.port, 'dave', 'dave-secret-4')).toMatchObject({ ok: true });
    const users = await control(running, 'GET', '/users');
    expect(JSON.stringify(users.json)).not.toMatch(/secret/);
    expect(users.json).toContainEqual({ user: 'dave', source: 'control', revoked: false });
    expect(running.log.join('\n')).not.toMatch(/secret/);
  });

  test('the control API answers bad input with 400 and its code (bad-user, bad-json), never 500', async () => {
    running = await startTestServer();
    for (const name of ['%ZZ', '%E0%A4%A', '%']) {
      for (const action of ['revoke', 'restore']) {
        const answer = await control(running, 'POST', `/users/${name}/${action}`);
        expect(answer, `${name} ${action}`).toEqual({ status: 400, json: { error: { code: 'bad-user', message: `the user name "${name}" is not valid percent-encoding (RFC 3986 §2.1)` } } });
      }
    }
    for (const body of [null, [], 'dave', 1, true, { user: 'dave' }, { user: null, password: 'x' }]) {
      const answer = await control(running, 'POST', '/users', body);
      expect(answer, JSON.stringify(body)).toEqual({ status: 400, json: { error: { code: 'bad-user', message: 'give {"user": "...", "password": "..."}' } } });
    }
    const notJson = await fetch(`http://127.0.0.1:${running.controlPort}/users`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{"user":' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('bad-json');
    // and the API still works: an encoded name that is valid is decoded
    expect((await control(running, 'POST', '/users/%61lice/revoke')).json).toMatchObject({ user: 'alice', revoked: true });
    expect(running.log.join('\n')).not.toMatch(/internal error/);
  });

  test('the control API refuses a missing or wrong token (401) and a non-loopback address', async () => {
    running = await startTestServer();
    expect((await control(running, 'GET', '/users', undefined, 'wrong-token-xx')).status).toBe(401);
    const response = await fetch(`http://127.0.0.1:${running.controlPort}/users`);
    expect(response.status).toBe(401);
    await expect(startControl('0.0.0.0', 0, { token: 'long-enough-token' } as never)).rejects.toMatchObject({ code: 'control-not-loopback' });
  });
});
