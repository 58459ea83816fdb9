import { describe, expect, it } from 'vitest';
import {
  buildAuthorization,
  NonceIssuer,
  parseAuthorization,
  parseChallenges,
  redactCredentials,
  REDACTED,
  verifyAuthorization,
} from '../../src/sip/digest/index.js';

describe('NonceIssuer (HMAC-signed, timestamped nonces)', () => {
  const secret = Buffer.from('0123456789abcdef0123456789abcdef');

  it('accepts its own fresh nonce, calls it stale after the lifetime, refuses forged and foreign ones', () => {
    let now = 1_700_000_000_000;
    const issuer = new NonceIssuer({ secret, lifetimeMs: 30_000, now: () => now });
    const nonce = issuer.issue();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issuer.check(nonce)).toBe('valid');
    now += 30_000;
    expect(issuer.check(nonce)).toBe('valid');
    now += 1;
    expect(issuer.check(nonce)).toBe('stale');
    const other = new NonceIssuer({ secret: Buffer.from('another secret of 32 bytes......'), lifetimeMs: 30_000, now: () => now });
    expect(other.check(nonce)).toBe('invalid');
    const bytes = Buffer.from(nonce, 'base64url');
    bytes[0] = bytes[0]! ^ 1;
    expect(issuer.check(bytes.toString('base64url'))).toBe('invalid');
    expect(issuer.check('not a nonce')).toBe('invalid');
    expect(issuer.check('')).toBe('invalid');
    expect(new Set(Array.from({ length: 50 }, () => issuer.issue())).size).toBe(50);
  });

  it('drives verifyAuthorization: stale-nonce only for otherwise right credentials', () => {
    let now = 1_700_000_000_000;
    const issuer = new NonceIssuer({ secret, lifetimeMs: 1_000, now: () => now });
    const [challenge] = parseChallenges([`Digest realm="sipscope", nonce="${issuer.issue()}", algorithm=SHA-256, qop="auth"`], 'www-authenticate');
    const credentials = parseAuthorization(buildAuthorization({ challenge: challenge!, username: 'alice', password: 'pw', method: 'REGISTER', uri: 'sip:sipscope' }).value);
    const options = { method: 'REGISTER', realm: 'sipscope', password: 'pw', checkNonce: (nonce: string) => issuer.check(nonce) };
    expect(verifyAuthorization(credentials, options).reason).toBe('ok');
    now += 5_000;
    expect(verifyAuthorization(credentials, options).reason).toBe('stale-nonce');
    expect(verifyAuthorization(credentials, { ...options, password: 'wrong' }).reason).toBe('bad-response');
    expect(verifyAuthorization({ ...credentials, nonce: 'forged' }, options).reason).toBe('unknown-nonce');
    expect(verifyAuthorization(credentials, { ...options, allowedAlgorithms: ['MD5'] }).reason).toBe('algorithm-not-offered');
  });

  it('refuses a short secret', () => {
    expect(() => new NonceIssuer({ secret: Buffer.from('short'), lifetimeMs: 1 })).toThrow(RangeError);
  });
});

describe('verifyAuthorization edge cases', () => {
  const credentials = parseAuthorization(
    'Digest username="u", realm="r", nonce="n", uri="sip:r", response="00000000000000000000000000000000", qop=auth, nc=00000001, cnonce="c"',
  );
  it.each([
    [{ ...credentials, algorithm: 'AKAv1-MD5' }, 'unsupported-algorithm'],
    [{ ...credentials, qop: 'auth-conf' }, 'unsupported-qop'],
    [{ ...credentials, nc: undefined }, 'missing-param'],
    [{ ...credentials, nc: '1' }, 'missing-param'],
    [{ ...credentials, cnonce: undefined }, 'missing-param'],
    [{ ...credentials, response: 'abc' }, 'bad-response'],
    [credentials, 'bad-response'],
  ] as const)('%#: %s', (given, reason) => {
    expect(verifyAuthorization(given, { method: 'REGISTER', realm: 'r', password: 'p' }).reason).toBe(reason);
  });
  it('needs a secret', () => {
    expect(verifyAuthorization(credentials, { method: 'REGISTER', realm: 'r' }).reason).toBe('missing-secret');
  });
});

describe('redactCredentials', () => {
  const [challenge] = parseChallenges(['Digest realm="pbx", nonce="abc", qop="auth", algorithm=MD5'], 'proxy-authenticate');
  const built = buildAuthorization({ challenge: challenge!, username: 'alice', password: 'hunter2', method: 'REGISTER', uri: 'sip:pbx', cnonce: 'deadbeef' });

  it('hides the response digest and keeps everything else byte for byte', () => {
    const message = `REGISTER sip:pbx SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\nProxy-Authorization: ${built.value}\r\nContent-Length: 0\r\n\r\n`;
    const redacted = redactCredentials(message);
    expect(redacted).not.toContain(built.params.response);
    expect(redacted).toContain(`response="${REDACTED}"`);
    expect(redacted.replace(`response="${REDACTED}"`, `response="${built.params.response}"`)).toBe(message);
    expect(redacted).toContain('username="alice"');
  });

  it('handles folded headers, lowercase names, Basic credentials, password params and passwords in SIP URIs', () => {
    const message = [
      'INVITE sip:bob:topsecret@example.com SIP/2.0',
      'authorization: Digest username="alice", realm="pbx",',
      '  response=',
      '   "0123456789abcdef0123456789abcdef", password="letmein"',
      'Authorization: Basic YWxpY2U6aHVudGVyMg==',
      'From: <sips:alice:pw%40x@example.com>;tag=1',
      'Contact: <sip:127.0.0.1:5060;transport=udp>',
      'Subject: the response="keep" text outside auth headers',
      '',
      '',
    ].join('\n');
    const redacted = redactCredentials(message);
    for (const secret of ['topsecret', '0123456789abcdef0123456789abcdef', 'letmein', 'YWxpY2U6aHVudGVyMg==', 'pw%40x']) {
      expect(redacted).not.toContain(secret);
    }
    expect(redacted).toContain(`sip:bob:${REDACTED}@example.com`);
    expect(redacted).toContain(`Authorization: Basic ${REDACTED}\n`);
    expect(redacted).toContain('<sip:127.0.0.1:5060;transport=udp>');
    expect(redacted).toContain('response="keep"');
  });

  it('covers prefixed output lines', () => {
    const redacted = redactCredentials(`> Authorization: ${built.value}\n> Proxy-Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2ln\n`);
    expect(redacted).not.toContain(built.params.response);
    expect(redacted).toContain(`> Proxy-Authorization: Bearer ${REDACTED}\n`);
  });

  it('leaves text without credentials unchanged', () => {
    const text = 'SIP/2.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm="pbx", nonce="abc"\r\n\r\n';
    expect(redactCredentials(text)).toBe(text);
  });
});
