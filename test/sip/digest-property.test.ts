import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildAuthorization,
  DIGEST_ALGORITHMS,
  parseAuthorization,
  parseChallenges,
  quoteString,
  verifyAuthorization,
  type DigestQop,
} from '../../src/sip/digest/index.js';

const RUNS = 150;

// Parameter values as a server or user might choose them: any printable text, including quotes, backslashes,
// commas and non-ASCII, which must survive quoting (RFC 3261 §25.1 quoted-pair).
const text = fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme' }).filter((value) => !/[\r\n]/.test(value));
const token = fc.stringMatching(/^[A-Za-z0-9.!%*_+`'~-]{1,16}$/);
const method = fc.constantFrom('REGISTER', 'INVITE', 'OPTIONS', 'MESSAGE', 'BYE');
const uri = fc.constantFrom('sip:example.com', 'sip:alice@127.0.0.1:5060;transport=tcp', 'sips:[::1]:5061', 'tel:+15551234');
const qop = fc.constantFrom<DigestQop | null>('auth', 'auth-int', null);

const exchange = fc.record({
  algorithm: fc.constantFrom(...DIGEST_ALGORITHMS),
  qop,
  realm: text,
  nonce: text,
  opaque: fc.option(text, { nil: undefined }),
  username: text,
  password: fc.string({ maxLength: 24, unit: 'grapheme' }),
  method,
  uri,
  body: fc.string({ maxLength: 40 }),
  cnonce: token,
  nonceCount: fc.integer({ min: 1, max: 0xffffffff }),
});
type Exchange = typeof exchange extends fc.Arbitrary<infer T> ? T : never;

function challengeText(input: Exchange): string {
  const parts = [`realm=${quoteString(input.realm)}`, `nonce=${quoteString(input.nonce)}`, `algorithm=${input.algorithm}`];
  if (input.qop !== null) parts.push(`qop="${input.qop}"`);
  if (input.opaque !== undefined) parts.push(`opaque=${quoteString(input.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

function build(input: Exchange) {
  const [challenge] = parseChallenges([challengeText(input)], 'www-authenticate');
  return buildAuthorization({
    challenge: challenge!,
    username: input.username,
    password: input.password,
    method: input.method,
    uri: input.uri,
    body: input.body,
    cnonce: input.cnonce,
    nonceCount: input.nonceCount,
  });
}

describe('build -> parse -> verify round trip, every algorithm and qop', () => {
  it('verifies what was built, with the challenge values echoed', () => {
    fc.assert(
      fc.property(exchange, (input) => {
        const built = build(input);
        const credentials = parseAuthorization(built.value);
        expect(credentials).toEqual(built.params);
        expect(credentials.realm).toBe(input.realm);
        expect(credentials.nonce).toBe(input.nonce);
        expect(credentials.opaque).toBe(input.opaque);
        expect(credentials.algorithm).toBe(input.algorithm);
        expect(credentials.qop).toBe(input.qop ?? undefined);
        const verdict = verifyAuthorization(credentials, {
          method: input.method,
          uri: input.uri,
          body: input.body,
          realm: input.realm,
          password: input.password,
          expectedNonce: input.nonce,
        });
        expect(verdict).toMatchObject({ ok: true, reason: 'ok', algorithm: input.algorithm });
      }),
      { numRuns: RUNS },
    );
  });

  it('fails when password, method, uri, nonce or (for auth-int) the body differ', () => {
    const change = fc.constantFrom('password', 'method', 'uri', 'nonce', 'body');
    fc.assert(
      fc.property(exchange, change, text, (input, field, replacement) => {
        const credentials = parseAuthorization(build(input).value);
        const options = { method: input.method, uri: input.uri, body: input.body, realm: input.realm, password: input.password };
        let verdict;
        switch (field) {
          case 'password':
            fc.pre(replacement !== input.password);
            verdict = verifyAuthorization(credentials, { ...options, password: replacement });
            break;
          case 'method':
            fc.pre(replacement !== input.method);
            verdict = verifyAuthorization(credentials, { ...options, method: replacement });
            break;
          case 'uri':
            fc.pre(replacement !== input.uri);
            // The request went to another URI than the credentials name: caught by the uri check...
            expect(verifyAuthorization(credentials, { ...options, uri: replacement }).reason).toBe('uri-mismatch');
            // ...and a tampered uri parameter is caught by the digest.
            verdict = verifyAuthorization({ ...credentials, uri: replacement }, { ...options, uri: replacement });
            break;
          case 'nonce':
            fc.pre(replacement !== input.nonce);
            verdict = verifyAuthorization({ ...credentials, nonce: replacement }, options);
            break;
          case 'body':
            fc.pre(replacement !== input.body && input.qop === 'auth-int');
            verdict = verifyAuthorization(credentials, { ...options, body: replacement });
            break;
        }
        expect(verdict!.ok).toBe(false);
        expect(verdict!.reason).toBe('bad-response');
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses a wrong realm, an unknown nonce and a replayed nc', () => {
    fc.assert(
      fc.property(exchange, (input) => {
        const credentials = parseAuthorization(build(input).value);
        const options = { method: input.method, body: input.body, realm: input.realm, password: input.password };
        expect(verifyAuthorization(credentials, { ...options, realm: `${input.realm}x` }).reason).toBe('wrong-realm');
        expect(verifyAuthorization(credentials, { ...options, expectedNonce: `${input.nonce}x` }).reason).toBe('unknown-nonce');
        if (input.qop !== null) {
          expect(verifyAuthorization(credentials, { ...options, lastNonceCount: input.nonceCount }).reason).toBe('replayed-nonce-count');
          expect(verifyAuthorization(credentials, { ...options, lastNonceCount: input.nonceCount - 1 }).ok).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
