/**
 * `sipscope rotate` against the real Kamailio registrar of the interop tests (digest auth from SQLite, 403 for a
 * user no longer in the subscriber table): the two-phase story (check, drain, revoke by deleting the row, verify)
 * and the immediate story (the password changed under the same username). The drain's live source is a real
 * tcpdump capturing loopback, piped into `rotate drain --pcap-stdin`. Ports 26600-26619.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { describe, expect, test } from 'vitest';
import { locationBindings } from './checks.js';
import { testDomain } from './environment.js';
import { useRegistrarEnvironment } from './registrar-hooks.js';
import { killGroup, sipscopeBin, waitForExit } from './processes.js';
import { deleteSubscriber, randomPassword, setSubscriberPassword } from './subscribers.js';

const port = 26600;
const realm = 'rotation-realm.sipscope.test';
const oldPassword = randomPassword();
const newPassword = randomPassword();
const setup = useRegistrarEnvironment({
  name: 'rotate',
  ports: { sip: port },
  realm,
  algorithm: 'MD5',
  subscribers: [
    { username: 'carrier-old', domain: testDomain, password: oldPassword },
    { username: 'carrier-new', domain: testDomain, password: newPassword },
    { username: 'immediate', domain: testDomain, password: oldPassword },
  ],
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** sipscope rotate with both passwords in environment variables (never argv); optional stdin stream. */
function rotate(args: string[], options: { oldPassword: string; newPassword: string; stdin?: NodeJS.ReadableStream; timeoutMs?: number }): Promise<Run> {
  const child = spawn(process.execPath, [sipscopeBin, 'rotate', ...args, '--old-password-env', 'OLD_PW', '--new-password-env', 'NEW_PW'], {
    env: { PATH: process.env.PATH, OLD_PW: options.oldPassword, NEW_PW: options.newPassword },
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  if (options.stdin) options.stdin.pipe(child.stdin!);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

const target = ['--uri', `sip:${testDomain}`, '--proxy', `sip:127.0.0.1:${port}`, '--t1', '100', '--timeout', '3s'];
const describeRun = (run: Run) => `exit ${run.code}\n${run.stdout}${run.stderr}\n${setup.logs()}`;

describe('two-phase rotation against Kamailio', () => {
  const credentials = ['--old-user', 'carrier-old', '--new-user', 'carrier-new'];
  const passwords = { oldPassword, newPassword };

  test('check before revocation: both register -> exit 0, "safe to drain"; the registrar is left as it was', async () => {
    const run = await rotate(['check', ...target, ...credentials, '--json'], passwords);
    expect(run.code, describeRun(run)).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.summary).toMatch(/^safe to drain/);
    expect(report.probes.map((probe: { status: number; unregistered: boolean }) => [probe.status, probe.unregistered])).toEqual([[200, true], [200, true]]);
    const bindings = await locationBindings(setup.environment.registrar);
    expect(bindings.filter((binding) => /carrier-/.test(binding.aor))).toEqual([]);
    expect(run.stdout + run.stderr).not.toContain(oldPassword);
  });

  test('drain: a call of the old credential seen by tcpdump on loopback holds the gate until its BYE', async () => {
    const tcpdump = spawn('tcpdump', ['-i', 'lo', '-U', '-s', '0', '-w', '-', 'udp port 26610'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(26611, '127.0.0.1', () => resolve()));
    const sip = (startLine: string, cseq: string, extra = '') => Buffer.from(`${startLine}\r\nVia: SIP/2.0/UDP 127.0.0.1:26611;branch=z9hG4bK-${cseq.replace(' ', '-')}\r\n`
      + `From: <sip:carrier-old@${testDomain}>;tag=f1\r\nTo: <sip:bob@${testDomain}>${startLine.startsWith('SIP') ? ';tag=t1' : ''}\r\nCall-ID: drain-call-1\r\nCSeq: ${cseq}\r\n${extra}Content-Length: 0\r\n\r\n`);
    const send = (bytes: Buffer) => new Promise<void>((resolve) => socket.send(bytes, 26610, '127.0.0.1', () => resolve()));
    const auth = `Proxy-Authorization: Digest username="carrier-old", realm="${realm}", nonce="n", uri="sip:bob@${testDomain}", response="0123456789abcdef0123456789abcdef"\r\n`;
    const mirror = setInterval(async () => {
      await send(sip(`INVITE sip:bob@${testDomain} SIP/2.0`, '2 INVITE', auth));
      await send(sip('SIP/2.0 200 OK', '2 INVITE'));
    }, 250);
    setTimeout(() => clearInterval(mirror), 2500);
    const bye = setTimeout(() => send(sip(`BYE sip:bob@${testDomain} SIP/2.0`, '3 BYE')), 3500);
    try {
      const started = Date.now();
      const run = await rotate(['drain', ...target, ...credentials, '--pcap-stdin', '--window', '1s', '--recheck', '1s', '--max-wait', '15s', '--jsonl'], { ...passwords, stdin: tcpdump.stdout!, timeoutMs: 25_000 });
      expect(run.code, describeRun(run)).toBe(0);
      const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(events.some((event) => event.type === 'progress' && event.activeCalls === 1)).toBe(true);
      expect(events.at(-1)).toMatchObject({ type: 'report', ok: true, drain: { peakActiveCalls: 1, activeCallsAtEnd: 0, stoppedBecause: 'drained' } });
      expect(events.filter((event) => event.type === 'recheck').length).toBeGreaterThanOrEqual(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    } finally {
      clearInterval(mirror);
      clearTimeout(bye);
      socket.close();
      killGroup(tcpdump.pid, 'SIGTERM');
      await waitForExit(tcpdump, 5000);
    }
  });

  test('revoke by deleting the row; verify -> the old credential gets 403, the new one registers: exit 0', async () => {
    expect(await deleteSubscriber(setup.environment.databasePath, 'carrier-old')).toBe(1);
    const run = await rotate(['verify', ...target, ...credentials, '--wait', '5s', '--poll', '1s', '--json'], passwords);
    expect(run.code, describeRun(run)).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.probes[0]).toMatchObject({ role: 'old', state: 'rejected', status: 403 });
    expect(report.propagationDelayMs).toBe(0);
    // and check now refuses: the old side is gone
    const check = await rotate(['check', ...target, ...credentials], passwords);
    expect(check.code, describeRun(check)).toBe(1);
    expect(check.stdout).toMatch(/do not rotate yet: the old credential \(carrier-old\) rejected with 403 Forbidden/);
  });
});

describe('immediate rotation against Kamailio: the password changed under the same username', () => {
  const credentials = ['--old-user', 'immediate', '--new-user', 'immediate'];

  test('before the change, check passes only for the old password; after it, verify sees the challenge loop and check fails', async () => {
    const before = await rotate(['check', ...target, ...credentials], { oldPassword, newPassword });
    expect(before.code, describeRun(before)).toBe(1);
    expect(before.stdout).toMatch(/do not revoke: the new credential \(immediate\) challenged again/);
    expect(await setSubscriberPassword(setup.environment.databasePath, 'immediate', newPassword)).toBe(1);
    const verify = await rotate(['verify', ...target, ...credentials, '--json'], { oldPassword, newPassword });
    expect(verify.code, describeRun(verify)).toBe(0);
    expect(JSON.parse(verify.stdout).probes[0]).toMatchObject({ role: 'old', state: 'rejected', status: 401 });
    const after = await rotate(['check', ...target, ...credentials], { oldPassword, newPassword });
    expect(after.code, describeRun(after)).toBe(1);
    expect(after.stdout).toMatch(/do not rotate yet: the old credential \(immediate\) challenged again/);
  });
});
