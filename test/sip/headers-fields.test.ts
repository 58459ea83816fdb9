import { describe, expect, it } from 'vitest';
import { contactsOf, cseqOf, fromOf, HeaderSyntaxError, parseMessage, toOf, topViaOf, viasOf } from '../../src/sip/index.js';

const text = [
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1;received=192.0.2.1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2',
  'v: SIP/2.0/UDP c.example.com;branch=z9hG4bK3',
  'From: Alice <sip:alice@example.com>;tag=f1',
  't: <sip:bob@example.com>;tag=t1',
  'CSeq: 7 REGISTER',
  'Contact: <sip:alice@192.0.2.1>;expires=60, <sip:alice@192.0.2.2>;expires=30',
  'Content-Length: 0', '', '',
].join('\r\n');

describe('cached field views', () => {
  it('parse Via, CSeq, From, To and Contact of a message', () => {
    const message = parseMessage(text);
    expect(viasOf(message).map((via) => via.branch)).toEqual(['z9hG4bK1', 'z9hG4bK2', 'z9hG4bK3']);
    expect(topViaOf(message)?.received).toBe('192.0.2.1');
    expect(cseqOf(message)).toEqual({ seq: 7, method: 'REGISTER' });
    expect(fromOf(message)).toMatchObject({ displayName: 'Alice', tag: 'f1' });
    expect(toOf(message)?.tag).toBe('t1');
    expect(contactsOf(message).map((contact) => contact.params.expires)).toEqual(['60', '30']);
  });

  it('return the same objects on repeated calls, and fresh ones after a header changes', () => {
    const message = parseMessage(text);
    const first = viasOf(message);
    expect(viasOf(message)).toBe(first);
    message.headers[0].value = 'SIP/2.0/UDP z.example.com;branch=z9hG4bKz';
    expect(viasOf(message).map((via) => via.host)).toEqual(['z.example.com', 'c.example.com']);
  });

  it('give undefined for absent fields and throw typed errors for malformed ones', () => {
    const bare = parseMessage('OPTIONS sip:a@b SIP/2.0\r\nCSeq: x\r\n\r\n');
    expect(fromOf(bare)).toBeUndefined();
    expect(viasOf(bare)).toEqual([]);
    expect(() => cseqOf(bare)).toThrow(HeaderSyntaxError);
  });
});
