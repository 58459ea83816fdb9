/**
 * RFC 3262 §4: reliable provisional responses come in order. The first one sets the expected RSeq; a later one
 * whose RSeq is not one higher (a gap, or an older number) is neither acknowledged with PRACK nor processed, and a
 * retransmission of one already acknowledged is discarded. Scripted peer on 127.0.0.1 (test/client/sip-peer.ts),
 * port 27727.
 */
import { afterEach, expect, test } from 'vitest';
import { runCall } from '../../src/client/call.js';
import { getHeader, type SipRequest } from '../../src/sip/index.js';
import { buildResponse, startUdpPeer, type Reply, type SipPeer } from './sip-peer.js';

let peer: SipPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

test('183 RSeq 5, then 180 RSeq 7 (a gap), the 183 again, 180 RSeq 6: PRACK for 5 and 6 only', async () => {
  const port = 27727;
  const contact: [string, string] = ['Contact', `<sip:peer@127.0.0.1:${port}>`];
  const reliable = (status: number, reason: string, rseq: number): Reply => ({ status, reason, headers: [contact, ['Require', '100rel'], ['RSeq', String(rseq)]] });
  let invite: SipRequest | undefined;
  peer = await startUdpPeer(port, (request: SipRequest, index): Reply | Reply[] | undefined => {
    if (request.method === 'INVITE' && invite === undefined) {
      invite = request;
      const later = (reply: Reply, ms: number) => setTimeout(() => void peer!.sendLater(index, buildResponse(request, reply)), ms);
      later(reliable(180, 'Ringing', 7), 100);
      later(reliable(183, 'Session Progress', 5), 150);
      later(reliable(180, 'Ringing', 6), 200);
      later({ status: 200, reason: 'OK', headers: [contact] }, 400);
      return reliable(183, 'Session Progress', 5);
    }
    if (request.method === 'ACK' || request.method === 'INVITE') return undefined;
    return { status: 200, reason: 'OK' };
  });
  const result = await runCall({ uri: `sip:peer@127.0.0.1:${port}`, durationMs: 200, timeoutMs: 2000, timers: { t1: 100, t2: 400 } });
  const racks = peer.received.filter((entry) => entry.request.method === 'PRACK').map((entry) => getHeader(entry.request, 'rack'));
  expect(racks).toEqual(['5 1 INVITE', '6 1 INVITE']);
  expect(result).toMatchObject({ ok: true, prackSent: 2 });
});
