/**
 * The peer's requests that a test call must refuse (RFC 3261 §14.2, §12.2.2): a re-INVITE that arrives while our
 * own re-INVITE is in progress gets 491 (glare; the peer retries later), and a request whose CSeq is lower than
 * the peer's last one in the dialog gets 500; neither ends the call. Scripted peer on 127.0.0.1
 * (test/client/sip-peer.ts), ports 27720-27723. Our own re-INVITE answered 491 is tried again after 2.1 to 4 s
 * (§14.1, we own the Call-ID), not a whole refresh interval later (with session timers, after the session expired).
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

const timers = { t1: 100, t2: 400 };

/** A request of the peer within the dialog the INVITE `invite` set up (the peer's To tag is peer1, sip-peer.ts). */
function peerRequest(invite: SipRequest, method: string, cseq: number, port: number): string {
  return [
    `${method} ${/<([^>]+)>/.exec(getHeader(invite, 'contact') ?? '')![1]} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKpeer${method}${cseq}`,
    'Max-Forwards: 70',
    `From: ${getHeader(invite, 'to')};tag=peer1`,
    `To: ${getHeader(invite, 'from')}`,
    `Call-ID: ${getHeader(invite, 'call-id')}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:peer@127.0.0.1:${port}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

test('§14.2 glare: the peer re-INVITEs while our re-INVITE waits for its answer: 491 to the peer, our refresh goes on', async () => {
  const port = 27720;
  const contact: [string, string] = ['Contact', `<sip:peer@127.0.0.1:${port}>`];
  let glaredBranch: string | undefined;
  peer = await startUdpPeer(port, (request: SipRequest, index): Reply | undefined => {
    if (request.method === 'ACK') return undefined;
    const inDialog = /;tag=/.test(getHeader(request, 'to') ?? '');
    if (request.method === 'INVITE' && inDialog) {
      const branch = /branch=([^;\s]+)/.exec(getHeader(request, 'via') ?? '')![1];
      if (branch === glaredBranch) return undefined; // our first re-INVITE retransmitted: still unanswered
      if (glaredBranch !== undefined) return { status: 200, reason: 'OK', headers: [contact] };
      glaredBranch = branch;
      const invite = peer!.received[0].request;
      // our re-INVITE is pending here: the peer sends its own, then answers ours a little later
      void peer!.sendLater(index, peerRequest(invite, 'INVITE', 1, port));
      setTimeout(() => void peer!.sendLater(index, buildResponse(request, { status: 200, reason: 'OK', headers: [contact] })), 150);
      return undefined;
    }
    return { status: 200, reason: 'OK', headers: [contact] };
  });
  const result = await runCall({ uri: `sip:peer@127.0.0.1:${port}`, durationMs: 600, refreshMs: 200, timeoutMs: 2000, timers });
  expect(result.transactions.filter((record) => record.step === 'peer')).toMatchObject([{ request: 'INVITE', status: 491 }]);
  expect(result).toMatchObject({ ok: true, endedBy: 'bye' });
  expect(result.refreshes.ok).toBeGreaterThanOrEqual(1);
});

test('§12.2.2: a request of the peer with a CSeq lower than its last one gets 500; the call goes on', async () => {
  const port = 27721;
  const contact: [string, string] = ['Contact', `<sip:peer@127.0.0.1:${port}>`];
  peer = await startUdpPeer(port, (request: SipRequest, index): Reply | undefined => {
    if (request.method === 'ACK') {
      if (/;tag=/.test(getHeader(request, 'to') ?? '') && peer!.received.filter((entry) => entry.request.method === 'ACK').length === 1) {
        const invite = peer!.received[0].request;
        void peer!.sendLater(index, peerRequest(invite, 'UPDATE', 5, port));
        setTimeout(() => void peer!.sendLater(index, peerRequest(invite, 'UPDATE', 3, port)), 50);
      }
      return undefined;
    }
    return { status: 200, reason: 'OK', headers: [contact] };
  });
  const result = await runCall({ uri: `sip:peer@127.0.0.1:${port}`, durationMs: 400, timeoutMs: 2000, timers });
  expect(result.transactions.filter((record) => record.step === 'peer').map((record) => `${record.request} ${record.cseq} ${record.status}`))
    .toEqual(['UPDATE 5 200', 'UPDATE 3 500']);
  expect(result).toMatchObject({ ok: true, endedBy: 'bye' });
});

test('§14.1: our re-INVITE answered 491 is sent again 2.1 to 4 s later, not a refresh interval later', async () => {
  const port = 27723;
  const contact: [string, string] = ['Contact', `<sip:peer@127.0.0.1:${port}>`];
  let refreshes = 0;
  // the latest the retry may come: a 4 s timer of this test, started when the ACK of the 491 (which the client sends
  // on the 491's arrival, §17.1.1.3, before it plans the retry) reached the peer; peer and client share this process,
  // so a stall of its event loop under CI load delays this timer as it delays the client's
  let latest: Promise<number> | undefined;
  peer = await startUdpPeer(port, (request: SipRequest): Reply | undefined => {
    if (request.method === 'ACK') {
      if (refreshes === 1) latest ??= new Promise((resolve) => setTimeout(() => resolve(Date.now()), 4000));
      return undefined;
    }
    if (request.method === 'INVITE' && /;tag=/.test(getHeader(request, 'to') ?? '')) {
      return ++refreshes === 1 ? { status: 491, reason: 'Request Pending' } : { status: 200, reason: 'OK', headers: [contact] };
    }
    return { status: 200, reason: 'OK', headers: [contact] };
  });
  // a refresh every 4.5 s for 8.95 s: the second regular one (9 s) would come after the end, the retry (4.5 s + at
  // most 4 s) comes before it with 450 ms to spare for a loaded machine (8.7 s left 200 ms: a late retry met the end)
  const result = await runCall({ uri: `sip:peer@127.0.0.1:${port}`, durationMs: 8950, refreshMs: 4500, timeoutMs: 2000, timers });
  const reinvites = peer.received.filter((entry) => entry.request.method === 'INVITE' && /;tag=/.test(getHeader(entry.request, 'to') ?? ''));
  expect(reinvites).toHaveLength(2);
  const gap = reinvites[1].at - reinvites[0].at;
  expect(gap).toBeGreaterThanOrEqual(2100 - 20);
  // a retry a refresh interval (4.5 s) later comes 500 ms after this; 250 ms are the retry's way over loopback
  expect(latest, 'the 491 was acknowledged').toBeDefined();
  expect(reinvites[1].at - (await latest!), `retry ${gap} ms after the first re-INVITE`).toBeLessThan(250);
  expect(result).toMatchObject({ ok: true, endedBy: 'bye', refreshes: { sent: 2, ok: 1 } });
}, 15_000);
