/**
 * Real peers against `sipscope serve` (the CLI, as a user runs it): SIPp REGISTERs and SIPp callers with
 * re-INVITEs every 500 ms (the fixtures' caller scenario, challenged with 401 here instead of 407), alice revoked
 * through the control API while her call is up -> 403 on her next re-INVITE, her SIPp caller ACKs and hangs up;
 * bob's call goes on. sipsak registers (0), is refused once revoked (1) and with a wrong password (2).
 * The recording is read by tshark and by sipscope analyze, which agree.
 * Ports: serve 26130 (UDP+TCP), control 26131, SIPp 26140-26149.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeRun, repoRoot, runCommand, runSipsak, sipscopeBin, startServe, type Daemon } from './processes.js';
import { randomPassword } from './subscribers.js';

const servePort = 26130;
const controlPort = 26131;
const passwords = { alice: randomPassword(), bob: randomPassword(), carol: randomPassword() };
const token = randomPassword();
let work: string;
let serve: Daemon;
let recording: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'sipscope-interop-serve-'));
  recording = path.join(work, 'serve.pcapng');
  writeFileSync(path.join(work, 'users.txt'), Object.entries(passwords).map(([user, password]) => `${user} ${password}`).join('\n'));
  for (const [user, password] of Object.entries(passwords)) {
    writeFileSync(path.join(work, `${user}.csv`), `SEQUENTIAL\n${user};[authentication username=${user} password=${password}];127.0.0.1:26149;\n`);
  }
  // the fixtures' caller, answering our 401 instead of Kamailio's 407
  const caller = spawnSync('bash', [path.join(repoRoot, 'fixtures', 'recordings', 'gen-caller.sh'), '8', '500'], { encoding: 'utf8' }).stdout;
  writeFileSync(path.join(work, 'caller.xml'), caller.replace('<recv response="407" auth="true"/>', '<recv response="401" auth="true"/>'));
  // the token reaches serve through the environment it inherits, never argv
  process.env.SIPSCOPE_SERVE_TOKEN = token;
  serve = await startServe(['--listen', `127.0.0.1:${servePort}`, '--users', path.join(work, 'users.txt'),
    '--record', recording, '--control', `127.0.0.1:${controlPort}`, '--control-token-env', 'SIPSCOPE_SERVE_TOKEN'], 1_000_000);
  expect(serve.output()).toContain(`listening udp 127.0.0.1:${servePort}`);
}, 20_000);

afterAll(async () => {
  await serve?.stop();
  rmSync(work, { recursive: true, force: true });
});

const revoke = (user: string) => fetch(`http://127.0.0.1:${controlPort}/users/${user}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

function sipp(args: string[], port: number) {
  return runCommand('sipp', [`127.0.0.1:${servePort}`, ...args, '-i', '127.0.0.1', '-p', String(port), '-m', '1', '-l', '1', '-timeout', '30s', '-timeout_error', '-nostdin'], { timeoutMs: 40_000, cwd: work });
}

describe.sequential('SIPp and sipsak against sipscope serve', () => {
  test('SIPp REGISTER: 401, then 200', async () => {
    const result = await sipp(['-sf', path.join(repoRoot, 'fixtures', 'recordings', 'scenarios', 'register.xml'), '-inf', path.join(work, 'carol.csv')], 26140);
    expect(result.code, describeRun(result)).toBe(0);
  });

  test('sipsak registers (0); wrong password (2)', async () => {
    expect((await runSipsak(['-U', '-s', `sip:bob@127.0.0.1:${servePort}`], { timeoutMs: 10_000, password: passwords.bob })).code).toBe(0);
    expect((await runSipsak(['-U', '-s', `sip:bob@127.0.0.1:${servePort}`], { timeoutMs: 10_000, password: `${passwords.bob}-wrong` })).code).toBe(2);
  });

  test('SIPp callers with re-INVITEs: alice revoked mid-call gets 403 on her next re-INVITE and hangs up; bob\'s call goes on', async () => {
    const caller = path.join(work, 'caller.xml');
    const alice = sipp(['-sf', caller, '-inf', path.join(work, 'alice.csv'), '-s', 'echo', '-trace_msg', '-message_file', path.join(work, 'alice-messages.log')], 26141);
    const bob = sipp(['-sf', caller, '-inf', path.join(work, 'bob.csv'), '-s', 'echo'], 26142);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const revoked = await revoke('alice');
    expect(await revoked.json()).toEqual({ user: 'alice', revoked: true, activeCalls: 1 });
    const [aliceRun, bobRun] = await Promise.all([alice, bob]);
    expect(aliceRun.code, describeRun(aliceRun)).toBe(0);
    expect(bobRun.code, describeRun(bobRun)).toBe(0);
    expect(serve.output()).toMatch(/403 to INVITE in call \S+ from user "alice": credential revoked/);
  });

  test('sipsak after the revocation: 403 -> exit 1', async () => {
    const result = await runSipsak(['-U', '-s', `sip:alice@127.0.0.1:${servePort}`], { timeoutMs: 10_000, password: passwords.alice });
    expect(result.code, describeRun(result)).toBe(1);
  });

  test('the recording: tshark reads it without warnings and agrees with sipscope on messages and Call-IDs; analyze finds alice\'s call only', async () => {
    await serve.stop();
    const tshark = await runCommand('tshark', ['-r', recording, '-d', `udp.port==${servePort},sip`, '-Y', 'sip', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'sip.Call-ID'], { timeoutMs: 30_000 });
    expect(tshark.stderr.replace(/^Running as user.*\n/m, '')).toBe('');
    const tsharkCallIds = tshark.stdout.trim().split('\n').flatMap((line) => line.split('|'));
    const decode = await runCommand(process.execPath, [sipscopeBin, 'decode', recording, '--json'], { timeoutMs: 30_000 });
    const decoded = decode.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { callId: string }).callId);
    expect(decoded.length).toBeGreaterThan(40);
    expect(decoded.sort()).toEqual(tsharkCallIds.sort());
    const expert = await runCommand('tshark', ['-r', recording, '-d', `udp.port==${servePort},sip`, '-q', '-z', 'expert,warn'], { timeoutMs: 30_000 });
    expect(expert.stdout).not.toMatch(/Errors|Warns|Malformed/);
    const analyze = await runCommand(process.execPath, [sipscopeBin, 'analyze', recording, '--json'], { timeoutMs: 30_000 });
    const json = JSON.parse(analyze.stdout) as { findings: { kind: string; user?: string; callId: string }[]; calls: { callId: string; username: string; state: string }[] };
    const forbidden = json.findings.filter((finding) => finding.kind === 'reinvite-forbidden');
    expect(forbidden).toHaveLength(1);
    const damaged = json.calls.find((call) => call.callId === forbidden[0].callId);
    expect(damaged).toMatchObject({ username: 'alice', state: 'torn-down' });
    expect(json.calls.filter((call) => call.username === 'bob').map((call) => call.state)).toEqual(['ended']);
  });
});
