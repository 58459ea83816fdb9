/**
 * `sipscope call` through the CLI (in-process) against an in-process `sipscope serve`: exit codes as register
 * (0 held and ended, 1 revoked / rejected, 2 local error, 3 nothing answering), --json, --junit, --nagios, -v with
 * the credentials redacted and no password anywhere, and the load mode's counts and setup percentiles.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { runCli } from '../cli/cli-io.js';
import { control, PASSWORDS, startTestServer, type TestServer } from '../server/serve-helpers.js';

let running: TestServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/**
 * T1 of 2 s: client and server share this process, so a stall of its event loop longer than T1 (another test file's
 * work on a loaded 2-CPU CI machine) made the client retransmit before the server had read the request, and under
 * --nagios one retransmission is a WARNING (exit 1). These tests are about answers, not retransmissions: with 2 s a
 * retransmission means a message went unanswered, not a busy machine.
 */
const call = (port: number, user: 'alice' | 'bob', extra: string[] = [], password: string = PASSWORDS[user]) =>
  runCli(['call', `sip:echo@127.0.0.1:${port}`, '--user', user, '--password-env', 'P', '--duration', '0.8', '--refresh', '0.25', '--t1', '2000', ...extra], { env: { P: password } });

describe('sipscope call (CLI)', () => {
  test('a held call: exit 0; text lists every transaction with its answer and RTT; -v redacts the credentials', async () => {
    running = await startTestServer();
    const result = await call(running.port, 'bob', ['-v']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/INVITE \(CSeq 1, setup\) -> 401 Unauthorized/);
    expect(result.stdout).toMatch(/INVITE \(CSeq 2, setup\) -> 200 OK .* ms/);
    expect(result.stdout).toMatch(/refresh 1\) -> 200 OK/);
    expect(result.stdout).toMatch(/BYE \(CSeq \d+, bye\) -> 200 OK/);
    expect(result.stdout).toMatch(/^OK call answered 200 OK, held, ended with BYE$/m);
    expect(result.stderr).toMatch(/Authorization: Digest .*response="<redacted>"/);
    expect(result.stdout + result.stderr).not.toContain(PASSWORDS.bob);
  });

  test('revoked mid-call: exit 1; --json says which refresh failed, after how long, with what status; --junit fails "held"', async () => {
    running = await startTestServer();
    const directory = mkdtempSync(path.join(os.tmpdir(), 'sipscope-call-junit-'));
    try {
      const junit = path.join(directory, 'call.xml');
      const pending = call(running.port, 'alice', ['--duration', '3', '--json', '--junit', junit]);
      await new Promise((resolve) => setTimeout(resolve, 700));
      await control(running, 'POST', '/users/alice/revoke');
      const result = await pending;
      expect(result.code).toBe(1);
      const json = JSON.parse(result.stdout);
      expect(json).toMatchObject({ ok: false, endedBy: 'revoked', revocation: { method: 'INVITE', status: 403, reason: 'Forbidden' } });
      expect(json.revocation.refresh).toBeGreaterThanOrEqual(1);
      expect(json.revocation.afterMs).toBeGreaterThan(500);
      expect(json.transactions.at(-1)).toMatchObject({ step: 'bye', request: 'BYE', status: 200 });
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toMatch(/<testcase name="held"[^>]*>\s*<failure message="refresh \d+ answered 403/);
      expect(xml).toMatch(/<testcase name="answered"[^>]*>\s*<system-out>/);
      expect(xml).not.toContain(PASSWORDS.alice);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('--nagios: OK line with setup and lifetime perfdata; CRITICAL (2) for a wrong password', async () => {
    running = await startTestServer();
    const ok = await call(running.port, 'bob', ['--nagios']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^SIP OK - call to sip:echo@127\.0\.0\.1:\d+ answered in .* \| setup=[\d.]+ms;;;0 lifetime=[\d.]+s;;;0/);
    const wrong = await call(running.port, 'bob', ['--nagios'], 'not-the-password');
    expect(wrong.code, wrong.stdout + wrong.stderr).toBe(2);
    expect(wrong.stdout).toMatch(/^SIP CRITICAL - call to .* rejected \(INVITE 401\)/);
    // as register's: a negative --warn-retrans is refused (it made every call a WARNING)
    const negative = await call(running.port, 'bob', ['--nagios', '--warn-retrans', '-1']);
    expect(negative.code, negative.stdout + negative.stderr).toBe(3);
    expect(negative.stdout).toMatch(/^SIP UNKNOWN - --warn-retrans must be a whole number/);
  });

  test('exit 3 when nothing answers (ICMP unreachable); exit 2 for a missing password variable or a bad --refresh-method', async () => {
    running = await startTestServer();
    const port = running.port;
    await running.close();
    running = undefined;
    expect((await call(port, 'bob')).code).toBe(3);
    expect((await runCli(['call', 'sip:echo@127.0.0.1:9', '--user', 'bob', '--password-env', 'UNSET_VARIABLE'], { env: {} })).code).toBe(2);
    expect((await runCli(['call', 'sip:echo@127.0.0.1:9', '--user', 'bob', '--refresh-method', 'options'], { env: {} })).code).toBe(2);
  });

  test('load mode: --count --rate --concurrent give per-status counts and setup-time percentiles', async () => {
    running = await startTestServer();
    const result = await runCli(['call', `sip:echo@127.0.0.1:${running.port}`, '--user', 'bob', '--password-env', 'P', '--count', '12', '--rate', '20', '--concurrent', '6', '--duration', '0.2', '--json'], { env: { P: PASSWORDS.bob } });
    expect(result.code, result.stdout).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({ count: 12, ok: 12, failed: 0, statusCounts: { 200: 12 }, endedBy: { bye: 12 } });
    expect(json.setupMs.p50).toBeGreaterThan(0);
    expect(json.setupMs.p99).toBeGreaterThanOrEqual(json.setupMs.p50);
  });
});
