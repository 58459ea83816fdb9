/**
 * Load mode (`register --count N --rate R`) against a UDP peer on 127.0.0.1 that checks each user's digest
 * answer with the project's verifier (per-user passwords from the `%d` pattern): every user gets 401 then 200,
 * pacing holds the rate, losses are made good by Timer E retransmissions (RFC 3261 §17.1.2.2), failures are
 * counted by status and by error code, and the in-flight window is bounded.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { runRegisterLoad, type LoadOptions } from '../../src/client/load.js';
import { getHeader, type SipRequest } from '../../src/sip/index.js';
import { parseAuthorization, verifyAuthorization } from '../../src/sip/digest/index.js';
import { startUdpPeer, type Answer, type SipPeer } from './sip-peer.js';

const REALM = 'load-realm.test';
let peer: SipPeer | undefined;

afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** Waits (up to 2 s) until the peer has received `count` requests: datagrams still in flight when the load ended. */
async function receivedAtLeast(sipPeer: SipPeer, count: number): Promise<void> {
  for (let waited = 0; sipPeer.received.length < count && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
}

const userOf = (request: SipRequest) => /sip:([^@]+)@/.exec(getHeader(request, 'from')!)![1];

/** 401 with one nonce per user until that user's password `pw-N` is proven, then 200. */
function perUserRegistrar(passwordOf = (user: string) => `pw-${user.slice('user'.length)}`): Answer {
  return (request) => {
    const user = userOf(request);
    const nonce = `nonce-${user}`;
    const authorization = getHeader(request, 'authorization');
    if (authorization) {
      const credentials = parseAuthorization(authorization, 'authorization');
      const verdict = verifyAuthorization(credentials, {
        method: request.method, uri: request.uri, realm: REALM, password: passwordOf(user), expectedNonce: nonce,
      });
      if (verdict.ok && credentials.username === user) return { status: 200, reason: 'OK' };
    }
    return { status: 401, reason: 'Unauthorized', headers: [['WWW-Authenticate', `Digest realm="${REALM}", nonce="${nonce}", qop="auth", algorithm=MD5`]] };
  };
}

const options = (port: number, extra: Partial<LoadOptions> = {}): LoadOptions => ({
  uri: `sip:127.0.0.1:${port}`,
  user: 'user%d',
  password: 'pw-%d',
  userStart: 1,
  count: 200,
  rate: 1000,
  timeoutMs: 3000,
  // T1 well above loopback round trips on a busy machine: a retransmission here means a real loss
  timers: { t1: 300, t2: 4000 },
  ...extra,
});

describe('register load mode over UDP', () => {
  test('every user: 401 then 200 with its own password, own Call-ID, CSeq 1 then 2, new branch; JSON fields', async () => {
    peer = await startUdpPeer(0, perUserRegistrar());
    const result = await runRegisterLoad(options(peer.port, { userStart: 7, rate: 500 }));
    expect(Object.keys(result).sort()).toEqual(
      ['count', 'elapsedMs', 'errored', 'errors', 'failed', 'latencyMs', 'ok', 'ratePerSec', 'rejected', 'retransmissions', 'statusCounts'],
    );
    expect(result).toMatchObject({ count: 200, ok: 200, failed: 0, rejected: 0, errored: 0, statusCounts: { 200: 200 }, errors: {} });
    // 2 transactions per user reached the peer, each once or more: its copies beyond the first are retransmissions,
    // and there are no more of them than counted (fewer only if a datagram was lost on a starved machine: then its
    // retransmission is what arrived). A retransmission sent just before the answer to its original came may still
    // be on its way: waited for, bounded.
    await receivedAtLeast(peer, 400 + result.retransmissions);
    const branch = (request: SipRequest) => /branch=([^;]+)/.exec(getHeader(request, 'via')!)![1];
    const firstCopies = new Map<string, SipRequest>();
    for (const { request } of peer.received) if (!firstCopies.has(branch(request))) firstCopies.set(branch(request), request);
    expect(firstCopies.size).toBe(400);
    expect(peer.received.length - firstCopies.size).toBeLessThanOrEqual(result.retransmissions);
    expect(result.ratePerSec).toBeCloseTo((200 * 1000) / result.elapsedMs, 6);
    const byUser = new Map<string, SipRequest[]>();
    for (const request of firstCopies.values()) byUser.set(userOf(request), [...(byUser.get(userOf(request)) ?? []), request]);
    expect([...byUser.keys()].sort()).toEqual(Array.from({ length: 200 }, (_, i) => `user${i + 7}`).sort());
    const callIds = new Set<string>();
    for (const [, requests] of byUser) {
      expect(requests.map((request) => getHeader(request, 'cseq'))).toEqual(['1 REGISTER', '2 REGISTER']);
      expect(getHeader(requests[1], 'call-id')).toBe(getHeader(requests[0], 'call-id'));
      expect(branch(requests[1])).not.toBe(branch(requests[0]));
      expect(getHeader(requests[0], 'authorization')).toBeUndefined();
      expect(getHeader(requests[1], 'authorization')).toMatch(new RegExp(`realm="${REALM}".*nonce="nonce-${userOf(requests[0])}"`));
      callIds.add(getHeader(requests[0], 'call-id')!);
    }
    expect(callIds.size).toBe(200);
  });

  test('pacing: 100 registrations at 200/s take about 0.5 s and never run ahead of the rate', async () => {
    peer = await startUdpPeer(0, perUserRegistrar());
    const started = Date.now();
    const result = await runRegisterLoad(options(peer.port, { count: 100, rate: 200 }));
    expect(result.ok).toBe(100);
    const firsts = peer.received.filter(({ request }) => getHeader(request, 'cseq') === '1 REGISTER');
    firsts.forEach(({ at }, index) => expect(at - started).toBeGreaterThanOrEqual(Math.floor((index * 1000) / 200) - 1));
    expect(result.elapsedMs).toBeGreaterThanOrEqual(490);
    expect(result.elapsedMs).toBeLessThan(2500);
  });

  test('lost requests (each first REGISTER of every 10th user) are retransmitted by Timer E and counted', async () => {
    const answer = perUserRegistrar();
    const dropped = new Set<string>();
    peer = await startUdpPeer(0, (request, index) => {
      const user = userOf(request);
      const number = Number(user.slice('user'.length));
      if (number % 10 === 0 && getHeader(request, 'cseq') === '1 REGISTER' && !dropped.has(user)) {
        dropped.add(user);
        return undefined;
      }
      return answer(request, index);
    });
    const result = await runRegisterLoad(options(peer.port, { count: 100, rate: 500 }));
    expect(dropped.size).toBe(10);
    expect(result).toMatchObject({ ok: 100, failed: 0, statusCounts: { 200: 100 } });
    // at least the 10 losses; more only if a slow answer on a busy machine crossed T1 (each one reached the peer)
    expect(result.retransmissions).toBeGreaterThanOrEqual(10);
    await receivedAtLeast(peer, 200 + result.retransmissions);
    const branches = new Set(peer.received.map(({ request }) => /branch=([^;]+)/.exec(getHeader(request, 'via')!)![1]));
    expect(branches.size).toBe(200);
    // each of the 10 dropped requests came again; any other copy is a counted retransmission (see the first test)
    expect(peer.received.length - branches.size).toBeGreaterThanOrEqual(10);
    expect(peer.received.length - branches.size).toBeLessThanOrEqual(result.retransmissions);
  });

  test('wrong passwords are counted by final status (401 after answering), the rest succeed', async () => {
    peer = await startUdpPeer(0, perUserRegistrar((user) => (Number(user.slice(4)) % 4 === 0 ? 'other' : `pw-${user.slice(4)}`)));
    const result = await runRegisterLoad(options(peer.port, { count: 40, rate: 400 }));
    expect(result).toMatchObject({ ok: 30, failed: 10, rejected: 10, errored: 0, statusCounts: { 200: 30, 401: 10 }, errors: {} });
  });

  test('a silent registrar: at most rate/5 (here 100) registrations in flight, each ends by timeout, counted as errors', async () => {
    peer = await startUdpPeer(0, () => undefined);
    const promise = runRegisterLoad(options(peer.port, { count: 150, rate: 500, timeoutMs: 400, timers: { t1: 1000, t2: 4000 } }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const callIdsEarly = new Set(peer.received.map(({ request }) => getHeader(request, 'call-id'))).size;
    const result = await promise;
    // 100 started by 200 ms at 500/s; the next ones only when the first time out at 400 ms
    expect(callIdsEarly).toBe(100);
    expect(peer.received).toHaveLength(150);
    expect(result).toMatchObject({ ok: 0, failed: 150, errored: 150, rejected: 0, errors: { timeout: 150 }, latencyMs: null });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(800);
  });
});
