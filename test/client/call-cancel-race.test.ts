/**
 * RFC 3261 §9.1, §15: a CANCEL that crosses the 200 of its INVITE does not stop the call: the 2xx is
 * acknowledged, and a caller that had given up (--answer-timeout passed) hangs up with BYE at once rather than
 * holding the call it cancelled. Scripted peer on 127.0.0.1 (test/client/sip-peer.ts), port 27722.
 */
import { afterEach, expect, test } from 'vitest';
import { runCall } from '../../src/client/call.js';
import { callExitCode } from '../../src/cli/exit.js';
import { renderCallText } from '../../src/report/call-report.js';
import type { SipRequest } from '../../src/sip/index.js';
import { buildResponse, startUdpPeer, type Reply, type SipPeer } from './sip-peer.js';

let peer: SipPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

test('the 200 crosses our CANCEL: ACK, then BYE at once; the call counts as cancelled (exit 1), not as held', async () => {
  const port = 27722;
  const contact: [string, string] = ['Contact', `<sip:peer@127.0.0.1:${port}>`];
  let invite: SipRequest | undefined;
  let inviteIndex = 0;
  peer = await startUdpPeer(port, (request: SipRequest, index): Reply | Reply[] | undefined => {
    if (request.method === 'INVITE' && invite === undefined) {
      invite = request;
      inviteIndex = index;
      return { status: 180, reason: 'Ringing', headers: [contact] };
    }
    if (request.method === 'CANCEL') {
      // the INVITE was answered just before the CANCEL arrived: the CANCEL has no effect (§9.2)
      void peer!.sendLater(inviteIndex, buildResponse(invite!, { status: 200, reason: 'OK', headers: [contact] }));
      return { status: 200, reason: 'OK' };
    }
    if (request.method === 'ACK' || request.method === 'INVITE') return undefined;
    return { status: 200, reason: 'OK' };
  });
  const started = Date.now();
  const result = await runCall({ uri: `sip:peer@127.0.0.1:${port}`, durationMs: 3000, answerTimeoutMs: 300, timeoutMs: 2000, timers: { t1: 100, t2: 400 } });
  const methods = peer.received.map((entry) => entry.request.method);
  expect(methods).toEqual(['INVITE', 'CANCEL', 'ACK', 'BYE']);
  expect(Date.now() - started).toBeLessThan(2000);
  expect(result).toMatchObject({ ok: false, endedBy: 'cancelled', status: 200 });
  expect(callExitCode(result)).toBe(1);
  const plain = { green: String, red: String, yellow: String, dim: String, bold: String };
  expect(renderCallText(result, plain)).toContain('FAILED no final answer in time: CANCEL sent; the 200 crossed it, BYE sent');
});
