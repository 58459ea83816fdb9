/**
 * `sipscope serve` as a user runs it (the CLI in a child process): it prints where it listens, re-reads the users
 * file on SIGHUP, refuses a control API off loopback and an unreadable users file (exit 2), and on SIGTERM closes
 * the recording and exits 0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';

const bin = path.resolve('bin/sipscope.js');
const directory = mkdtempSync(path.join(os.tmpdir(), 'sipscope-serve-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

test('prints its sockets; SIGHUP re-reads the users file; SIGTERM closes the recording and exits 0', async () => {
  const users = path.join(directory, 'users.txt');
  const recording = path.join(directory, 'serve.pcapng');
  writeFileSync(users, 'alice secret-a\n');
  const child = spawn(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0', '--users', users, '--record', recording], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const waitFor = async (condition: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  };
  await waitFor(() => stdout.includes('accounts'));
  expect(stdout).toMatch(/^listening udp 127\.0\.0\.1:\d+$/m);
  expect(stdout).toMatch(/^listening tcp 127\.0\.0\.1:\d+$/m);
  expect(stdout).toMatch(/realm "sipscope\.test", 1 accounts, recording to /);
  child.kill('SIGHUP');
  await waitFor(() => stderr.includes('SIGHUP'));
  expect(stderr).toMatch(/SIGHUP: 1 accounts in the users file/);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  // the recording was closed: a section header and an interface description, complete blocks
  expect(statSync(recording).size).toBe(28 + 20);
  expect(stderr).not.toContain('secret-a');
}, 20_000);

test('exit 2 with a message: unreadable users file, control API off loopback, a --min-se that is not whole seconds', () => {
  const missing = spawnSync(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0', '--users', path.join(directory, 'none.txt')], { encoding: 'utf8' });
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/none\.txt: cannot read \(ENOENT\)/);
  writeFileSync(path.join(directory, 'u.txt'), 'bob secret-b\n');
  const offLoopback = spawnSync(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0', '--users', path.join(directory, 'u.txt'), '--control', '0.0.0.0:0', '--control-token-env', 'T'],
    { encoding: 'utf8', env: { ...process.env, T: 'long-enough-token' } });
  expect(offLoopback.status).toBe(2);
  expect(offLoopback.stderr).toMatch(/loopback only/);
  // RFC 4028's Min-SE is whole seconds
  for (const minSe of ['0', '2.5']) {
    const badMinSe = spawnSync(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0', '--users', path.join(directory, 'u.txt'), '--min-se', minSe], { encoding: 'utf8' });
    expect(badMinSe.status).toBe(2);
    expect(badMinSe.stderr).toMatch(/--min-se must be a whole number of seconds/);
  }
});

test('--listen ws:ADDR:PORT: prints the WebSocket socket and answers OPTIONS over it; wss: without --cert is refused (exit 2)', async () => {
  const users = path.join(directory, 'ws-users.txt');
  writeFileSync(users, 'carol secret-c\n');
  const child = spawn(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0', '--listen', 'ws:127.0.0.1:0', '--users', users], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 10_000;
  while (!stdout.includes('accounts') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const wsPort = /^listening ws 127\.0\.0\.1:(\d+)$/m.exec(stdout)?.[1];
  expect(wsPort, stdout).toBeDefined();
  const options = spawnSync(process.execPath, [bin, 'options', `sip:127.0.0.1:${wsPort}`, '--transport', 'ws', '--timeout', '3s', '--json'], { encoding: 'utf8' });
  expect(options.status, options.stderr).toBe(0);
  expect(JSON.parse(options.stdout)).toMatchObject({ ok: true, status: 200 });
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  const noCert = spawnSync(process.execPath, [bin, 'serve', '--listen', 'wss:127.0.0.1:0', '--users', users], { encoding: 'utf8' });
  expect(noCert.status).toBe(2);
  expect(noCert.stderr).toMatch(/wss:127\.0\.0\.1:0 needs --cert and --key/);
}, 20_000);
