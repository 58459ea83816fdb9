/**
 * rotation-check's verdicts through the rotation steps, and auth_ephemeral credentials checked against openssl's
 * HMAC (an independent implementation) for each sha_algorithm and both username formats.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import {
  checkRotation, ephemeralPassword, makeEphemeral, parseEphemeralUsername, signingKey, verifyEphemeral, type EphemeralHash,
} from '../../src/token/index.js';
import { ACTIVE_KEY, claimsAt, handMadeToken, HS256, NEXT_KEY, OTHER_KEY } from './token-fixtures.js';

const NOW = 1_800_000_000;
const active = signingKey(ACTIVE_KEY, 'utf8', 'HS256', '$A');
const next = signingKey(NEXT_KEY, 'utf8', 'HS256', '$N');
const rotation = { active, next, algorithm: 'HS256' as const, nowS: NOW, skewS: 30, maxTtlS: 300 };

describe('checkRotation', () => {
  test('tokens of the active key are cut off by promotion; the earliest safe time is their last exp + skew', async () => {
    const report = await checkRotation([
      handMadeToken(HS256, claimsAt(NOW - 100), ACTIVE_KEY), // exp NOW+200
      handMadeToken(HS256, claimsAt(NOW - 10), ACTIVE_KEY), // exp NOW+290
      handMadeToken(HS256, claimsAt(NOW), NEXT_KEY),
      handMadeToken(HS256, claimsAt(NOW - 1000), ACTIVE_KEY), // long expired
      handMadeToken(HS256, claimsAt(NOW), OTHER_KEY),
      'not-a-token',
    ], rotation);
    expect(report.tokens.map((verdict) => [verdict.key, verdict.expired, verdict.survivesPromotion])).toEqual([
      ['active', false, false], ['active', false, false], ['next', false, true], ['active', true, false], ['none', false, false], ['none', false, false],
    ]);
    expect(report.tokens[4].problem?.code).toBe('token-bad-signature');
    expect(report.tokens[5].problem?.code).toBe('token-malformed');
    expect(report.lastActiveExpiry).toBe(NOW + 290 + 30);
    expect(report.earliestSafePromotion).toBe(NOW + 320);
    expect(report.policySafePromotion).toBe(NOW + 330);
    expect(report.sameKeys).toBe(false);
  });

  test('only next-key tokens: safe now; the same key twice is flagged', async () => {
    const report = await checkRotation([handMadeToken(HS256, claimsAt(NOW), NEXT_KEY)], rotation);
    expect(report.earliestSafePromotion).toBe(NOW);
    expect(report.lastActiveExpiry).toBeUndefined();
    expect((await checkRotation([], { ...rotation, next: active })).sameKeys).toBe(true);
  });
});

function opensslHmac(hash: EphemeralHash, secret: string, username: string): string {
  return execFileSync('openssl', ['dgst', `-${hash}`, '-hmac', secret, '-binary'], { input: username }).toString('base64');
}

describe('auth_ephemeral credentials', () => {
  const secret = { label: '$S', bytes: new Uint8Array(Buffer.from('kamailio_rules')) };
  const second = { label: '$S2', bytes: new Uint8Array(Buffer.from('the-next-secret')) };

  test.each(['sha1', 'sha256', 'sha384', 'sha512'] as const)('password = base64(HMAC-%s(secret, username)) as openssl computes it', (hash) => {
    const made = makeEphemeral('alice', secret, { ttlS: 60, nowS: NOW, format: 1, hash });
    expect(made.username).toBe(`${NOW + 60}:alice`);
    expect(made.password).toBe(opensslHmac(hash, 'kamailio_rules', made.username));
  });

  test('username_format 0 puts the expiry last; the user may contain "@"', () => {
    const made = makeEphemeral('alice@example.com', secret, { ttlS: 60, nowS: NOW, format: 0, hash: 'sha1' });
    expect(made.username).toBe(`alice@example.com:${NOW + 60}`);
    expect(parseEphemeralUsername('1800000060:a:b', 1)).toEqual({ expiresAt: 1_800_000_060, user: 'a:b' });
  });

  // Kamailio auth_ephemeral, autheph_verify_timestamp(): pos = the FIRST ':'; format 1 reads the timestamp before it,
  // format 0 after it, and either reads the whole username when there is no ':' or it is the last character; then
  // str2int() must take all of it (digits only, within an unsigned int), else "invalid timestamp in username".
  test.each([
    ['a:b:1800000060', 0], // format 0: the timestamp after the first ':' is "b:1800000060"
    ['1800000060:', 1], // ':' last: the whole "1800000060:" is the timestamp
    ['alice:', 0],
    ['99999999999:alice', 1], // beyond 2^32 - 1
  ] as const)('%s (username_format %d) is not a username autheph can read', (username, format) => {
    expect(() => parseEphemeralUsername(username, format)).toThrow(expect.objectContaining({ code: 'credential-malformed' }));
  });

  test.each([
    ['alice:1800000060', 0, 'alice'],
    ['1800000060', 0, ''],
    ['1800000060', 1, ''],
    ['4294967295:a', 1, 'a'],
  ] as const)('%s (username_format %d) is read as autheph reads it', (username, format, user) => {
    expect(parseEphemeralUsername(username, format)).toMatchObject({ user });
  });

  test('verify: either secret, expired beyond skew, wrong password, malformed username', () => {
    const options = { nowS: NOW, skewS: 30, format: 1 as const, hash: 'sha1' as const };
    const byFirst = makeEphemeral('alice', secret, { ...options, ttlS: 60 });
    const bySecond = makeEphemeral('alice', second, { ...options, ttlS: 60 });
    expect(verifyEphemeral(byFirst.username, byFirst.password, [secret, second], options)).toMatchObject({ valid: true, secret: 1, user: 'alice' });
    expect(verifyEphemeral(bySecond.username, bySecond.password, [secret, second], options)).toMatchObject({ valid: true, secret: 2 });
    expect(verifyEphemeral(bySecond.username, bySecond.password, [secret], options).error?.code).toBe('credential-bad-password');
    const expired = makeEphemeral('alice', secret, { ...options, nowS: NOW - 200, ttlS: 60 });
    expect(verifyEphemeral(expired.username, expired.password, [secret], options)).toMatchObject({ valid: false, secret: 1 });
    expect(verifyEphemeral(expired.username, expired.password, [secret], options).error?.code).toBe('credential-expired');
    expect(verifyEphemeral('alice:bob', 'x', [secret], options).error?.code).toBe('credential-malformed');
    expect(ephemeralPassword('1:a', secret, 'sha1')).toBe(opensslHmac('sha1', 'kamailio_rules', '1:a'));
  });
});

describe('looksEphemeral', () => {
  test('usernames (also with dots in the user part) are told apart from JWTs', async () => {
    const { looksEphemeral } = await import('../../src/token/index.js');
    expect(looksEphemeral('1800000060:alice@example.com')).toBe(true);
    expect(looksEphemeral('alice.smith:1800000060')).toBe(true);
    expect(looksEphemeral('1800000060')).toBe(true);
    expect(looksEphemeral(handMadeToken(HS256, claimsAt(NOW), ACTIVE_KEY))).toBe(false);
    expect(looksEphemeral('abc.def')).toBe(false);
  });
});
