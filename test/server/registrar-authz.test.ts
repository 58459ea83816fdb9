/**
 * RFC 3261 §10.3 step 3: the registrar decides whether the authenticated user may change the bindings of the
 * address-of-record in the To header field, and answers 403 when not. serve's accounts map each user to the
 * address-of-record of the same name (as Kamailio's auth_check with its To/From user check does).
 */
import { describe, expect, test } from 'vitest';
import { Registrar } from '../../src/server/registrar.js';
import type { SipRequest } from '../../src/sip/index.js';
import { requestOf } from './serve-helpers.js';

function register(aor: string): SipRequest {
  const lines = [
    'REGISTER sip:127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKauthz${aor}`,
    'Max-Forwards: 70',
    `From: <sip:${aor}@127.0.0.1>;tag=a1`,
    `To: <sip:${aor}@127.0.0.1>`,
    `Call-ID: authz-${aor}`,
    'CSeq: 2 REGISTER',
    `Contact: <sip:${aor}@127.0.0.1:5070>`,
    'Content-Length: 0',
    '',
    '',
  ];
  return requestOf(lines, { datagram: true });
}

describe('registrar: who may register an address-of-record (RFC 3261 §10.3 step 3)', () => {
  test('bob\'s credentials cannot bind alice\'s address-of-record: 403, no binding', () => {
    const registrar = new Registrar();
    expect(registrar.register(register('alice'), 'bob').status).toBe(403);
    expect(registrar.list()).toEqual([]);
  });

  test('a user binds its own address-of-record', () => {
    const registrar = new Registrar();
    expect(registrar.register(register('alice'), 'alice').status).toBe(200);
    expect(registrar.list()).toMatchObject([{ aor: 'alice', user: 'alice' }]);
  });
});
