/**
 * Issue 14, defect 6: a response is the client transaction's only when it carries the request's branch and CSeq
 * method (RFC 3261 §17.1.3) and repeats its Call-ID and CSeq number (§8.2.6.2); a status code outside 100-699 is
 * malformed, never final (§7.2, §21); a 401 without a usable Digest challenge is said once; every readable Contact
 * of a 200 is a binding even when another one is malformed.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { runRegister, type RegisterOptions } from '../../src/client/register.js';
import { runOptions } from '../../src/client/options.js';
import { runCli } from '../cli/cli-io.js';
import { startTcpPeer, startUdpPeer, type Reply, type SipPeer } from './sip-peer.js';

let peer: SipPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const base = (port: number, extra: Partial<RegisterOptions> = {}): RegisterOptions => ({
  uri: `sip:alice@127.0.0.1:${port}`,
  timeoutMs: 1500,
  timers: { t1: 100, t2: 400 },
  keep: true,
  ...extra,
});

const OK: Reply = { status: 200, reason: 'OK' };

describe('responses that carry the branch but answer another request are not taken', () => {
  test.each([
    ['another Call-ID', { ...OK, reason: 'OK wrong', callId: 'someone-else@x' }],
    ['another CSeq number', { ...OK, reason: 'OK wrong', cseq: '99 REGISTER' }],
    ['status 999', { status: 999, reason: 'OK wrong' }],
    ['status 099', { status: 99, reason: 'OK wrong' }],
  ] as const)('%s, then the right 200: the right one is final (UDP and TCP)', async (_label, wrong) => {
    for (const [start, transport] of [[startUdpPeer, 'udp'], [startTcpPeer, 'tcp']] as const) {
      peer = await start(45410, () => [wrong as Reply, OK]);
      const result = await runRegister(base(45410, { transport }));
      expect(result).toMatchObject({ ok: true, status: 200, reason: 'OK' });
      expect(result.transactions.map((record) => record.status)).toEqual([200]);
      await peer.close();
      peer = undefined;
    }
  });

  test('only a mismatched response: the check times out and says what it discarded', async () => {
    peer = await startUdpPeer(45411, () => ({ ...OK, callId: 'other@x' }));
    const result = await runOptions({ uri: 'sip:127.0.0.1:45411', timeoutMs: 600, timers: { t1: 100, t2: 400 } });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('timeout');
    expect(result.error?.message).toContain('Call-ID "other@x"');
  });

  test('status 999 alone is never final: timeout naming it malformed', async () => {
    peer = await startUdpPeer(45412, () => ({ status: 999, reason: 'Odd' }));
    const result = await runOptions({ uri: 'sip:127.0.0.1:45412', timeoutMs: 600, timers: { t1: 100, t2: 400 } });
    expect(result.status).toBeUndefined();
    expect(result.error).toMatchObject({ code: 'timeout' });
    expect(result.error?.message).toMatch(/status 999, outside 100-699 \(malformed\)/);
  });
});

describe('a 401 without a usable Digest challenge', () => {
  test('is said once, without "no authentication asked for"', async () => {
    peer = await startUdpPeer(45413, () => ({ status: 401, reason: 'Unauthorized', headers: [['WWW-Authenticate', 'Basic realm="x"']] }));
    const run = await runCli(['register', 'sip:alice@127.0.0.1:45413', '--password-env', 'P', '--keep'], { env: { P: 'pw' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('401 without a usable Digest challenge');
    expect(run.stdout).not.toContain('no authentication asked for');
  });

  test('a server that asks for nothing is still said to ask for nothing', async () => {
    peer = await startUdpPeer(45414, () => OK);
    const run = await runCli(['options', 'sip:127.0.0.1:45414']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('no authentication asked for');
  });
});

describe('bindings in the 200', () => {
  test('every readable Contact is kept when one before it is malformed', async () => {
    peer = await startUdpPeer(45415, () => ({
      ...OK,
      headers: [
        ['Contact', '<sip:bad@x;>garbage, <sip:good1@192.0.2.1>;expires=60'],
        ['Contact', '"unclosed <sip:bad2@x>, <sip:good2@192.0.2.2>;expires=70'],
        ['Contact', '<sip:good3@192.0.2.3>;expires=80'],
      ],
    }));
    const result = await runRegister(base(45415));
    expect(result.ok).toBe(true);
    expect(result.bindings).toEqual([
      { uri: 'sip:good1@192.0.2.1', expires: 60 },
      { uri: 'sip:good2@192.0.2.2', expires: 70 },
      { uri: 'sip:good3@192.0.2.3', expires: 80 },
    ]);
  });
});
