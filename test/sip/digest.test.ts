import { describe, expect, it } from 'vitest';
import {
  buildAuthorization,
  chooseChallenge,
  chooseChallengePerRealm,
  chooseQop,
  DigestError,
  DigestClient,
  NonceCounter,
  parseAuthenticateHeaders,
  parseAuthorization,
  parseChallenges,
  verifyAuthorization,
  formatNonceCount,
  type DigestChallenge,
} from '../../src/sip/digest/index.js';

function challengeOf(value: string, header: 'www-authenticate' | 'proxy-authenticate' = 'www-authenticate'): DigestChallenge {
  const [challenge] = parseChallenges([value], header);
  if (challenge === undefined) throw new Error(`no Digest challenge in ${value}`);
  return challenge;
}

function expectDigestError(run: () => unknown, code: string): DigestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DigestError);
    expect((error as DigestError).code).toBe(code);
    return error as DigestError;
  }
  throw new Error(`expected DigestError ${code}, nothing was thrown`);
}

// RFC 2617 §3.5: the challenge, credentials and the response digest printed there.
const RFC2617_CHALLENGE =
  'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

// RFC 7616 §3.9.1: one challenge per algorithm, user Mufasa, password "Circle of Life" (lowercase "of", erratum 4495).
const RFC7616_NONCE = '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v';
const RFC7616_OPAQUE = 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS';
const RFC7616_CNONCE = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
const RFC7616_CHALLENGES = [
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="${RFC7616_NONCE}", opaque="${RFC7616_OPAQUE}"`,
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="${RFC7616_NONCE}", opaque="${RFC7616_OPAQUE}"`,
];

describe('published vectors, computed and verified', () => {
  it('RFC 2617 §3.5 (MD5, qop=auth)', () => {
    const built = buildAuthorization({
      challenge: challengeOf(RFC2617_CHALLENGE),
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      cnonce: '0a4f113b',
      nonceCount: 1,
    });
    expect(built.params.response).toBe('6629fae49393a05397450978507c4ef1');
    expect(built.header).toBe('authorization');
    expect(built.value).toContain('nc=00000001');
    expect(built.value).toContain('qop=auth,');
    expect(built.value).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    // RFC 2617's challenge has no algorithm parameter: none is echoed.
    expect(built.value).not.toContain('algorithm=');
    const credentials = parseAuthorization(built.value);
    expect(verifyAuthorization(credentials, { method: 'GET', realm: 'testrealm@host.com', password: 'Circle Of Life' })).toEqual({
      ok: true,
      reason: 'ok',
      algorithm: 'MD5',
      nonceCount: 1,
    });
  });

  it('RFC 2617 §3.5 credentials as printed in the RFC verify', () => {
    const printed =
      'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", ' +
      'qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';
    const credentials = parseAuthorization(printed);
    expect(verifyAuthorization(credentials, { method: 'GET', uri: '/dir/index.html', realm: 'testrealm@host.com', password: 'Circle Of Life' }).ok).toBe(true);
    expect(verifyAuthorization(credentials, { method: 'GET', realm: 'testrealm@host.com', password: 'Circle of Life' }).reason).toBe('bad-response');
  });

  it.each([
    ['SHA-256', RFC7616_CHALLENGES[0]!, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
    ['MD5', RFC7616_CHALLENGES[1]!, '8ca523f5e9506fed4657c9700eebdbec'],
  ])('RFC 7616 §3.9.1 %s', (algorithm, challengeText, expected) => {
    const built = buildAuthorization({
      challenge: challengeOf(challengeText),
      username: 'Mufasa',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      cnonce: RFC7616_CNONCE,
      nonceCount: 1,
    });
    expect(built.params.response).toBe(expected);
    expect(built.params.algorithm).toBe(algorithm);
    const verdict = verifyAuthorization(parseAuthorization(built.value), {
      method: 'GET',
      uri: '/dir/index.html',
      realm: 'http-auth@example.org',
      password: 'Circle of Life',
      expectedNonce: RFC7616_NONCE,
    });
    expect(verdict.ok).toBe(true);
  });

  it('RFC 7616 §3.9.1: of both challenges, SHA-256 is chosen', () => {
    const challenges = parseChallenges(RFC7616_CHALLENGES, 'www-authenticate');
    expect(chooseChallenge(challenges)?.algorithm).toBe('SHA-256');
    expect(chooseChallenge([...challenges].reverse())?.algorithm).toBe('SHA-256');
  });

  it('RFC 2069 compatibility: no qop gives H(HA1:nonce:HA2) and no nc/cnonce/qop', () => {
    // RFC 2069 §2.4 example (password "CircleOfLife", response printed there).
    const built = buildAuthorization({
      challenge: challengeOf('Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'),
      username: 'Mufasa',
      password: 'CircleOfLife',
      method: 'GET',
      uri: '/dir/index.html',
    });
    expect(built.params.response).toBe('1949323746fe6a43ef61f9606e7febea');
    expect(built.value).not.toMatch(/qop=|nc=|cnonce=/);
    expect(verifyAuthorization(parseAuthorization(built.value), { method: 'GET', realm: 'testrealm@host.com', password: 'CircleOfLife' }).ok).toBe(true);
  });
});

describe('parseChallenges', () => {
  it('reads several challenges in one value and in several lines, skipping other schemes', () => {
    const parsed = parseAuthenticateHeaders(
      [
        'Basic realm="legacy", Digest realm="a.example", nonce="n1", algorithm=SHA-256, qop="auth", Bearer abc.def/ghi==',
        'digest REALM="b example", NONCE=n2, ALGORITHM=md5, Digest realm="c", nonce="n3"',
      ],
      'proxy-authenticate',
    );
    expect(parsed.digest.map((challenge) => [challenge.realm, challenge.nonce, challenge.algorithm, challenge.header])).toEqual([
      ['a.example', 'n1', 'SHA-256', 'proxy-authenticate'],
      ['b example', 'n2', 'MD5', 'proxy-authenticate'],
      ['c', 'n3', 'MD5', 'proxy-authenticate'],
    ]);
    expect(parsed.digest[1]!.algorithmOffered).toBe('md5');
    expect(parsed.digest[2]!.algorithmOffered).toBeUndefined();
    expect(parsed.other.map((other) => [other.scheme, other.params.realm, other.token68])).toEqual([
      ['Basic', 'legacy', undefined],
      ['Bearer', undefined, 'abc.def/ghi=='],
    ]);
  });

  it('unescapes quoted-pairs and keeps spaces and commas inside quotes', () => {
    const challenge = challengeOf('Digest realm="My \\"home\\" realm, floor 2\\\\3", nonce="a,b", domain="sip:a.example sip:b.example", stale=TRUE, opaque=""');
    expect(challenge.realm).toBe('My "home" realm, floor 2\\3');
    expect(challenge.nonce).toBe('a,b');
    expect(challenge.domain).toEqual(['sip:a.example', 'sip:b.example']);
    expect(challenge.stale).toBe(true);
    expect(challenge.opaque).toBe('');
  });

  it('reads qop lists, unknown algorithms and extension params', () => {
    const challenge = challengeOf('Digest realm="r", nonce="n", qop="auth-int , AUTH", algorithm=AKAv1-MD5, x-ext=1, userhash=true, charset=UTF-8');
    expect(challenge.qop).toEqual(['auth-int', 'auth']);
    expect(challenge.algorithm).toBeUndefined();
    expect(challenge.algorithmOffered).toBe('AKAv1-MD5');
    expect(challenge.params['x-ext']).toBe('1');
    expect(challenge.userhash).toBe(true);
    expect(challenge.charset).toBe('UTF-8');
    expect(chooseChallenge([challenge])).toBeUndefined();
    expectDigestError(() => buildAuthorization({ challenge, username: 'u', password: 'p', method: 'REGISTER', uri: 'sip:r' }), 'digest-unsupported-algorithm');
  });

  it.each([
    ['Digest realm="r", nonce="n', 'digest-syntax'],
    ['Digest realm="r" nonce="n"', 'digest-syntax'],
    ['realm="r", nonce="n"', 'digest-syntax'],
    ['Digest realm="r", realm="s", nonce="n"', 'digest-duplicate-param'],
    ['Digest realm="r"', 'digest-missing-param'],
    ['Digest nonce="n"', 'digest-missing-param'],
    ['Digest realm=, nonce="n"', 'digest-syntax'],
    ['Digest @realm="r"', 'digest-syntax'],
  ])('rejects %s with %s', (value, code) => {
    const error = expectDigestError(() => parseChallenges([value], 'www-authenticate'), code);
    expect(error.message).toContain('www-authenticate');
  });

  it('says where the problem is', () => {
    const error = expectDigestError(() => parseChallenges(['Digest realm="ok", nonce="n"', 'Digest realm="r" nonce="n"'], 'www-authenticate'), 'digest-syntax');
    expect(error.message).toContain('line 2');
    expect(error.offset).toBe('Digest realm="r" '.length);
  });
});

describe('chooseChallenge and chooseQop', () => {
  const make = (algorithm: string, qop?: string) => challengeOf(`Digest realm="r", nonce="n-${algorithm}", algorithm=${algorithm}${qop === undefined ? '' : `, qop="${qop}"`}`);

  it('prefers SHA-512-256 > SHA-256 > MD5, plain over -sess', () => {
    const offered = [make('MD5', 'auth'), make('SHA-256-sess', 'auth'), make('SHA-256', 'auth'), make('SHA-512-256-sess', 'auth'), make('MD5-sess', 'auth')];
    expect(chooseChallenge(offered)?.algorithm).toBe('SHA-512-256-sess');
    expect(chooseChallenge(offered.slice(0, 3))?.algorithm).toBe('SHA-256');
    expect(chooseChallenge([make('MD5-sess', 'auth'), make('MD5', 'auth')])?.algorithm).toBe('MD5');
  });

  it('among equal algorithms prefers qop auth, then auth-int, then none; skips unknown qop', () => {
    expect(chooseChallenge([make('MD5'), make('MD5', 'auth-int'), make('MD5', 'auth')])?.qop).toEqual(['auth']);
    expect(chooseChallenge([make('MD5'), make('MD5', 'auth-int')])?.qop).toEqual(['auth-int']);
    expect(chooseChallenge([make('SHA-256', 'weird')])).toBeUndefined();
    expect(chooseQop(make('MD5', 'auth-int,auth'))).toBe('auth');
    expect(chooseQop(make('MD5'))).toBeNull();
  });

  it('keeps one challenge per realm (RFC 3261 §22.3)', () => {
    const chosen = chooseChallengePerRealm(parseChallenges(['Digest realm="a", nonce="1"', 'Digest realm="b", nonce="2", algorithm=SHA-256', 'Digest realm="a", nonce="3", algorithm=SHA-256'], 'proxy-authenticate'));
    expect(chosen.map((challenge) => challenge.nonce).sort()).toEqual(['2', '3']);
  });
});

describe('buildAuthorization', () => {
  it('answers a Proxy-Authenticate challenge with Proxy-Authorization and echoes the algorithm token as offered', () => {
    const built = buildAuthorization({
      challenge: challengeOf('Digest realm="proxy", nonce="n", algorithm=sha-256, qop="auth"', 'proxy-authenticate'),
      username: 'alice',
      password: 'secret',
      method: 'INVITE',
      uri: 'sip:bob@example.com',
    });
    expect(built.header).toBe('proxy-authorization');
    expect(built.value).toContain('algorithm=sha-256');
    expect(built.params.cnonce).toMatch(/^[0-9a-f]{32}$/);
  });

  it('hashes the body for auth-int and refuses a qop that was not offered', () => {
    const challenge = challengeOf('Digest realm="r", nonce="n", qop="auth-int"');
    const first = buildAuthorization({ challenge, username: 'u', password: 'p', method: 'MESSAGE', uri: 'sip:x', body: 'hello', cnonce: 'c' });
    const second = buildAuthorization({ challenge, username: 'u', password: 'p', method: 'MESSAGE', uri: 'sip:x', body: 'hellp', cnonce: 'c' });
    expect(first.params.qop).toBe('auth-int');
    expect(first.params.response).not.toBe(second.params.response);
    expectDigestError(() => buildAuthorization({ challenge, username: 'u', password: 'p', method: 'MESSAGE', uri: 'sip:x', qop: 'auth' }), 'digest-unsupported-qop');
    expectDigestError(() => buildAuthorization({ challenge, username: 'u', method: 'MESSAGE', uri: 'sip:x' }), 'digest-missing-secret');
  });

  it('escapes quotes in the username and round-trips through parseAuthorization', () => {
    const built = buildAuthorization({ challenge: challengeOf('Digest realm="r", nonce="n", qop=auth'), username: 'a"b\\c', password: 'p', method: 'REGISTER', uri: 'sip:r' });
    const credentials = parseAuthorization(built.value);
    expect(credentials.username).toBe('a"b\\c');
    expect(credentials).toEqual(built.params);
  });

  it('sends a hashed username when the challenge asks for userhash (RFC 7616 §3.4.4)', () => {
    const challenge = challengeOf('Digest realm="api@example.org", nonce="n", algorithm=SHA-512-256, qop=auth, userhash=true');
    const built = buildAuthorization({ challenge, username: 'J\u00e4s\u00f8n Doe', password: 'Secret, or not?', method: 'GET', uri: '/doe.json' });
    expect(built.params.username).toMatch(/^[0-9a-f]{64}$/);
    expect(built.value).toContain('userhash=true');
    const credentials = parseAuthorization(built.value);
    expect(verifyAuthorization(credentials, { method: 'GET', realm: 'api@example.org', username: 'J\u00e4s\u00f8n Doe', password: 'Secret, or not?' }).ok).toBe(true);
    expect(verifyAuthorization(credentials, { method: 'GET', realm: 'api@example.org', username: 'Jason Doe', password: 'Secret, or not?' }).reason).toBe('wrong-username');
  });

  it('formats nc as 8 hex digits', () => {
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(0x1a2b)).toBe('00001a2b');
    expect(formatNonceCount(0xffffffff)).toBe('ffffffff');
    expect(() => formatNonceCount(0)).toThrow(RangeError);
  });

  it('NonceCounter counts per nonce and resets on a new one', () => {
    const counter = new NonceCounter();
    expect([counter.next('a'), counter.next('a'), counter.next('a'), counter.next('b'), counter.next('b'), counter.next('a')]).toEqual([1, 2, 3, 1, 2, 1]);
  });
});

describe('parseAuthorization', () => {
  it('reads what a capture holds: username, realm, algorithm, qop, nc, in any case and order', () => {
    const credentials = parseAuthorization(
      'DIGEST Response="0123456789abcdef0123456789abcdef", ALGORITHM=MD5, Username="1001", Realm="pbx.example", nonce="YzQ5", URI="sip:pbx.example", qop=auth, NC=0000000a, cnonce="x"',
      'proxy-authorization',
    );
    expect([credentials.username, credentials.realm, credentials.algorithm, credentials.qop, credentials.nc, credentials.uri]).toEqual(['1001', 'pbx.example', 'MD5', 'auth', '0000000a', 'sip:pbx.example']);
  });

  it('decodes username* (RFC 7616 §3.4.4)', () => {
    const credentials = parseAuthorization(`Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm="r", nonce="n", uri="/", response="00"`);
    expect(credentials.username).toBe('J\u00e4s\u00f8n Doe');
  });

  it.each([
    ['Basic dXNlcjpwYXNz', 'digest-not-digest'],
    ['', 'digest-not-digest'],
    ['Digest username="u", realm="r", nonce="n", uri="/"', 'digest-missing-param'],
    ['Digest username="u", realm="r", nonce="n", uri="/", response="x", Digest username="v"', 'digest-syntax'],
    ['Digest username="u, realm="r"', 'digest-syntax'],
  ])('rejects %s with %s', (value, code) => {
    expectDigestError(() => parseAuthorization(value), code);
  });
});

describe('DigestClient', () => {
  it('answers each realm once, counts nc per nonce, and resets on a new nonce', () => {
    const session = new DigestClient('alice', 'pw');
    const request = { method: 'REGISTER', uri: 'sip:pbx' };
    expect(session.authorizeAgain(request)).toEqual([]);
    const first = session.answer(
      parseChallenges(['Digest realm="pbx", nonce="n1", qop="auth", algorithm=MD5', 'Digest realm="pbx", nonce="n2", qop="auth", algorithm=SHA-256'], 'www-authenticate'),
      request,
    );
    expect(first.map((built) => [built.params.algorithm, built.params.nonce, built.params.nc])).toEqual([['SHA-256', 'n2', '00000001']]);
    expect(session.authorizeAgain(request)[0]!.params.nc).toBe('00000002');
    const renewed = session.answer(parseChallenges(['Digest realm="pbx", nonce="n3", qop="auth", algorithm=SHA-256, stale=true'], 'www-authenticate'), request);
    expect(renewed[0]!.params.nc).toBe('00000001');
    for (const built of renewed) {
      expect(verifyAuthorization(parseAuthorization(built.value), { method: 'REGISTER', realm: 'pbx', password: 'pw' }).ok).toBe(true);
    }
  });

  it('says what was offered when nothing can be answered', () => {
    const session = new DigestClient('alice', 'pw');
    const error = expectDigestError(() => session.answer(parseChallenges(['Digest realm="x", nonce="n", algorithm=AKAv1-MD5'], 'www-authenticate'), { method: 'REGISTER', uri: 'sip:x' }), 'digest-unsupported-algorithm');
    expect(error.message).toContain('AKAv1-MD5');
  });
});
