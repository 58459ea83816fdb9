/**
 * The request that answers a challenge (RFC 3261 §8.1.3.5, §22.2): same Call-ID, CSeq + 1, a new top-Via branch,
 * and per header and realm one credential: an earlier one is replaced, never piled up.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { runRegister, type RegisterOptions } from '../../src/client/register.js';
import { getHeader, getHeaders, type SipRequest } from '../../src/sip/index.js';
import { PASSWORD, REALM, registrar } from './digest-registrar.js';
import { startUdpPeer, type SipPeer } from './sip-peer.js';

let peer: SipPeer | undefined;

afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const base = (port: number): RegisterOptions => ({
  uri: `sip:alice@127.0.0.1:${port}`, password: PASSWORD, timeoutMs: 3000, timers: { t1: 300, t2: 4000 },
  // the rounds of one registration: the check's second step (removing the binding) is tested in clean-check.test.ts
  keep: true,
});
const branch = (request: SipRequest) => /branch=([^;]+)/.exec(getHeader(request, 'via')!)![1];

describe('answering challenges', () => {
  test('after stale=true the third REGISTER carries one Authorization (the new nonce), CSeq 3, a third branch', async () => {
    peer = await startUdpPeer(0, registrar({ staleRounds: 1 }));
    const result = await runRegister(base(peer.port));
    expect(result.transactions.map((record) => record.status)).toEqual([401, 401, 200]);
    const requests = peer.received.map((entry) => entry.request);
    expect(requests).toHaveLength(3);
    expect(requests.map((request) => getHeader(request, 'cseq'))).toEqual(['1 REGISTER', '2 REGISTER', '3 REGISTER']);
    expect(new Set(requests.map((request) => getHeader(request, 'call-id'))).size).toBe(1);
    expect(new Set(requests.map(branch)).size).toBe(3);
    expect(getHeaders(requests[0], 'authorization')).toHaveLength(0);
    expect(getHeaders(requests[1], 'authorization')).toHaveLength(1);
    const third = getHeaders(requests[2], 'authorization');
    expect(third).toHaveLength(1);
    expect(third[0]).toMatch(new RegExp(`realm="${REALM}"`));
    expect(third[0]).not.toBe(getHeaders(requests[1], 'authorization')[0]);
    expect(getHeaders(requests[2], 'via')).toHaveLength(1);
  });

  test('407 then 401: the last REGISTER keeps the Proxy-Authorization and adds one Authorization', async () => {
    peer = await startUdpPeer(0, registrar({ proxyFirst: true }));
    const result = await runRegister(base(peer.port));
    expect(result.transactions.map((record) => record.status)).toEqual([407, 401, 200]);
    const last = peer.received.at(-1)!.request;
    expect(getHeaders(last, 'proxy-authorization')).toHaveLength(1);
    expect(getHeaders(last, 'authorization')).toHaveLength(1);
    expect(getHeader(last, 'cseq')).toBe('3 REGISTER');
  });
});
