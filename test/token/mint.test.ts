/**
 * mintToken refuses a lifetime it cannot write exactly: exp is iat plus whole seconds, at least 1, at most the
 * latest second a JavaScript Date holds (ECMA-262 §21.4.1.1), so exp is an integer NumericDate (RFC 7519 §2).
 * makeEphemeral likewise, its expiry at most what Kamailio's auth_ephemeral reads (an unsigned int).
 */
import { decodeJwt as joseDecode } from 'jose';
import { describe, expect, it } from 'vitest';
import { makeEphemeral, mintToken, parseEphemeralUsername, signingKey, TokenError } from '../../src/token/index.js';
import { ACTIVE_KEY, WORKSPACE } from './token-fixtures.js';

const key = signingKey(ACTIVE_KEY, 'utf8', 'HS256', 'the key');
const NOW_S = 1_796_000_000.7;
const LATEST_DATE_S = 8.64e15 / 1000;
const mint = (ttlS: number) => mintToken({ key, algorithm: 'HS256', subject: WORKSPACE, issuer: 'acme', ttlS, nowS: NOW_S });

describe('mintToken', () => {
  it.each([0.4, 1.5, 0, -5, Number.NaN, Number.POSITIVE_INFINITY, LATEST_DATE_S - Math.floor(NOW_S) + 1, 1e300])('refuses a TTL of %d s (local error ttl-out-of-range)', async (ttlS) => {
    const error = await mint(ttlS).then(() => undefined, (thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'ttl-out-of-range', local: true });
  });

  it('writes iat as the whole second and exp exactly iat + TTL, up to the latest date', async () => {
    for (const ttlS of [1, 300, LATEST_DATE_S - Math.floor(NOW_S)]) {
      const claims = joseDecode(await mint(ttlS));
      expect(claims.iat).toBe(Math.floor(NOW_S));
      expect(claims.exp).toBe(Math.floor(NOW_S) + ttlS);
    }
  });
});

describe('makeEphemeral', () => {
  const secret = { label: 'the secret', bytes: new Uint8Array(Buffer.from('kamailio_rules')) };
  const make = (ttlS: number) => makeEphemeral('alice', secret, { ttlS, nowS: NOW_S, format: 1, hash: 'sha1' });
  const MAX_EXPIRY = 0xffffffff;

  it.each([0.4, 1.5, 0, -5, Number.NaN, MAX_EXPIRY - Math.floor(NOW_S) + 1])('refuses a TTL of %d s (local error ttl-out-of-range)', (ttlS) => {
    expect(() => make(ttlS)).toThrow(expect.objectContaining({ code: 'ttl-out-of-range', local: true }));
  });

  it('makes the expiry now (whole second) + TTL, up to the largest auth_ephemeral reads', () => {
    for (const ttlS of [1, 3600, MAX_EXPIRY - Math.floor(NOW_S)]) {
      const { username, expiresAt } = make(ttlS);
      expect(expiresAt).toBe(Math.floor(NOW_S) + ttlS);
      expect(parseEphemeralUsername(username, 1)).toEqual({ expiresAt, user: 'alice' });
    }
  });
});
