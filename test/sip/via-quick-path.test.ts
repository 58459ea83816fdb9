/**
 * plainViaBranch, the quick path of parseVia for the response matching of the client (RFC 3261 §17.1.3): what it
 * reads, parseVia reads with the same branch; everything else (other forms, values parseVia refuses) it leaves to
 * parseVia by answering undefined.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getHeaders, parseMessage, parseVia, plainViaBranch } from '../../src/sip/index.js';
import { editedValues } from './edited-values.js';

/** parseVia's branch of the top via-parm, or 'refused' when parseVia throws. */
function fullBranch(value: string): string | undefined {
  try {
    return parseVia(value)[0]?.branch;
  } catch {
    return 'refused';
  }
}

function agreesWithParseVia(value: string): void {
  const quick = plainViaBranch(value);
  if (quick === undefined) return;
  expect(fullBranch(value), value).toBe(quick);
  expect(parseVia(value)).toHaveLength(1);
}

describe('plainViaBranch', () => {
  it('reads the Via a client writes and the forms answers echo (rport filled in, received added; RFC 3581 §4)', () => {
    const cases: [string, string][] = [
      // as sipscope writes it and SIPp's UAS echoes it
      ['SIP/2.0/UDP 127.0.0.1:40000;rport;branch=z9hG4bK0a1b2c3d4e5f60718293', 'z9hG4bK0a1b2c3d4e5f60718293'],
      // as Kamailio answers it: rport with the source port, received
      ['SIP/2.0/UDP 192.0.2.10:5060;rport=5060;received=198.51.100.7;branch=z9hG4bK-524287-1---3f4e', 'z9hG4bK-524287-1---3f4e'],
      ['SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK.x~y;received=198.51.100.7;rport=61000', 'z9hG4bK.x~y'],
      ['SIP/2.0/UDP [2001:db8::9:1]:5060;rport;branch=z9hG4bKabc', 'z9hG4bKabc'],
      ['SIP/2.0/WSS 10.0.0.1:443;branch=z9hG4bKws', 'z9hG4bKws'],
    ];
    for (const [value, branch] of cases) {
      expect(plainViaBranch(value), value).toBe(branch);
      expect(fullBranch(value), value).toBe(branch);
    }
  });

  it('leaves other forms to parseVia', () => {
    for (const value of [
      'SIP/2.0/UDP host.example.com:5060;branch=z9hG4bK1', // a host name
      'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', // no port
      'SIP/2.0/UDP 192.0.2.1:5060;maddr=224.2.0.1;ttl=16;branch=z9hG4bK1', // other parameters
      'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1, SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK2', // two via-parms
      'SIP / 2.0 / UDP 192.0.2.1:5060;branch=z9hG4bK1', // whitespace in sent-protocol (§7.3.1 SWS)
      'SIP/2.0/UDP 192.0.2.1:5060 ; branch=z9hG4bK1',
      'sip/2.0/udp 192.0.2.1:5060;branch=z9hG4bK1',
      'SIP/2.0/UDP 192.0.2.1:5060;branch="z9hG4bK1"',
      'SIP/2.0/UDP 192.0.2.1:5060;rport',
    ]) {
      expect(plainViaBranch(value), value).toBeUndefined();
      expect(fullBranch(value), value).not.toBe('refused');
    }
  });

  it('leaves values parseVia refuses to parseVia (the response then matches nothing, as before)', () => {
    for (const value of [
      'SIP/2.0/UDP 192.0.2.1:70000;branch=z9hG4bK1', // port above 65535
      'SIP/2.0/UDP 256.0.2.1:5060;branch=z9hG4bK1', // not an IPv4 address
      'SIP/2.0/UDP [2001:db8:::1]:5060;branch=z9hG4bK1', // not an IPv6 reference
      'SIP/2.0/UDP 192.0.2.1:5060;rport=70000;branch=z9hG4bK1', // RFC 3581 §3
      'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1;received=192.0.2', // §18.2.1: an address
    ]) {
      expect(plainViaBranch(value), value).toBeUndefined();
      expect(fullBranch(value), value).toBe('refused');
    }
  });

  it('agrees with parseVia on every Via of the RFC 4475 torture messages', () => {
    const dir = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'rfc4475');
    let read = 0;
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.dat'))) {
      let values: string[];
      try {
        values = getHeaders(parseMessage(readFileSync(path.join(dir, file))), 'via');
      } catch {
        continue; // no start line: no Via to read
      }
      for (const value of values) {
        agreesWithParseVia(value);
        read++;
      }
    }
    expect(read).toBeGreaterThan(40);
  });

  it('agrees with parseVia on plain Vias changed at random', () => {
    const plain = [
      'SIP/2.0/UDP 127.0.0.1:40000;rport;branch=z9hG4bK0a1b2c3d4e',
      'SIP/2.0/UDP 192.0.2.10:5060;rport=5060;received=198.51.100.7;branch=z9hG4bK-524287-1',
      'SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bKabc;rport=1;received=10.0.0.1',
    ];
    const pieces = ['', ';', '=', ':', '.', ',', ' ', '"', '[', ']', '9', '99999', '256', 'rport', 'received', 'branch', 'maddr', '::', 'z', '-'];
    fc.assert(fc.property(editedValues(plain, pieces), agreesWithParseVia), { numRuns: 5000 });
  });
});
