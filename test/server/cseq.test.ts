/**
 * The server reads CSeq with the one CSeq parser (RFC 3261 §20.16): the core refuses to act on a request whose
 * CSeq it cannot read (it throws before sending or storing anything; intake.ts answers 400, §8.2.2, §21.4.1), and
 * the registrar answers such a REGISTER 400 rather than storing a binding with a made-up CSeq.
 */
import { describe, expect, test } from 'vitest';
import { DigestAuthenticator } from '../../src/server/auth.js';
import { ServerCore, type Origin } from '../../src/server/core.js';
import { Registrar } from '../../src/server/registrar.js';
import { UserStore } from '../../src/server/users.js';
import type { SipRequest } from '../../src/sip/index.js';
import { requestOf } from './serve-helpers.js';

function request(method: string, cseq: string | undefined, extra: string[] = []): SipRequest {
  const lines = [
    `${method} sip:127.0.0.1 SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKcseq1',
    'Max-Forwards: 70',
    'From: <sip:alice@127.0.0.1>;tag=a1',
    'To: <sip:alice@127.0.0.1>',
    'Call-ID: cseq-test',
    ...(cseq === undefined ? [] : [`CSeq: ${cseq}`]),
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ];
  return requestOf(lines, { datagram: true });
}

const MALFORMED = ['x OPTIONS', '1OPTIONS', '1x OPTIONS', '4294967296 OPTIONS', '1 OPT IONS'];

function coreWithOrigin(): { core: ServerCore; sent: Buffer[]; origin: Origin } {
  const core = new ServerCore({ auth: new DigestAuthenticator('cseq.test', new UserStore()), registrar: new Registrar(), log: () => {}, ringMs: 0 });
  const sent: Buffer[] = [];
  const origin: Origin = {
    transport: 'udp', local: { address: '127.0.0.1', port: 5060 }, remote: { address: '127.0.0.1', port: 9 }, reliable: false,
    send: (bytes) => sent.push(bytes),
  };
  return { core, sent, origin };
}

describe('server core: CSeq through parseCSeq', () => {
  test.each(MALFORMED)('CSeq %j: the core throws bad-cseq or scalar-overflow and sends nothing', (cseq) => {
    const { core, sent, origin } = coreWithOrigin();
    expect(() => core.handle(request('OPTIONS', cseq), origin)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^(bad-cseq|scalar-overflow)$/) }));
    expect(sent).toEqual([]);
    core.close();
  });

  test('a missing CSeq throws missing-header; an ACK with a malformed CSeq throws too (intake drops it unanswered)', () => {
    const { core, sent, origin } = coreWithOrigin();
    expect(() => core.handle(request('OPTIONS', undefined), origin)).toThrow(expect.objectContaining({ code: 'missing-header' }));
    expect(() => core.handle(request('ACK', '1x ACK'), origin)).toThrow(expect.objectContaining({ code: 'bad-cseq' }));
    expect(sent).toEqual([]);
    core.close();
  });

  test('a well-formed CSeq is answered', () => {
    const { core, sent, origin } = coreWithOrigin();
    core.handle(request('OPTIONS', '7 OPTIONS'), origin);
    expect(sent.map((bytes) => bytes.toString('latin1').split('\r\n')[0])).toEqual(['SIP/2.0 200 OK']);
    expect(sent[0].toString('latin1')).toContain('CSeq: 7 OPTIONS');
    core.close();
  });
});

describe('registrar: CSeq through parseCSeq', () => {
  const contact = ['Contact: <sip:alice@127.0.0.1:9>'];

  test.each(['1x REGISTER', 'x REGISTER', '4294967296 REGISTER'])('CSeq %j: 400, no binding', (cseq) => {
    const registrar = new Registrar();
    expect(registrar.register(request('REGISTER', cseq, contact), 'alice')).toEqual({ status: 400, reason: 'Bad Request (missing or malformed CSeq)' });
    expect(registrar.list()).toEqual([]);
  });

  test('a well-formed CSeq binds', () => {
    const registrar = new Registrar();
    expect(registrar.register(request('REGISTER', '3 REGISTER', contact), 'alice')).toMatchObject({ status: 200 });
    expect(registrar.list()).toMatchObject([{ aor: 'alice', contact: 'sip:alice@127.0.0.1:9' }]);
  });
});
