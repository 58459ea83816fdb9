/**
 * Session timers in `sipscope serve`'s core (RFC 4028): an interval below serve's minimum gets 422 with Min-SE (§9,
 * §6); a granted session that sees no refresh gets a BYE from serve min(32 s, interval/3) before it expires (§10),
 * a refresh starting the interval again and the end of the call stopping it. The core is driven directly with
 * parsed requests (authentication a stub accepting alice) under fake timers.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { DigestAuthenticator } from '../../src/server/auth.js';
import { ServerCore, type Origin } from '../../src/server/core.js';
import { Registrar } from '../../src/server/registrar.js';
import { getHeader, getHeaders, parseMessage, type SipRequest, type SipResponse } from '../../src/sip/index.js';
import { requestOf } from './serve-helpers.js';

const acceptAlice = { check: () => ({ kind: 'ok', user: 'alice', algorithm: 'MD5' }), challengeHeaders: () => [] } as unknown as DigestAuthenticator;

interface Peer {
  core: ServerCore;
  responses: SipResponse[];
  requests: SipRequest[];
  origin: Origin;
  log: string[];
}

function peer(options: { minSessionExpires?: number; reliable?: boolean } = {}): Peer {
  const log: string[] = [];
  const core = new ServerCore({ auth: acceptAlice, registrar: new Registrar(), log: (line) => log.push(line), ringMs: 0, minSessionExpires: options.minSessionExpires });
  const responses: SipResponse[] = [];
  const requests: SipRequest[] = [];
  const reliable = options.reliable ?? true;
  const origin: Origin = {
    transport: reliable ? 'tcp' : 'udp', local: { address: '127.0.0.1', port: 5060 }, remote: { address: '127.0.0.1', port: 5999 }, reliable,
    send: (bytes) => {
      const message = parseMessage(bytes);
      if (message.kind === 'response') responses.push(message);
      else requests.push(message);
    },
  };
  return { core, responses, requests, origin, log };
}

let branches = 0;
function request(method: string, cseq: number, extra: string[] = [], toTag?: string): SipRequest {
  return requestOf([
    `${method} sip:bob@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKtimer${++branches}`,
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@127.0.0.1>;tag=caller1',
    `To: <sip:bob@127.0.0.1>${toTag === undefined ? '' : `;tag=${toTag}`}`,
    'Call-ID: session-timers',
    `CSeq: ${cseq} ${method}`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ]);
}

const toTagOf = (response: SipResponse) => /;\s*tag=([^;>\s]+)/.exec(getHeader(response, 'to') ?? '')![1];
const TIMER = ['Supported: timer'];
const CONTACT = 'Contact: <sip:alice@127.0.0.1:5999;transport=tcp>';

/** An INVITE asking for `sessionExpires` (refresher=uac), answered and ACKed: the 200's To tag. */
function grantedCall({ core, responses, origin }: Peer, sessionExpires: number, extra: string[] = []): string {
  core.handle(request('INVITE', 1, [...TIMER, `Session-Expires: ${sessionExpires};refresher=uac`, CONTACT, ...extra]), origin);
  const ok = responses.find((response) => response.status === 200);
  expect(ok, 'the INVITE is answered 200').toBeDefined();
  expect(getHeader(ok!, 'session-expires')).toBe(`${sessionExpires};refresher=uac`);
  core.handle(request('ACK', 1, [], toTagOf(ok!)), origin);
  responses.length = 0;
  return toTagOf(ok!);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('serve: 422 Session Interval Too Small (RFC 4028 §9, §6)', () => {
  test('a caller doing session timers asking for less than 90 s (the default minimum) gets 422 with Min-SE: 90; no call is set up', () => {
    const { core, responses, origin } = peer();
    core.handle(request('INVITE', 1, [...TIMER, 'Session-Expires: 60']), origin);
    expect(responses.map((response) => response.status)).toEqual([422]);
    expect(responses[0].reason).toBe('Session Interval Too Small');
    expect(getHeader(responses[0], 'min-se')).toBe('90');
    expect(core.dialogs.size).toBe(0);
    // its retry with the interval raised to the Min-SE is granted
    responses.length = 0;
    core.handle(request('INVITE', 2, [...TIMER, 'Session-Expires: 90', 'Min-SE: 90']), origin);
    expect(responses.map((response) => response.status)).toEqual([100, 180, 200]);
    expect(getHeader(responses[2], 'session-expires')).toBe('90;refresher=uac');
    core.close();
  });

  test('the minimum is configurable (--min-se); Require: timer counts as doing session timers; compact x: is read', () => {
    const { core, responses, origin } = peer({ minSessionExpires: 1800 });
    core.handle(request('INVITE', 1, ['Require: timer', 'x: 1799']), origin);
    expect(responses.map((response) => [response.status, getHeader(response, 'min-se')])).toEqual([[422, '1800']]);
    core.close();
  });

  test('a caller that does not do session timers is not refused for a small interval (erratum 1687): 200 without a session timer', () => {
    const { core, responses, origin } = peer();
    core.handle(request('INVITE', 1, ['Session-Expires: 30']), origin);
    expect(responses.map((response) => response.status)).toEqual([100, 180, 200]);
    expect(getHeader(responses[2], 'session-expires')).toBeUndefined();
    core.close();
  });

  test('a refresh (UPDATE, re-INVITE) asking for less than the minimum gets 422; the call stays up with its timer', () => {
    const p = peer({ minSessionExpires: 3 });
    const tag = grantedCall(p, 3);
    p.core.handle(request('UPDATE', 2, [...TIMER, 'Session-Expires: 2'], tag), p.origin);
    p.core.handle(request('INVITE', 3, [...TIMER, 'Session-Expires: 2'], tag), p.origin);
    expect(p.responses.map((response) => [response.status, getHeader(response, 'min-se')])).toEqual([[422, '3'], [422, '3']]);
    expect(p.core.dialogs.size).toBe(1);
    p.core.close();
  });

  test('a small interval in a request of no dialog of ours is answered as such a request first: 481 (RFC 3261 §12.2.2), not 422', () => {
    const p = peer({ minSessionExpires: 90 });
    p.core.handle(request('UPDATE', 2, [...TIMER, 'Session-Expires: 30'], 'no-such-dialog'), p.origin);
    p.core.handle(request('INVITE', 3, [...TIMER, 'Session-Expires: 30'], 'no-such-dialog'), p.origin);
    p.core.handle(request('UPDATE', 4, [...TIMER, 'Session-Expires: 30']), p.origin);
    expect(p.responses.map((response) => response.status)).toEqual([481, 481, 481]);
    p.core.close();
  });
});

describe('serve: a granted session that is not refreshed ends with our BYE (RFC 4028 §10)', () => {
  test('interval 3 s, refresher=uac, no refresh: BYE 2 s after the 200 (3 s - min(32 s, 1 s)), built from the dialog; the call is gone', () => {
    const p = peer({ minSessionExpires: 3 });
    const tag = grantedCall(p, 3, ['Record-Route: <sip:proxy1.test;lr>', 'Record-Route: <sip:proxy2.test;lr>']);
    vi.advanceTimersByTime(1999);
    expect(p.requests).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(p.requests.map((sent) => sent.method)).toEqual(['BYE']);
    const bye = p.requests[0];
    // RFC 3261 §12.2.1.1: Request-URI the remote target (the caller's Contact), Route the route set in order,
    // From our URI with our tag, To the caller's with its tag, the dialog's Call-ID
    expect(bye.uri).toBe('sip:alice@127.0.0.1:5999;transport=tcp');
    expect(getHeaders(bye, 'route')).toEqual(['<sip:proxy1.test;lr>', '<sip:proxy2.test;lr>']);
    expect(getHeader(bye, 'from')).toBe(`<sip:bob@127.0.0.1>;tag=${tag}`);
    expect(getHeader(bye, 'to')).toBe('"Alice" <sip:alice@127.0.0.1>;tag=caller1');
    expect(getHeader(bye, 'call-id')).toBe('session-timers');
    expect(getHeader(bye, 'cseq')).toMatch(/^\d+ BYE$/);
    expect(getHeader(bye, 'via')).toMatch(/^SIP\/2\.0\/TCP 127\.0\.0\.1:5060;branch=z9hG4bK/);
    expect(p.core.dialogs.size).toBe(0);
    expect(p.core.counts.sessionExpired).toBe(1);
    expect(p.log.join('\n')).toMatch(/call session-timers of user "alice" ended by session expiry/);
    // the caller's late refresh finds no call
    p.core.handle(request('UPDATE', 2, [...TIMER, 'Session-Expires: 3'], tag), p.origin);
    expect(p.responses.map((response) => response.status)).toEqual([481]);
    p.core.close();
  });

  test('each granted refresh starts the interval again; the BYE comes 2 s after the last one', () => {
    const p = peer({ minSessionExpires: 3 });
    const tag = grantedCall(p, 3);
    vi.advanceTimersByTime(1500);
    p.core.handle(request('UPDATE', 2, [...TIMER, 'Session-Expires: 3;refresher=uac'], tag), p.origin);
    expect(p.responses.map((response) => response.status)).toEqual([200]);
    vi.advanceTimersByTime(1999);
    expect(p.requests).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(p.requests.map((sent) => sent.method)).toEqual(['BYE']);
    p.core.close();
  });

  test('the caller\'s BYE stops the timer; so does a refresh answered without a session timer', () => {
    const ended = peer({ minSessionExpires: 3 });
    ended.core.handle(request('BYE', 2, [], grantedCall(ended, 3)), ended.origin);
    const dropped = peer({ minSessionExpires: 3 });
    // a re-INVITE without Session-Expires: the 200 has none, no session timer from then on
    dropped.core.handle(request('INVITE', 2, TIMER, grantedCall(dropped, 3)), dropped.origin);
    expect(getHeader(dropped.responses[0], 'session-expires')).toBeUndefined();
    vi.advanceTimersByTime(60_000);
    expect(ended.requests).toEqual([]);
    expect(dropped.requests).toEqual([]);
    expect(dropped.core.dialogs.size).toBe(1);
    ended.core.close();
    dropped.core.close();
  });

  test('over UDP the BYE is resent (Timer E) until a response to it arrives', () => {
    const p = peer({ minSessionExpires: 3, reliable: false });
    grantedCall(p, 3);
    vi.advanceTimersByTime(2000);
    expect(p.requests.map((sent) => sent.method)).toEqual(['BYE']);
    vi.advanceTimersByTime(500);
    expect(p.requests.map((sent) => sent.method)).toEqual(['BYE', 'BYE']);
    const bye = p.requests[0];
    const ok = parseMessage(Buffer.from([
      'SIP/2.0 200 OK', `Via: ${getHeader(bye, 'via')}`, `From: ${getHeader(bye, 'from')}`, `To: ${getHeader(bye, 'to')}`,
      `Call-ID: ${getHeader(bye, 'call-id')}`, `CSeq: ${getHeader(bye, 'cseq')}`, 'Content-Length: 0', '', '',
    ].join('\r\n')));
    if (ok.kind !== 'response') throw new Error('not a response');
    p.core.response(ok);
    vi.advanceTimersByTime(30_000);
    expect(p.requests).toHaveLength(2);
    p.core.close();
  });
});
