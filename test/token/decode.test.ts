/** Malformed tokens: each refused by decodeJwt with code token-malformed / token-too-large and a message saying where. */
import { describe, expect, test } from 'vitest';
import { decodeJwt, MAX_TOKEN_BYTES, TokenError } from '../../src/token/index.js';
import { ACTIVE_KEY, claimsAt, handMadeToken, HS256 } from './token-fixtures.js';

function refusal(token: string): TokenError {
  try {
    decodeJwt(token);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    return error as TokenError;
  }
  throw new Error('decodeJwt accepted a malformed token');
}

const good = handMadeToken(HS256, claimsAt(1_800_000_000), ACTIVE_KEY);
const [header, claims, signature] = good.split('.');
const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('decodeJwt', () => {
  test('a well-formed token decodes to header and claims', () => {
    const decoded = decodeJwt(good);
    expect(decoded.header).toEqual(HS256);
    expect(decoded.claims).toMatchObject({ iss: 'acme', iat: 1_800_000_000, exp: 1_800_000_300 });
    expect(decoded.signatureBytes).toBe(32);
  });

  test.each([
    ['one segment', header, /has 1$/],
    ['two segments', `${header}.${claims}`, /has 2$/],
    ['four segments', `${good}.x`, /has 4$/],
    ['five segments (JWE)', `${header}.a.b.c.d`, /encrypted JWE/],
  ])('wrong segment count: %s', (_name, token, message) => {
    const error = refusal(token);
    expect(error.code).toBe('token-malformed');
    expect(error.message).toMatch(message);
  });

  test('a character outside base64url is named with its offset', () => {
    const error = refusal(`${header}.${claims.slice(0, 5)}+${claims.slice(6)}.${signature}`);
    expect(error.code).toBe('token-malformed');
    expect(error.message).toContain('claims segment is not base64url');
    expect(error.message).toContain(`offset ${header.length + 1 + 5}`);
  });

  test('padding "=" (base64, not base64url) is refused', () => {
    expect(refusal(`${header}.${claims}=.${signature}`).message).toContain('not base64url');
  });

  test('an impossible base64url length is refused', () => {
    expect(refusal(`${header}.${claims}.${signature}A`.replace(/\.[^.]*$/, `.${'A'.repeat(5)}`)).message).toMatch(/impossible base64url length/);
  });

  test.each([
    ['an array', b64('[1,2]'), /an array, not a JSON object/],
    ['a number', b64('42'), /a number, not a JSON object/],
    ['a string', b64('"hello"'), /a string, not a JSON object/],
    ['null', b64('null'), /null, not a JSON object/],
    ['not JSON', b64('{"sub": '), /not JSON/],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url'), /not JSON \(not UTF-8/],
  ])('claims that are %s', (_name, segment, message) => {
    const error = refusal(`${header}.${segment}.${signature}`);
    expect(error.code).toBe('token-malformed');
    expect(error.message).toMatch(message);
  });

  test('a header that is not an object is refused the same way', () => {
    expect(refusal(`${b64('[]')}.${claims}.${signature}`).message).toMatch(/header segment is an array/);
  });

  test('an empty token and an empty header are refused', () => {
    expect(refusal('').message).toBe('the token is empty');
    expect(refusal(`.${claims}.${signature}`).message).toMatch(/header segment is empty/);
  });

  test('a huge token is refused before decoding', () => {
    const huge = handMadeToken(HS256, claimsAt(1_800_000_000, { pad: 'x'.repeat(MAX_TOKEN_BYTES) }), ACTIVE_KEY);
    const error = refusal(huge);
    expect(error.code).toBe('token-too-large');
    expect(error.message).toMatch(/over the 16384-byte limit/);
  });

  test('no message carries the signature', () => {
    for (const token of [`${header}.${claims}.${signature}.x`, `${header}.${b64('[]')}.${signature}`]) {
      expect(refusal(token).message).not.toContain(signature);
    }
  });
});
