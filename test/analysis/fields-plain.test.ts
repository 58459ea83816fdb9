/**
 * The plain-form From/To and Via readers (fields.ts) skip the general readers on the common values; wherever they
 * answer, they must answer exactly what the general readers (parseNameAddr / the lenient reading, and topVia)
 * answer. Checked on hand-picked edge cases and on random values over an alphabet of the characters that matter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldReadersForTest } from '../../src/analysis/fields.js';

const { plainNameAddr, nameAddrParts, plainTopVia, topVia } = fieldReadersForTest;

const NAME_ADDRS = [
  '<sip:alice@example.com>;tag=1928301774',
  'sipp <sip:sipp@127.0.0.1:5061>;tag=12345SIPpTag001',
  'Bob Smith <sip:bob@biloxi.example.com>',
  'sip:carol@chicago.example.com;tag=abc',
  'sip:carol@chicago.example.com;TAG=abc;tag=def',
  '<sip:a@b>;tag',
  '<sip:a@b>;tag=',
  '<sip:a@b>;;tag=1',
  '<sip:a@b> ;tag=1',
  '<sip:a@b>;tag=1 ',
  '<>;tag=1',
  'x:y <sip:a@b>;tag=1',
  'abc;x=a:b',
  'sip:a@b?x=1;tag=2',
  'sip:a@b,c;tag=2',
  '<sip:a@b;transport=udp>;tag=9;x',
  '<sip:[::1]:5060>;tag=v6;maddr=[::1]',
  '"quoted" <sip:a@b>;tag=1',
  '<sip:a b@c>;tag=1',
  'sip:a@b>;tag=1',
  '*',
  '<tel:+1-201-555-0123>;tag=x',
];

const VIAS = [
  'SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-12345-1-0',
  'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;received=192.0.2.1',
  'SIP/2.0/TCP [2001:db8::1]:5060;rport=5060;branch=z9hG4bK77',
  'SIP/2.0/UDP Host.Example.COM:5060;BRANCH=z9hG4bKcase',
  'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2',
  'SIP/2.0/UDP a.example.com;branch=z9hG4bK1 , SIP/2.0/UDP b',
  'SIP/2.0/UDP a.example.com ;branch=z9hG4bK1',
  'SIP/2.0/UDP  a.example.com;branch',
  'SIP/2.0/UDP a.example.com;branch=',
  'SIP/2.0/UDP a.example.com;;branch=1',
  'SIP/2.0/UDP a.example.com',
  'SIP/2.0/UDP ;branch=1',
  'SIP/2.0/ a;branch=1',
  'SIP/2.0/UDP a;branch=x;branch=y',
  'SIP/2.0/UDP a;rport;branch=z9hG4bKrp',
  'sip/2.0/udp a;branch=lower',
];

describe('plain From/To reader', () => {
  it.each(NAME_ADDRS)('%s', (value) => {
    const plain = plainNameAddr(value);
    if (plain !== undefined) expect(plain).toEqual(nameAddrParts(value));
  });

  it('answers the common forms itself', () => {
    expect(plainNameAddr('sipp <sip:sipp@127.0.0.1:5061>;tag=12345SIPpTag001')).toEqual({ uri: 'sip:sipp@127.0.0.1:5061', tag: '12345SIPpTag001' });
    expect(plainNameAddr('sip:carol@chicago.example.com;TAG=abc;tag=def')).toEqual({ uri: 'sip:carol@chicago.example.com', tag: 'abc' });
    expect(plainNameAddr('"quoted" <sip:a@b>;tag=1')).toBeUndefined();
  });

  it('agrees with the general reader on random values', () => {
    const alphabet = fc.constantFrom(...'sip:a@b<>;tag=1 "\\,?*.[]-_~T'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((chars) => chars.join('').trim()), (value) => {
        const plain = plainNameAddr(value);
        if (plain !== undefined) expect(plain).toEqual(nameAddrParts(value));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('plain top Via reader', () => {
  it.each(VIAS)('%s', (value) => {
    const plain = plainTopVia(value);
    if (plain !== undefined) expect(plain).toEqual(topVia(value));
  });

  it('answers the common forms itself', () => {
    expect(plainTopVia('SIP/2.0/UDP Host.Example.COM:5060;BRANCH=z9hG4bKcase')).toEqual({ sentBy: 'host.example.com:5060', branch: 'z9hG4bKcase' });
    expect(plainTopVia('SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com;branch=z9hG4bK2')).toEqual({ sentBy: 'a.example.com', branch: 'z9hG4bK1' });
  });

  it('agrees with the general reader on random values', () => {
    const alphabet = fc.constantFrom(...'SIP/2.0/UDP a:5;branch=z9hG4bK1 ,"<>\t'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 50 }).map((chars) => 'SIP/2.0/UDP ' + chars.join('').trim()), (value) => {
        const plain = plainTopVia(value);
        if (plain !== undefined) expect(plain).toEqual(topVia(value));
      }),
      { numRuns: 20_000 },
    );
  });
});
