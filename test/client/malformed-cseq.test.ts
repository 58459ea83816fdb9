/**
 * The client reads CSeq with the one CSeq parser (RFC 3261 §20.16). A response whose CSeq it cannot read is
 * discarded (it matches no request, §17.1.3, and acknowledges nothing, §13.2.2.4) with a line in the -v trace; a
 * request of the peer with a malformed CSeq gets 400 and has no effect (§8.2.2, §21.4.1). Scripted peer on
 * 127.0.0.1 (test/client/sip-peer.ts), ports 46340-46342.
 */
import { afterEach, expect, test } from 'vitest';
import { runCall } from '../../src/client/call.js';
import { runOptions } from '../../src/client/options.js';
import { getHeader, type SipRequest } from '../../src/sip/index.js';
import { runCli } from '../cli/cli-io.js';
import { startUdpPeer, type Reply, type SipPeer } from './sip-peer.js';

let peer: SipPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const timers = { t1: 100, t2: 400 };

test('a retransmitted 2xx with a malformed CSeq is dropped (said at -v); a well-formed one gets its ACK again', async () => {
  const contact: [string, string] = ['Contact', '<sip:peer@127.0.0.1:46340>'];
  peer = await startUdpPeer(46340, (request: SipRequest): Reply[] | undefined => {
    if (request.method !== 'INVITE') return request.method === 'ACK' ? undefined : [{ status: 200, reason: 'OK' }];
    // the 200, then a copy whose CSeq only a lenient reader takes for "1 INVITE", then a true retransmission
    return [{ status: 200, reason: 'OK', headers: [contact] }, { status: 200, reason: 'OK', headers: [contact], cseq: '1x INVITE' }, { status: 200, reason: 'OK', headers: [contact] }];
  });
  const run = await runCli(['call', 'sip:peer@127.0.0.1:46340', '--duration', '0.4', '--t1', '100', '-v']);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  expect(peer.received.filter((entry) => entry.request.method === 'ACK')).toHaveLength(2);
  expect(run.stderr).toContain('(discarded: a 200 with malformed CSeq "1x INVITE" (bad-cseq))');
});

test('a response with a malformed CSeq is never the answer: the check times out', async () => {
  peer = await startUdpPeer(46341, () => ({ status: 200, reason: 'OK', cseq: '1OPTIONS' }));
  const result = await runOptions({ uri: 'sip:127.0.0.1:46341', timeoutMs: 500, timers });
  expect(result.ok).toBe(false);
  expect(result.status).toBeUndefined();
  expect(result.error?.code).toBe('timeout');
});

test("the peer's BYE with a malformed CSeq gets 400 and does not end the call; we hang up ourselves", async () => {
  const contact: [string, string] = ['Contact', '<sip:peer@127.0.0.1:46342>'];
  peer = await startUdpPeer(46342, (request) => {
    if (request.method === 'ACK') {
      const invite = peer!.received.find((entry) => entry.request.method === 'INVITE')!.request;
      const bye = [
        `BYE ${/<([^>]+)>/.exec(getHeader(invite, 'contact') ?? '')![1]} SIP/2.0`,
        'Via: SIP/2.0/UDP 127.0.0.1:46342;branch=z9hG4bKpeerbye1',
        'Max-Forwards: 70',
        `From: ${getHeader(invite, 'to')};tag=peer1`,
        `To: ${getHeader(invite, 'from')}`,
        `Call-ID: ${getHeader(invite, 'call-id')}`,
        'CSeq: 1x BYE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      void peer!.sendLater(peer!.received.length - 1, bye);
      return undefined;
    }
    return { status: 200, reason: 'OK', headers: [contact] };
  });
  const result = await runCall({ uri: 'sip:peer@127.0.0.1:46342', durationMs: 500, timeoutMs: 2000, timers });
  expect(result.transactions.filter((record) => record.step === 'peer')).toMatchObject([{ request: 'BYE', status: 400, reason: 'Bad Request (malformed CSeq)' }]);
  expect(result).toMatchObject({ ok: true, endedBy: 'bye' });
  expect(peer.received.filter((entry) => entry.request.method === 'BYE')).toHaveLength(1);
});
