/**
 * UAS rules of `sipscope serve`'s core that a peer relies on (RFC 3261 §8.2.2.3 Require/420, §11.2 OPTIONS,
 * §12.2.2 in-dialog CSeq order, §15.1.2 BYE of a call not yet answered, §17.2.1 the 487 after CANCEL resent over
 * UDP until its ACK, §13.3.1.4 the 2xx resent until its ACK or the call's BYE; RFC 4028 §9 session timers). The core is driven directly with parsed
 * requests; authentication is a stub that accepts alice (digest itself is tested in serve.test.ts).
 */
import { describe, expect, test, vi } from 'vitest';
import type { DigestAuthenticator } from '../../src/server/auth.js';
import { ServerCore, type Origin } from '../../src/server/core.js';
import { Registrar } from '../../src/server/registrar.js';
import { getHeader, parseMessage, type SipRequest, type SipResponse } from '../../src/sip/index.js';
import { requestOf } from './serve-helpers.js';

const acceptAlice = { check: () => ({ kind: 'ok', user: 'alice', algorithm: 'MD5' }), challengeHeaders: () => [] } as unknown as DigestAuthenticator;

interface Peer {
  core: ServerCore;
  sent: SipResponse[];
  origin: Origin;
}

function peer(ringMs = 0, reliable = true): Peer {
  const core = new ServerCore({ auth: acceptAlice, registrar: new Registrar(), log: () => {}, ringMs });
  const sent: SipResponse[] = [];
  const origin: Origin = {
    transport: reliable ? 'tcp' : 'udp', local: { address: '127.0.0.1', port: 5060 }, remote: { address: '127.0.0.1', port: 9 }, reliable,
    send: (bytes) => {
      const message = parseMessage(bytes);
      if (message.kind === 'response') sent.push(message);
    },
  };
  return { core, sent, origin };
}

let branches = 0;
function request(method: string, cseq: number, extra: string[] = [], toTag?: string, branch = `z9hG4bKuas${++branches}`, body = ''): SipRequest {
  const lines = [
    `${method} sip:bob@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/TCP 127.0.0.1:9;branch=${branch}`,
    'Max-Forwards: 70',
    'From: <sip:alice@127.0.0.1>;tag=a1',
    `To: <sip:bob@127.0.0.1>${toTag === undefined ? '' : `;tag=${toTag}`}`,
    'Call-ID: uas-rules',
    `CSeq: ${cseq} ${method}`,
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  return requestOf(lines);
}

const statuses = (sent: SipResponse[]) => sent.map((response) => response.status);
const toTagOf = (response: SipResponse) => /;\s*tag=([^;>\s]+)/.exec(getHeader(response, 'to') ?? '')![1];

/** An answered call: the 200's To tag. */
function answeredCall({ core, sent, origin }: Peer): string {
  core.handle(request('INVITE', 1), origin);
  const ok = sent.find((response) => response.status === 200)!;
  core.handle(request('ACK', 1, [], toTagOf(ok)), origin);
  sent.length = 0;
  return toTagOf(ok);
}

describe('serve core: Require (RFC 3261 §8.2.2.3)', () => {
  test('an INVITE requiring 100rel (which serve does not do) gets 420 with Unsupported: 100rel; no call is set up', () => {
    const { core, sent, origin } = peer();
    core.handle(request('INVITE', 1, ['Require: 100rel']), origin);
    expect(statuses(sent)).toEqual([420]);
    expect(getHeader(sent[0], 'unsupported')).toBe('100rel');
    expect(core.dialogs.size).toBe(0);
    core.close();
  });

  test('only the unknown tags are listed; an OPTIONS and a re-INVITE are checked too; Require: timer is accepted', () => {
    const { core, sent, origin } = peer();
    core.handle(request('OPTIONS', 1, ['Require: timer, foo', 'Require: bar']), origin);
    expect(statuses(sent)).toEqual([420]);
    expect(getHeader(sent[0], 'unsupported')).toBe('foo, bar');
    sent.length = 0;
    const tag = answeredCall({ core, sent, origin });
    core.handle(request('INVITE', 2, ['Require: foo'], tag), origin);
    core.handle(request('INVITE', 3, ['Require: timer', 'Session-Expires: 120'], tag), origin);
    expect(statuses(sent)).toEqual([420, 200]);
    core.close();
  });

  test('OPTIONS 200 says what serve supports (§11.2): Supported: timer', () => {
    const { core, sent, origin } = peer();
    core.handle(request('OPTIONS', 1), origin);
    expect(statuses(sent)).toEqual([200]);
    expect(getHeader(sent[0], 'supported')).toBe('timer');
    core.close();
  });
});

describe('serve core: bodies (RFC 3261 §8.2.3)', () => {
  const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

  test('an INVITE whose body is not SDP gets 415 with Accept: application/sdp; no call is set up', () => {
    const { core, sent, origin } = peer();
    core.handle(request('INVITE', 1, ['Content-Type: text/plain'], undefined, undefined, 'hello'), origin);
    expect(statuses(sent)).toEqual([415]);
    expect(getHeader(sent[0], 'accept')).toBe('application/sdp');
    expect(core.dialogs.size).toBe(0);
    core.close();
  });

  test('an SDP offer (any case, with parameters) is taken; so is a re-INVITE with one, and one without a body', () => {
    const { core, sent, origin } = peer();
    core.handle(request('INVITE', 1, ['Content-Type: Application/SDP; charset=utf-8'], undefined, undefined, SDP), origin);
    expect(statuses(sent)).toEqual([100, 180, 200]);
    const tag = toTagOf(sent[2]);
    sent.length = 0;
    core.handle(request('INVITE', 2, ['Content-Type: application/sdp'], tag, undefined, SDP), origin);
    core.handle(request('UPDATE', 3, ['Content-Type: application/json'], tag, undefined, '{}'), origin);
    core.handle(request('UPDATE', 4, [], tag), origin);
    expect(statuses(sent)).toEqual([200, 415, 200]);
    core.close();
  });
});

describe('serve core: requests within a dialog', () => {
  test('§12.2.2: a request with a CSeq lower than the last one in the dialog gets 500; the call stays up', () => {
    const { core, sent, origin } = peer();
    const tag = answeredCall({ core, sent, origin });
    core.handle(request('INVITE', 5, [], tag), origin);
    core.handle(request('ACK', 5, [], tag), origin);
    core.handle(request('INVITE', 4, [], tag), origin);
    core.handle(request('BYE', 3, [], tag), origin);
    expect(statuses(sent)).toEqual([200, 500, 500]);
    expect(core.dialogs.size).toBe(1);
    core.handle(request('BYE', 6, [], tag), origin);
    expect(statuses(sent)).toEqual([200, 500, 500, 200]);
    expect(core.dialogs.size).toBe(0);
    core.close();
  });

  test('§14.2: a re-INVITE while the first INVITE is still unanswered gets 500 with Retry-After (0-10 s); the call goes on', async () => {
    const { core, sent, origin } = peer(50);
    core.handle(request('INVITE', 1), origin);
    const ringing = sent.find((response) => response.status === 180)!;
    core.handle(request('INVITE', 2, [], toTagOf(ringing)), origin);
    const refused = sent.find((response) => getHeader(response, 'cseq') === '2 INVITE')!;
    expect(refused.status).toBe(500);
    expect(Number(getHeader(refused, 'retry-after'))).toBeGreaterThanOrEqual(0);
    expect(Number(getHeader(refused, 'retry-after'))).toBeLessThanOrEqual(10);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(sent.filter((response) => getHeader(response, 'cseq') === '1 INVITE').map((response) => response.status)).toEqual([100, 180, 200]);
    core.close();
  });

  test('§15.1.2: a BYE in the early dialog of a ringing INVITE ends it: 200 to the BYE, 487 to the INVITE, no 200 later', async () => {
    const { core, sent, origin } = peer(50);
    core.handle(request('INVITE', 1), origin);
    const ringing = sent.find((response) => response.status === 180)!;
    core.handle(request('BYE', 2, [], toTagOf(ringing)), origin);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(sent.map((response) => `${response.status} ${getHeader(response, 'cseq')}`)).toEqual(['100 1 INVITE', '180 1 INVITE', '200 2 BYE', '487 1 INVITE']);
    expect(core.dialogs.size).toBe(0);
    core.close();
  });
});

describe('serve core: the INVITE server transaction over UDP (§17.2.1)', () => {
  test('the 487 that ends a cancelled INVITE is resent (Timer G, T1 = 500 ms) until its ACK; none after the ACK', async () => {
    const { core, sent, origin } = peer(5000, false);
    core.handle(request('INVITE', 1, [], undefined, 'z9hG4bKcancelled'), origin);
    core.handle(request('CANCEL', 1, [], undefined, 'z9hG4bKcancelled'), origin);
    const terminated = () => sent.filter((response) => response.status === 487).length;
    expect(terminated()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(terminated()).toBe(2);
    const tag = toTagOf(sent.find((response) => response.status === 487)!);
    core.handle(request('ACK', 1, [], tag, 'z9hG4bKcancelled'), origin);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(terminated()).toBe(2);
    core.close();
  });

  test('§13.3.1.4: the 2xx of an INVITE is resent until the ACK, and no longer once the call\'s BYE came without it (the ACK was lost)', () => {
    vi.useFakeTimers();
    try {
      const { core, sent, origin } = peer(0, false);
      core.handle(request('INVITE', 1), origin);
      const answers = () => sent.filter((response) => response.status === 200 && getHeader(response, 'cseq') === '1 INVITE').length;
      expect(answers()).toBe(1);
      vi.advanceTimersByTime(500);
      expect(answers()).toBe(2);
      core.handle(request('BYE', 2, [], toTagOf(sent.find((response) => response.status === 200)!)), origin);
      expect(sent.some((response) => response.status === 200 && getHeader(response, 'cseq') === '2 BYE')).toBe(true);
      vi.advanceTimersByTime(40_000);
      expect(answers()).toBe(2);
      core.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('serve core: session timers (RFC 4028 §9)', () => {
  /** The 200 that answers this INVITE (a new call) and its Session-Expires and Require. */
  function answerTo(extra: string[]): { sessionExpires?: string; require?: string } {
    const { core, sent, origin } = peer();
    core.handle(request('INVITE', 1, extra), origin);
    const ok = sent.find((response) => response.status === 200)!;
    core.close();
    return { sessionExpires: getHeader(ok, 'session-expires'), require: getHeader(ok, 'require') };
  }

  test('a caller that does not say Supported: timer gets no session timer: no Session-Expires, no Require: timer (serve never refreshes, §9 would make it the refresher)', () => {
    // a proxy may have put Session-Expires into the INVITE of a caller that does not do session timers (§8.1)
    expect(answerTo(['Session-Expires: 120'])).toEqual({ sessionExpires: undefined, require: undefined });
    expect(answerTo(['Supported: 100rel', 'Session-Expires: 120;refresher=uac'])).toEqual({ sessionExpires: undefined, require: undefined });
  });

  test('a refresh (re-INVITE, UPDATE) of a caller that does not say Supported: timer gets no session timer either', () => {
    const { core, sent, origin } = peer();
    const tag = answeredCall({ core, sent, origin });
    core.handle(request('INVITE', 2, ['Session-Expires: 120'], tag), origin);
    core.handle(request('UPDATE', 3, ['Session-Expires: 120'], tag), origin);
    expect(statuses(sent)).toEqual([200, 200]);
    expect(sent.map((response) => [getHeader(response, 'session-expires'), getHeader(response, 'require')])).toEqual([[undefined, undefined], [undefined, undefined]]);
    core.close();
  });

  test('Supported: timer with Session-Expires: the interval is granted unchanged, the caller refreshes (refresher=uac) and Require: timer says so', () => {
    expect(answerTo(['Supported: 100rel, timer', 'Session-Expires: 120'])).toEqual({ sessionExpires: '120;refresher=uac', require: 'timer' });
    expect(answerTo(['Supported: timer', 'Session-Expires: 1800;refresher=uac', 'Min-SE: 90'])).toEqual({ sessionExpires: '1800;refresher=uac', require: 'timer' });
    // compact forms (RFC 3261 §7.3.3, RFC 4028 §4): k = Supported, x = Session-Expires
    expect(answerTo(['k: timer', 'x: 300'])).toEqual({ sessionExpires: '300;refresher=uac', require: 'timer' });
    // Require: timer says the caller does session timers as much as Supported: timer does
    expect(answerTo(['Require: timer', 'Session-Expires: 120'])).toEqual({ sessionExpires: '120;refresher=uac', require: 'timer' });
  });

  test('Supported: timer asking serve to refresh (refresher=uas): no session timer, since serve never sends refreshes', () => {
    expect(answerTo(['Supported: timer', 'Session-Expires: 120;refresher=uas'])).toEqual({ sessionExpires: undefined, require: undefined });
  });

  test('Supported: timer without Session-Expires: serve asks for no session timer', () => {
    expect(answerTo(['Supported: timer'])).toEqual({ sessionExpires: undefined, require: undefined });
  });
});
