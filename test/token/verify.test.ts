/**
 * verifyToken against tokens signed by node:crypto (not by jose): which key verifies, expiry with skew, claims,
 * alg none and other algorithms refused before any key is tried, keys of the wrong length refused as local errors.
 */
import { describe, expect, test } from 'vitest';
import { mintToken, signingKey, TokenError, verifyToken, type VerifyKeys } from '../../src/token/index.js';
import { ACTIVE_KEY, claimsAt, handMadeToken, HS256, NEXT_KEY, OTHER_KEY, WORKSPACE } from './token-fixtures.js';

const NOW = 1_800_000_000;
const active = signingKey(ACTIVE_KEY, 'utf8', 'HS256', '$ACTIVE');
const next = signingKey(NEXT_KEY, 'utf8', 'HS256', '$NEXT');
const keys: VerifyKeys = { active, next };
const options = { algorithm: 'HS256' as const, skewS: 30, nowS: NOW };

describe('verifyToken', () => {
  test('signed by the active key: valid, key active', async () => {
    const result = await verifyToken(handMadeToken(HS256, claimsAt(NOW), ACTIVE_KEY), keys, options);
    expect(result).toMatchObject({ valid: true, key: 'active' });
  });

  test('signed by the next key: valid, key next; without a next key: invalid', async () => {
    const token = handMadeToken(HS256, claimsAt(NOW), NEXT_KEY);
    expect(await verifyToken(token, keys, options)).toMatchObject({ valid: true, key: 'next' });
    const alone = await verifyToken(token, { active }, options);
    expect(alone).toMatchObject({ valid: false, key: 'none' });
    expect(alone.error?.code).toBe('token-bad-signature');
  });

  test('signed by another key: invalid, key none', async () => {
    const result = await verifyToken(handMadeToken(HS256, claimsAt(NOW), OTHER_KEY), keys, options);
    expect(result.valid).toBe(false);
    expect(result.key).toBe('none');
    expect(result.error?.message).toBe('the signature matches neither the active nor the next key');
  });

  test('expiry: within the skew still valid, beyond it expired (the key is still named)', async () => {
    const token = handMadeToken(HS256, claimsAt(NOW - 320), ACTIVE_KEY); // exp = NOW - 20
    expect((await verifyToken(token, keys, options)).valid).toBe(true);
    const late = await verifyToken(token, keys, { ...options, nowS: NOW + 20 });
    expect(late).toMatchObject({ valid: false, key: 'active' });
    expect(late.error?.code).toBe('token-expired');
    expect(late.error?.message).toMatch(/^expired 40 s ago \(exp 2027-/);
  });

  test('alg none is refused whatever the keys', async () => {
    const result = await verifyToken(handMadeToken({ alg: 'none', typ: 'JWT' }, claimsAt(NOW), ''), keys, options);
    expect(result).toMatchObject({ valid: false, key: 'none' });
    expect(result.error?.code).toBe('token-alg-none');
    const upper = await verifyToken(handMadeToken({ alg: 'NONE' }, claimsAt(NOW), ''), keys, options);
    expect(upper.error?.code).toBe('token-alg-none');
  });

  test.each([['HS512', 'sha512'], ['RS256', 'sha256'], ['HS999', 'sha256']])('algorithm %s is not accepted when HS256 is expected', async (alg, hash) => {
    const result = await verifyToken(handMadeToken({ alg }, claimsAt(NOW), ACTIVE_KEY, hash), keys, options);
    expect(result.error?.code).toBe('token-alg-not-allowed');
    expect(result.error?.message).toContain(`"${alg}"`);
  });

  test('a header without alg is not accepted', async () => {
    const result = await verifyToken(handMadeToken({ typ: 'JWT' }, claimsAt(NOW), ACTIVE_KEY), keys, options);
    expect(result.error?.code).toBe('token-alg-not-allowed');
  });

  test('iss and sub must match when asked for', async () => {
    const token = handMadeToken(HS256, claimsAt(NOW), ACTIVE_KEY);
    expect((await verifyToken(token, keys, { ...options, issuer: 'acme', subject: WORKSPACE })).valid).toBe(true);
    const wrongIss = await verifyToken(token, keys, { ...options, issuer: 'evil' });
    expect(wrongIss.error?.code).toBe('token-claim-mismatch');
    const wrongSub = await verifyToken(token, keys, { ...options, subject: '00000000-0000-0000-0000-000000000000' });
    expect(wrongSub.error?.code).toBe('token-claim-mismatch');
  });

  test.each(['iss', 'sub', 'iat', 'exp'])('a token without %s is invalid', async (claim) => {
    const claims = claimsAt(NOW);
    delete claims[claim];
    const result = await verifyToken(handMadeToken(HS256, claims, ACTIVE_KEY), keys, options);
    expect(result.valid).toBe(false);
    expect(result.error?.code).toBe('token-claim-missing');
    expect(result.error?.message).toContain(`"${claim}"`);
  });

  // RFC 7519 §4.1.3: a principal that does not identify itself with a value of a present "aud" MUST reject the
  // JWT (PyJWT, which the Kamailio gateway of the interop tests uses, refuses it with InvalidAudienceError).
  test.each([['a string', 'sip-gateway'], ['a list', ['sip-gateway', 'other']]])('a token whose aud is %s is refused unless that audience is given', async (_, aud) => {
    const token = handMadeToken(HS256, claimsAt(NOW, { aud }), ACTIVE_KEY);
    const unnamed = await verifyToken(token, keys, options);
    expect(unnamed).toMatchObject({ valid: false, key: 'active' });
    expect(unnamed.error?.code).toBe('token-claim-mismatch');
    expect(unnamed.error?.message).toContain('"aud"');
    expect(await verifyToken(token, keys, { ...options, audience: 'sip-gateway' })).toMatchObject({ valid: true, key: 'active' });
    const other = await verifyToken(token, keys, { ...options, audience: 'billing' });
    expect(other.error?.code).toBe('token-claim-mismatch');
  });

  test('--aud given: a token without aud is invalid', async () => {
    const result = await verifyToken(handMadeToken(HS256, claimsAt(NOW), ACTIVE_KEY), keys, { ...options, audience: 'sip-gateway' });
    expect(result.error?.code).toBe('token-claim-missing');
    expect(result.error?.message).toContain('"aud"');
  });

  // RFC 7519 §4.1.1, §4.1.2: iss and sub are StringOrURI values, i.e. JSON strings; `inspect` warns claim-type.
  test.each([['iss', 42], ['sub', 5], ['sub', ['a']], ['iss', null]])('a token whose %s is %j is invalid', async (claim, value) => {
    const result = await verifyToken(handMadeToken(HS256, claimsAt(NOW, { [claim]: value }), ACTIVE_KEY), keys, options);
    expect(result).toMatchObject({ valid: false, key: 'active' });
    expect(result.error?.code).toBe('token-claim-missing');
    expect(result.error?.message).toContain(`"${claim}"`);
  });

  test('iat in the future beyond the skew is not yet valid', async () => {
    const result = await verifyToken(handMadeToken(HS256, claimsAt(NOW + 120), ACTIVE_KEY), keys, options);
    expect(result.error?.code).toBe('token-not-yet-valid');
  });

  test('a tampered claims segment fails the signature', async () => {
    const token = handMadeToken(HS256, claimsAt(NOW), ACTIVE_KEY);
    const [h, , s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(claimsAt(NOW, { sub: '11111111-1111-1111-1111-111111111111' }))).toString('base64url')}.${s}`;
    expect((await verifyToken(forged, keys, options)).error?.code).toBe('token-bad-signature');
  });

  test('mintToken makes tokens the hand-made verifier path accepts (same bytes as node:crypto would sign)', async () => {
    const token = await mintToken({ key: active, algorithm: 'HS256', subject: WORKSPACE, issuer: 'acme', ttlS: 300, nowS: NOW });
    expect(token).toBe(handMadeToken(HS256, { sub: WORKSPACE, iat: NOW, exp: NOW + 300, iss: 'acme' }, ACTIVE_KEY));
    expect(await verifyToken(token, keys, options)).toMatchObject({ valid: true, key: 'active' });
  });
});

describe('signingKey', () => {
  test('keys shorter than the hash output are refused as local errors (RFC 7518 §3.2)', () => {
    const attempt = (text: string, alg: 'HS256' | 'HS384' | 'HS512') => () => signingKey(text, 'utf8', alg, '$KEY');
    expect(attempt('x'.repeat(31), 'HS256')).toThrow(/\$KEY is 31 bytes; HS256 needs a key of at least 32 bytes/);
    expect(attempt('x'.repeat(47), 'HS384')).toThrow(/at least 48 bytes/);
    expect(attempt('x'.repeat(63), 'HS512')).toThrow(/at least 64 bytes/);
    try {
      attempt('short', 'HS256')();
    } catch (error) {
      expect(error).toBeInstanceOf(TokenError);
      expect((error as TokenError).local).toBe(true);
      expect((error as TokenError).message).not.toContain('short');
    }
  });

  test('base64 and hex keys are decoded before the length check', () => {
    expect(signingKey(Buffer.alloc(32, 7).toString('base64'), 'base64', 'HS256', '$K').bytes.length).toBe(32);
    expect(signingKey('ab'.repeat(32), 'hex', 'HS256', '$K').bytes.length).toBe(32);
    expect(() => signingKey('ab'.repeat(16), 'hex', 'HS256', '$K')).toThrow(/16 bytes/);
    expect(() => signingKey('zz'.repeat(32), 'hex', 'HS256', '$K')).toThrow(/not valid hex/);
    expect(() => signingKey('not*base64', 'base64', 'HS256', '$K')).toThrow(/not valid base64/);
  });
});
