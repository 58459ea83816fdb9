/**
 * `sipscope call` against SIPp UASs that use SIP extensions: one requires reliable provisional responses (RFC 3262:
 * 183 with Require: 100rel, answered only after our PRACK), one asks for session timers (RFC 4028: 422 with
 * Min-SE, then Session-Expires with refresher=uac, refreshed by UPDATE at half the interval). The SIPp scenarios
 * check what we send (Supported: 100rel, RAck, Session-Expires, Min-SE) and fail the call otherwise: SIPp's exit
 * code 0 says its one call succeeded. And a UAS that re-INVITEs us and hangs up first: both answered 200 (with SDP
 * for the re-INVITE), the call reported as ended by the peer (exit 1). And a UAS that challenges with qop="auth-int"
 * only: SIPp's verifyauth checks the response over the SDP of the INVITE and of the re-INVITE. Ports: 26121-26124.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { scenarioDirectory } from './call-peers.js';
import { describeRun, parseJsonOutput, runCommand, runSipscope } from './processes.js';
import { randomPassword } from './subscribers.js';

function uas(scenario: string, port: number, extra: string[] = []) {
  return runCommand('sipp', ['-sf', path.join(scenarioDirectory, scenario), '-i', '127.0.0.1', '-p', String(port), '-m', '1', '-nostdin', '-timeout', '20s', '-timeout_error', ...extra], { timeoutMs: 30_000 });
}

async function callAgainst(scenario: string, port: number, args: string[], expectedExit = 0, peer: { sippArgs?: string[]; password?: string } = {}) {
  const sipp = uas(scenario, port, peer.sippArgs);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = await runSipscope(['call', `sip:uas@127.0.0.1:${port}`, '--user', 'alice', '--json', ...args], { timeoutMs: 20_000, password: peer.password });
  const sippRun = await sipp;
  expect(sippRun.code, describeRun(sippRun)).toBe(0);
  expect(result.code, describeRun(result)).toBe(expectedExit);
  return parseJsonOutput(result) as { transactions: { step: string; request: string; status: number | null; provisional: number[] }[]; [key: string]: unknown };
}

describe.sequential('sipscope call with SIP extensions (SIPp UAS)', () => {
  test('100rel (RFC 3262): the 183 with Require: 100rel is acknowledged with PRACK before the 200', async () => {
    const json = await callAgainst('uas-100rel.xml', 26121, ['--duration', '1', '--refresh', '0.4']);
    expect(json).toMatchObject({ ok: true, prackSent: 1, endedBy: 'bye' });
    expect(json.transactions.map((t) => `${t.step} ${t.request} ${t.status ?? '-'}`).slice(0, 3)).toEqual(['setup INVITE 200', 'prack PRACK 200', 'ack ACK -']);
    expect(json.transactions[0].provisional).toEqual([100, 183]);
  });

  test('session timers (RFC 4028): 422 Min-SE answered with a larger Session-Expires, then UPDATE refreshes at half the interval', async () => {
    const json = await callAgainst('uas-timer.xml', 26122, ['--duration', '5', '--session-expires', '1', '--refresh-method', 'update']);
    expect(json).toMatchObject({ ok: true, sessionExpires: { seconds: 4, refresher: 'uac' }, refreshes: { sent: 2, ok: 2 } });
    expect(json.transactions.filter((t) => t.step === 'setup').map((t) => t.status)).toEqual([422, 200]);
    expect(json.transactions.filter((t) => t.step === 'refresh').map((t) => t.request)).toEqual(['UPDATE', 'UPDATE']);
  });

  test('the peer re-INVITEs us (answered 200 with SDP) and hangs up first (BYE answered 200): ended by the peer, exit 1', async () => {
    const json = await callAgainst('uas-hangs-up.xml', 26123, ['--duration', '5'], 1);
    expect(json).toMatchObject({ ok: false, endedBy: 'remote-bye', status: 200 });
    expect(json.transactions.filter((t) => t.step === 'peer').map((t) => `${t.request} ${t.status}`)).toEqual(['INVITE 200', 'BYE 200']);
    expect(json.lifetimeMs as number).toBeLessThan(2000);
  });

  test('qop="auth-int" only (RFC 7616 §3.4.3): the INVITE and the re-INVITE answer over their SDP body; SIPp verifies both', async () => {
    const password = randomPassword();
    const json = await callAgainst('uas-auth-int.xml', 26124, ['--duration', '1.5', '--refresh', '1'], 0, { sippArgs: ['-set', 'pw', password], password });
    expect(json).toMatchObject({ ok: true, qop: 'auth-int', endedBy: 'bye', refreshes: { sent: 1, ok: 1 } });
    expect(json.transactions.filter((t) => t.request === 'INVITE').map((t) => `${t.step} ${t.status}`)).toEqual(['setup 401', 'setup 200', 'refresh 200']);
  });
});
