/**
 * The rotation stories against `sipscope serve` (no Kamailio needed): the two-phase rotation (check with test
 * calls, drain, revoke through serve's control API, verify) and the immediate one (the password replaced under the
 * same username). The CLI runs in-process against an in-process serve on random loopback ports.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { runCli } from '../cli/cli-io.js';
import { control, PASSWORDS, startTestServer, type TestServer } from './serve-helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const NEW_PASSWORD = 'alice-rotated-3';
const env = { OLD_PW: PASSWORDS.alice, NEW_PW: NEW_PASSWORD };
const target = (port: number) => ['--uri', `sip:127.0.0.1:${port}`, '--old-password-env', 'OLD_PW', '--new-password-env', 'NEW_PW', '--t1', '50', '--timeout', '3s'];

describe('two-phase rotation against sipscope serve', () => {
  test('check --call (both register and call), drain, revoke through the control API, verify (403): every step exits 0', async () => {
    server = await startTestServer();
    expect((await control(server, 'POST', '/users', { user: 'alice-2', password: NEW_PASSWORD })).status).toBe(201);
    const credentials = ['--old-user', 'alice', '--new-user', 'alice-2'];

    const check = await runCli(['rotate', 'check', ...target(server.port), ...credentials, '--call', `sip:echo@127.0.0.1:${server.port}`, '--call-duration', '600ms', '--call-refresh', '200ms', '--json'], { env });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const checked = JSON.parse(check.stdout);
    expect(checked.summary).toBe('safe to drain: both credentials register and place calls');
    expect(checked.calls.map((call: { role: string; ok: boolean; status: number }) => [call.role, call.ok, call.status])).toEqual([['old', true, 200], ['new', true, 200]]);
    expect(checked.calls.every((call: { refreshes: { ok: number } }) => call.refreshes.ok >= 1)).toBe(true);
    // the probes left no registration behind
    expect((await control(server, 'GET', '/registrations')).json).toEqual([]);

    const drain = await runCli(['rotate', 'drain', ...target(server.port), ...credentials, '--window', '400ms', '--recheck', '150ms', '--json'], { env });
    expect(drain.code, drain.stdout + drain.stderr).toBe(0);
    expect(JSON.parse(drain.stdout).drain.rechecks).toBeGreaterThanOrEqual(2);

    expect((await control(server, 'POST', '/users/alice/revoke')).status).toBe(200);
    const verify = await runCli(['rotate', 'verify', ...target(server.port), ...credentials, '--json'], { env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const verified = JSON.parse(verify.stdout);
    expect(verified.probes[0]).toMatchObject({ role: 'old', state: 'rejected', status: 403 });
    expect(verified.probes[1]).toMatchObject({ role: 'new', state: 'accepted' });
    expect(check.stdout + drain.stdout + verify.stdout).not.toContain(PASSWORDS.alice);
  }, 30_000);

  test('the new credential not provisioned: check says "do not revoke" and exits 1', async () => {
    server = await startTestServer();
    const run = await runCli(['rotate', 'check', ...target(server.port), '--old-user', 'alice', '--new-user', 'alice-2'], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/do not revoke: the new credential \(alice-2\)/);
  });
});

describe('immediate rotation against sipscope serve', () => {
  test('password replaced under the same username: verify sees the challenge loop; check on the old password now fails', async () => {
    server = await startTestServer();
    const credentials = ['--old-user', 'alice', '--new-user', 'alice'];
    expect((await control(server, 'POST', '/users', { user: 'alice', password: NEW_PASSWORD })).status).toBe(201);
    const verify = await runCli(['rotate', 'verify', ...target(server.port), ...credentials, '--json'], { env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(JSON.parse(verify.stdout).probes[0]).toMatchObject({ role: 'old', state: 'rejected', status: 401 });
    const check = await runCli(['rotate', 'check', ...target(server.port), ...credentials], { env });
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/do not rotate yet: the old credential \(alice\) challenged again/);
  });
});
