/**
 * mintToken refuses a lifetime it cannot write exactly: exp is iat plus whole seconds, at least 1, at most the
 * latest second a JavaScript Date holds (ECMA-262 §21.4.1.1), so exp is an integer NumericDate (RFC 7519 §2).
 */
import { decodeJwt as joseDecode } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintToken, signingKey, TokenError } from '../../src/token/index.js';
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
