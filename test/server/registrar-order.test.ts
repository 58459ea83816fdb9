/**
 * RFC 3261 §10.3 step 7: a binding is changed by a REGISTER with its Call-ID only when the CSeq is higher than
 * the binding's; otherwise "the update MUST be aborted and the request fails" (a REGISTER delayed in the network,
 * arriving after a newer one, must not undo it). A REGISTER with another Call-ID (another client, or the same
 * after a restart) updates or removes the binding whatever its CSeq. §10.3 step 6 applies the same check to
 * `Contact: *`.
 */
import { describe, expect, test } from 'vitest';
import { Registrar } from '../../src/server/registrar.js';
import type { SipRequest } from '../../src/sip/index.js';
import { requestOf } from './serve-helpers.js';

function register(callId: string, cseq: number, contact: string, expires?: number): SipRequest {
  const lines = [
    'REGISTER sip:127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKorder${callId}${cseq}`,
    'Max-Forwards: 70',
    'From: <sip:alice@127.0.0.1>;tag=a1',
    'To: <sip:alice@127.0.0.1>',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    `Contact: ${contact}`,
    ...(expires === undefined ? [] : [`Expires: ${expires}`]),
    'Content-Length: 0',
    '',
    '',
  ];
  return requestOf(lines, { datagram: true });
}

const PHONE = '<sip:alice@127.0.0.1:5070>';
const contactsOf = (registrar: Registrar) => registrar.list().map((binding) => binding.contact);

describe('registrar: Call-ID and CSeq order (RFC 3261 §10.3 steps 6 and 7)', () => {
  test('a removal with the binding\'s Call-ID and a lower CSeq fails; the binding stays', () => {
    const registrar = new Registrar();
    expect(registrar.register(register('c1', 5, PHONE, 600), 'alice').status).toBe(200);
    const late = registrar.register(register('c1', 4, PHONE, 0), 'alice');
    expect(late.status).toBeGreaterThanOrEqual(400);
    expect(contactsOf(registrar)).toEqual(['sip:alice@127.0.0.1:5070']);
  });

  test('the same CSeq again (not higher) fails too; a higher one removes the binding', () => {
    const registrar = new Registrar();
    registrar.register(register('c1', 5, PHONE, 600), 'alice');
    expect(registrar.register(register('c1', 5, PHONE, 0), 'alice').status).toBeGreaterThanOrEqual(400);
    expect(contactsOf(registrar)).toHaveLength(1);
    expect(registrar.register(register('c1', 6, PHONE, 0), 'alice').status).toBe(200);
    expect(contactsOf(registrar)).toEqual([]);
  });

  test('a refresh with a lower CSeq does not change the expiry; another Call-ID with a lower CSeq does', () => {
    let now = 1_000_000;
    const registrar = new Registrar(() => now);
    registrar.register(register('c1', 5, PHONE, 600), 'alice');
    expect(registrar.register(register('c1', 3, PHONE, 60), 'alice').status).toBeGreaterThanOrEqual(400);
    expect(registrar.list()[0].expiresIn).toBe(600);
    now += 1000;
    expect(registrar.register(register('c2', 1, PHONE, 60), 'alice').status).toBe(200);
    expect(registrar.list()[0].expiresIn).toBe(60);
  });

  test('Contact: * with Expires: 0 and a lower CSeq on the binding\'s Call-ID fails; with a higher one it removes all', () => {
    const registrar = new Registrar();
    registrar.register(register('c1', 5, PHONE, 600), 'alice');
    expect(registrar.register(register('c1', 2, '*', 0), 'alice').status).toBeGreaterThanOrEqual(400);
    expect(contactsOf(registrar)).toHaveLength(1);
    expect(registrar.register(register('c1', 7, '*', 0), 'alice').status).toBe(200);
    expect(contactsOf(registrar)).toEqual([]);
  });
});
