/**
 * What a test call answers to its peer's session refresh (src/client/call-peer.ts, RFC 4028 §9): `Require: timer`
 * only when the peer's request said it does session timers (Supported or Require: timer); a peer that does not
 * cannot refresh, so our answer names us (`refresher=uas`).
 */
import { describe, expect, test } from 'vitest';
import { answerPeerRequest } from '../../src/client/call-peer.js';
import type { Dialog } from '../../src/client/dialog.js';
import { parseMessage, type SipRequest } from '../../src/sip/index.js';

const dialog: Dialog = {
  callId: 'peer-refresh', localTag: 'ours', remoteTag: 'theirs', localUri: '<sip:caller@127.0.0.1>', remoteUri: '<sip:peer@127.0.0.1>',
  remoteTarget: 'sip:peer@127.0.0.1:5999', routeSet: [], localCSeq: 1, contact: '<sip:caller@127.0.0.1:5998>',
} as Dialog;

function refresh(method: 'INVITE' | 'UPDATE', extra: string[]): SipRequest {
  const message = parseMessage(Buffer.from([
    `${method} sip:caller@127.0.0.1:5998 SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKpeerrefresh',
    'Max-Forwards: 70',
    'From: <sip:peer@127.0.0.1>;tag=theirs',
    'To: <sip:caller@127.0.0.1>;tag=ours',
    'Call-ID: peer-refresh',
    `CSeq: 2 ${method}`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')));
  if (message.kind !== 'request') throw new Error('not a request');
  return message;
}

const timerHeaders = (method: 'INVITE' | 'UPDATE', extra: string[]) => {
  const answer = answerPeerRequest(refresh(method, extra), 2, { dialog, sdp: () => 'v=0\r\n' });
  expect(answer.status).toBe(200);
  return answer.headers.filter(([name]) => name === 'Require' || name === 'Session-Expires');
};

describe('call: our 2xx to the peer\'s session refresh (RFC 4028 §9)', () => {
  test.each(['INVITE', 'UPDATE'] as const)('%s without Supported: timer: no Require: timer, and we are the refresher (refresher=uas)', (method) => {
    expect(timerHeaders(method, ['Session-Expires: 120'])).toEqual([['Session-Expires', '120;refresher=uas']]);
    // a refresher=uac the peer cannot honour (a proxy's Session-Expires) is not kept
    expect(timerHeaders(method, ['Supported: 100rel', 'Session-Expires: 120;refresher=uac'])).toEqual([['Session-Expires', '120;refresher=uas']]);
  });

  test.each(['INVITE', 'UPDATE'] as const)('%s with Supported (or Require): timer: Require: timer, the peer\'s refresher kept, else uas', (method) => {
    expect(timerHeaders(method, ['Supported: timer', 'Session-Expires: 120;refresher=uac'])).toEqual([['Require', 'timer'], ['Session-Expires', '120;refresher=uac']]);
    expect(timerHeaders(method, ['k: 100rel, timer', 'x: 90'])).toEqual([['Require', 'timer'], ['Session-Expires', '90;refresher=uas']]);
    expect(timerHeaders(method, ['Require: timer', 'Session-Expires: 300;refresher=uas'])).toEqual([['Require', 'timer'], ['Session-Expires', '300;refresher=uas']]);
  });

  test('no Session-Expires: no session timer in the answer', () => {
    expect(timerHeaders('UPDATE', ['Supported: timer'])).toEqual([]);
  });
});
