/**
 * `serve --record`: the pcapng written while sipscope's client registers and calls over UDP, TCP and IPv6 is read by
 * tshark without a warning or error (expert info at warning level and above is empty; checksums are verified), and
 * tshark and `sipscope decode` / `analyze` agree on the SIP messages (count, Call-IDs) and on the revoked call.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCall } from '../../src/client/call.js';
import { runRegister } from '../../src/client/register.js';
import { control, PASSWORDS, startTestServer, type TestServer } from './serve-helpers.js';

let running: TestServer;
let recording: string;
let recordDirectory: string;
let revokedCallId: string;
let port: number;
const callIds: string[] = [];

beforeAll(async () => {
  recordDirectory = mkdtempSync(path.join(os.tmpdir(), 'sipscope-record-test-'));
  recording = path.join(recordDirectory, 'serve.pcapng');
  running = await startTestServer({ record: recording, listen: [{ kind: 'udp+tcp', address: '127.0.0.1', port: 0 }, { kind: 'udp+tcp', address: '::1', port: 0 }] });
  port = running.port;
  const v6Port = running.server.listening.find((socket) => socket.address === '::1' && socket.transport === 'udp')!.port;
  expect(await runRegister({ uri: `sip:alice@127.0.0.1:${port}`, password: PASSWORDS.alice, timeoutMs: 3000 })).toMatchObject({ ok: true });
  expect(await runRegister({ uri: `sip:bob@[::1]:${v6Port}`, transport: 'tcp', password: PASSWORDS.bob, timeoutMs: 3000 })).toMatchObject({ ok: true });
  const common = { durationMs: 1200, refreshMs: 300, timeoutMs: 3000 };
  const bob = runCall({ uri: `sip:echo@127.0.0.1:${port}`, user: 'bob', password: PASSWORDS.bob, transport: 'tcp', ...common });
  const alice = runCall({ uri: `sip:echo@127.0.0.1:${port}`, user: 'alice', password: PASSWORDS.alice, ...common });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await control(running, 'POST', '/users/alice/revoke');
  const [bobResult, aliceResult] = await Promise.all([bob, alice]);
  expect(aliceResult.endedBy).toBe('revoked');
  expect(bobResult.ok).toBe(true);
  revokedCallId = aliceResult.callId!;
  callIds.push(bobResult.callId!, aliceResult.callId!);
  await running.close();
}, 30_000);

afterAll(() => {
  rmSync(recordDirectory, { recursive: true, force: true });
});

function tshark(args: string[]): { stdout: string; stderr: string } {
  const result = spawnSync('tshark', ['-r', recording, '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-d', `udp.port==${port},sip`, '-d', `tcp.port==${port},sip`, ...args], { encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr.split('\n').filter((line) => line !== '' && !/^Running as user/.test(line)).join('\n') };
}

describe('serve --record', () => {
  test('tshark reads it without warnings: no expert info at warning level or above, good checksums', () => {
    const expert = tshark(['-q', '-z', 'expert,warn']);
    expect(expert.stderr).toBe('');
    expect(expert.stdout).not.toMatch(/Errors|Warns|Warnings|Malformed/);
    const bad = tshark(['-Y', 'ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || tcp.checksum.status == "Bad" || _ws.malformed', '-T', 'fields', '-e', 'frame.number']);
    expect(bad.stderr).toBe('');
    expect(bad.stdout.trim()).toBe('');
    const good = tshark(['-Y', 'udp.checksum.status == "Good" || tcp.checksum.status == "Good"', '-T', 'fields', '-e', 'frame.number']);
    expect(good.stdout.trim().split('\n').length).toBeGreaterThan(20);
  });

  test('tshark and sipscope decode agree on the SIP messages: count and Call-IDs', () => {
    const fields = tshark(['-Y', 'sip', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'sip.Call-ID']).stdout;
    const tsharkCallIds = fields.trim().split('\n').flatMap((line) => line.split('|'));
    const decoded = execFileSync(process.execPath, [path.resolve('bin/sipscope.js'), 'decode', recording, '--json'], { encoding: 'utf8' })
      .trim().split('\n').map((line) => JSON.parse(line) as { callId: string });
    expect(decoded.length).toBeGreaterThan(30);
    expect(decoded.length).toBe(tsharkCallIds.length);
    expect(decoded.map((message) => message.callId).sort()).toEqual([...tsharkCallIds].sort());
    for (const callId of callIds) expect(tsharkCallIds).toContain(callId);
  });

  test('sipscope analyze finds the revoked call, and only it', () => {
    const result = spawnSync(process.execPath, [path.resolve('bin/sipscope.js'), 'analyze', recording, '--json'], { encoding: 'utf8' });
    const json = JSON.parse(result.stdout) as { findings: { kind: string; callId: string }[] };
    const forbidden = json.findings.filter((finding) => finding.kind === 'reinvite-forbidden');
    expect(forbidden.map((finding) => finding.callId)).toEqual([revokedCallId]);
  });
});
