/** NonceCountTable (RFC 7616 §3.4 nc replay detection) and verifyAuthorization's offeredQop (RFC 7616 §3.4). */
import { describe, expect, test } from 'vitest';
import { buildAuthorization, NonceCountTable, parseAuthorization, parseChallenges, verifyAuthorization } from '../../src/sip/digest/index.js';

describe('NonceCountTable', () => {
  test('holds at most its capacity, forgetting the oldest nonce first; nc only goes up', () => {
    const table = new NonceCountTable(2);
    table.remember('a');
    table.remember('b');
    table.accept('a', 3);
    table.accept('a', 2);
    expect(table.lastCount('a')).toBe(3);
    table.remember('c');
    expect(table.size).toBe(2);
    expect(table.lastCount('a')).toBeUndefined();
    expect(table.lastCount('b')).toBe(0);
    table.accept('a', 5);
    expect(table.lastCount('a')).toBeUndefined();
  });
});

describe('verifyAuthorization offeredQop', () => {
  const [challenge] = parseChallenges(['Digest realm="r", nonce="n1", algorithm=MD5, qop="auth"'], 'WWW-Authenticate');
  const answer = (qop: 'auth' | null) => parseAuthorization(buildAuthorization({ challenge, username: 'u', password: 'p', method: 'REGISTER', uri: 'sip:r', qop }).value);
  test('an answer without qop is refused when qop was offered, taken when the caller does not say', () => {
    expect(verifyAuthorization(answer(null), { method: 'REGISTER', realm: 'r', password: 'p', offeredQop: ['auth'] }).reason).toBe('qop-not-offered');
    expect(verifyAuthorization(answer(null), { method: 'REGISTER', realm: 'r', password: 'p' }).ok).toBe(true);
    expect(verifyAuthorization(answer('auth'), { method: 'REGISTER', realm: 'r', password: 'p', offeredQop: ['auth'] }).ok).toBe(true);
  });
});
