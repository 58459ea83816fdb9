/**
 * A real peer against `sipscope serve --min-se 3` (the CLI, as a user runs it): a SIPp UAC doing session timers asks
 * for 1 s and must get 422 with Min-SE: 3 (RFC 4028 §9, §6); asking again with 3 s it is granted 3;refresher=uac,
 * and then never refreshes: serve must end the call with its own BYE before the session expires (§10: 3 s -
 * min(32 s, 3 s / 3) = 2 s after its 200). The recording is read by tshark: one BYE, from serve, answered, about
 * 2 s after the 200 of the INVITE; not resent once answered. Ports: serve 27610 (UDP+TCP), control 27611, SIPp 27612.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeRun, repoRoot, runCommand, startServe, type Daemon } from './processes.js';
import { randomPassword } from './subscribers.js';

const servePort = 27610;
const controlPort = 27611;
const sippPort = 27612;
const password = randomPassword();
const token = randomPassword();
let work: string;
let serve: Daemon;
let recording: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'sipscope-interop-serve-timer-'));
  recording = path.join(work, 'serve.pcapng');
  writeFileSync(path.join(work, 'users.txt'), `carol ${password}\n`);
  writeFileSync(path.join(work, 'carol.csv'), `SEQUENTIAL\ncarol;[authentication username=carol password=${password}];\n`);
  process.env.SIPSCOPE_SERVE_TIMER_TOKEN = token;
  serve = await startServe(['--listen', `127.0.0.1:${servePort}`, '--users', path.join(work, 'users.txt'), '--min-se', '3',
    '--ring-ms', '0', '--record', recording, '--control', `127.0.0.1:${controlPort}`, '--control-token-env', 'SIPSCOPE_SERVE_TIMER_TOKEN'], 200_000);
  expect(serve.output()).toContain(`listening udp 127.0.0.1:${servePort}`);
}, 20_000);

afterAll(async () => {
  await serve?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('SIPp UAC: 422 Min-SE: 3, granted 3 s, never refreshes -> serve sends BYE ~2 s after its 200 (RFC 4028 §9, §10)', async () => {
  const sipp = await runCommand('sipp', [`127.0.0.1:${servePort}`, '-sf', path.join(repoRoot, 'test', 'interop', 'sipp', 'uac-timer-no-refresh.xml'),
    '-inf', path.join(work, 'carol.csv'), '-s', 'echo', '-i', '127.0.0.1', '-p', String(sippPort), '-m', '1', '-l', '1', '-timeout', '20s', '-timeout_error', '-nostdin'],
  { timeoutMs: 30_000, cwd: work });
  expect(sipp.code, describeRun(sipp)).toBe(0);
  // serve's BYE was answered: give a lost answer's Timer E a chance to show (T1 = 500 ms), then read the recording
  await new Promise((resolve) => setTimeout(resolve, 1200));
  expect(serve.output()).toMatch(/call \S+ of user "carol" ended by session expiry/);
  const stats = await fetch(`http://127.0.0.1:${controlPort}/stats`, { headers: { authorization: `Bearer ${token}` } });
  expect(await stats.json()).toMatchObject({ sessionExpired: 1, activeCalls: 0 });
  await serve.stop();

  const fields = await runCommand('tshark', ['-r', recording, '-d', `udp.port==${servePort},sip`, '-Y', 'sip', '-T', 'fields', '-E', 'separator=|',
    '-e', 'frame.time_relative', '-e', 'udp.srcport', '-e', 'sip.Method', '-e', 'sip.Status-Code', '-e', 'sip.CSeq', '-e', 'sip.Min-SE', '-e', 'sip.Session-Expires'], { timeoutMs: 30_000 });
  expect(fields.code, describeRun(fields)).toBe(0);
  const rows = fields.stdout.trim().split('\n').map((line) => {
    const [time, source, method, status, cseq, minSe, sessionExpires] = line.split('|');
    return { time: Number(time), source: Number(source), method, status, cseq, minSe, sessionExpires };
  });
  const refused = rows.find((row) => row.status === '422');
  expect(refused).toMatchObject({ source: servePort, cseq: '1 INVITE', minSe: '3' });
  const answered = rows.find((row) => row.status === '200' && row.cseq === '3 INVITE');
  expect(answered).toMatchObject({ source: servePort, sessionExpires: '3;refresher=uac' });
  const byes = rows.filter((row) => row.method === 'BYE');
  expect(byes, fields.stdout).toHaveLength(1);
  expect(byes[0].source).toBe(servePort);
  expect(byes[0].time - answered!.time).toBeGreaterThanOrEqual(1.9);
  expect(byes[0].time - answered!.time).toBeLessThan(2.6);
  expect(rows.some((row) => row.status === '200' && /BYE$/.test(row.cseq) && row.source === sippPort)).toBe(true);
}, 60_000);
