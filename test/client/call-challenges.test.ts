/**
 * Challenges within a call, against a scripted peer (test/client/sip-peer.ts) whose digest is checked by the
 * project's verifier: a re-INVITE challenged with 407 is answered and accepted; a 407 that comes again after the
 * answer (the credential no longer satisfies it) is a mid-call revocation with the auth problem named, BYE sent.
 */
import { afterEach, expect, test } from 'vitest';
import { runCall } from '../../src/client/call.js';
import { parseAuthorization, verifyAuthorization } from '../../src/sip/digest/index.js';
import { getHeader, type SipRequest } from '../../src/sip/index.js';
import { startUdpPeer, type Reply, type SipPeer } from './sip-peer.js';

const PASSWORD = 'call-secret-9';
const REALM = 'in-dialog.test';
let peer: SipPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

function authorized(request: SipRequest, nonce: string, password: string): boolean {
  const value = getHeader(request, 'proxy-authorization');
  if (!value) return false;
  const credentials = parseAuthorization(value, 'proxy-authorization');
  return verifyAuthorization(credentials, { method: request.method, realm: REALM, password, expectedNonce: nonce }).ok;
}

/** 200 to the INVITE; each re-INVITE challenged with 407 (nonce per CSeq) until it carries valid credentials. */
function peerAnswer(port: number, acceptedPassword: string) {
  return (request: SipRequest): Reply | undefined => {
    const contact: [string, string] = ['Contact', `<sip:peer@127.0.0.1:${port}>`];
    if (request.method === 'ACK') return undefined;
    const inDialog = /;tag=/.test(getHeader(request, 'to') ?? '');
    if (request.method === 'INVITE' && inDialog) {
      const nonce = `nonce-${getHeader(request, 'call-id')}`;
      if (authorized(request, nonce, acceptedPassword)) return { status: 200, reason: 'OK', headers: [contact] };
      return { status: 407, reason: 'Proxy Authentication Required', headers: [['Proxy-Authenticate', `Digest realm="${REALM}", nonce="${nonce}", qop="auth", algorithm=MD5`]] };
    }
    return { status: 200, reason: 'OK', headers: [contact] };
  };
}

const options = (port: number) => ({ uri: `sip:peer@127.0.0.1:${port}`, user: 'alice', password: PASSWORD, durationMs: 700, refreshMs: 250, timeoutMs: 2000, timers: { t1: 100, t2: 800 } });

test('a re-INVITE challenged with 407 inside the dialog is answered; the call goes on', async () => {
  peer = await startUdpPeer(45450, peerAnswer(45450, PASSWORD));
  const result = await runCall(options(45450));
  expect(result).toMatchObject({ ok: true, endedBy: 'bye', challenged: true, realm: REALM });
  const first = result.transactions.filter((record) => record.step === 'refresh' && record.refresh === 1).map((record) => record.status);
  expect(first).toEqual([407, 200]);
  // later refreshes carry the credentials pre-emptively (RFC 3261 §22.3): accepted at once
  expect(result.transactions.filter((record) => record.step === 'refresh' && record.refresh === 2).map((record) => record.status)).toEqual([200]);
});

test('a 407 that comes again after our answer is a revocation: the auth problem is named, BYE sent, ok false', async () => {
  peer = await startUdpPeer(45451, peerAnswer(45451, 'not-what-alice-has'));
  const result = await runCall(options(45451));
  expect(result).toMatchObject({ ok: false, endedBy: 'revoked', revocation: { refresh: 1, method: 'INVITE', status: 407 } });
  expect(result.revocation!.authProblem).toMatch(/refused/);
  expect(result.transactions.at(-1)).toMatchObject({ step: 'bye', status: 200 });
});
