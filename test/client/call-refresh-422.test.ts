/**
 * RFC 4028 §7.3, §7.4: a session refresh (re-INVITE or UPDATE) answered 422 Session Interval Too Small is sent again
 * with Session-Expires raised to the 422's Min-SE and that Min-SE in it; the call goes on with the interval the retry
 * is granted. Scripted peer on 127.0.0.1 (test/client/sip-peer.ts), ports 27630-27631.
 */
import { afterEach, expect, test } from 'vitest';
import { runCall } from '../../src/client/call.js';
import { getHeader, type SipRequest } from '../../src/sip/index.js';
import { startUdpPeer, type Reply, type SipPeer } from './sip-peer.js';

let peer: SipPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const timers = { t1: 100, t2: 400 };

/** Grants 2 s with us (the caller) refreshing; the first refresh gets 422 with Min-SE: 5, a refresh asking 5 s or more 200. */
function peerWithMinSe(port: number) {
  const contact: [string, string] = ['Contact', `<sip:peer@127.0.0.1:${port}>`];
  return (request: SipRequest): Reply | undefined => {
    if (request.method === 'ACK') return undefined;
    if (request.method === 'BYE') return { status: 200, reason: 'OK' };
    const inDialog = /;tag=/.test(getHeader(request, 'to') ?? '');
    if (!inDialog) return { status: 200, reason: 'OK', headers: [contact, ['Require', 'timer'], ['Session-Expires', '2;refresher=uac']] };
    const asked = Number(/^\s*(\d+)/.exec(getHeader(request, 'session-expires') ?? '')?.[1] ?? 0);
    if (asked < 5) return { status: 422, reason: 'Session Interval Too Small', headers: [['Min-SE', '5']] };
    return { status: 200, reason: 'OK', headers: [contact, ['Require', 'timer'], ['Session-Expires', `${asked};refresher=uac`]] };
  };
}

test.each([['update', 27630], ['reinvite', 27631]] as const)('a %s refresh answered 422 is sent again with Session-Expires and Min-SE raised to the Min-SE; the call is held', async (refreshMethod, port) => {
  peer = await startUdpPeer(port, peerWithMinSe(port));
  const result = await runCall({ uri: `sip:peer@127.0.0.1:${port}`, durationMs: 1600, timeoutMs: 2000, timers, refreshMethod });
  const method = refreshMethod === 'update' ? 'UPDATE' : 'INVITE';
  const refreshes = peer.received.map((entry) => entry.request).filter((request) => request.method === method && /;tag=/.test(getHeader(request, 'to') ?? ''));
  expect(refreshes.map((request) => [getHeader(request, 'session-expires'), getHeader(request, 'min-se')])).toEqual([['2;refresher=uac', undefined], ['5;refresher=uac', '5']]);
  // a new transaction of the dialog: the next CSeq number
  const cseqs = refreshes.map((request) => Number(/^\d+/.exec(getHeader(request, 'cseq') ?? '')![0]));
  expect(cseqs[1]).toBe(cseqs[0] + 1);
  expect(result).toMatchObject({ ok: true, endedBy: 'bye', sessionExpires: { seconds: 5, refresher: 'uac' }, refreshes: { sent: 1, ok: 1 } });
  expect(result.transactions.filter((record) => record.step === 'refresh').map((record) => record.status)).toEqual([422, 200]);
});
