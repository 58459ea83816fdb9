/**
 * plainNameAddr, the quick path of parseNameAddr (and of parseNameAddrList for one element) for the To and Contact
 * a client reads of each answer that makes a dialog (RFC 3261 §12.1.2): what it reads, the general parsers read
 * with the same URI and tag; everything else it leaves to them by answering undefined.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getHeaders, parseMessage, parseNameAddr, parseNameAddrList, plainNameAddr } from '../../src/sip/index.js';
import { editedValues } from './edited-values.js';

/** URI and tag by the general parsers (as a one-element list too), or 'refused' when either throws. */
function full(value: string): { uri: string; tag: string | undefined; listed: number; listUri: string | undefined } | 'refused' {
  try {
    const parsed = parseNameAddr(value);
    const list = parseNameAddrList(value);
    return { uri: parsed.uri, tag: parsed.tag, listed: list.length, listUri: list[0]?.uri };
  } catch {
    return 'refused';
  }
}

function agreesWithParseNameAddr(value: string): void {
  const quick = plainNameAddr(value);
  if (quick === undefined) return;
  expect(full(value), value).toEqual({ uri: quick.uri, tag: quick.tag, listed: 1, listUri: quick.uri });
}

describe('plainNameAddr', () => {
  it('reads <URI> with or without a tag (a To and a Contact of an answer)', () => {
    const cases: [string, string, string | undefined][] = [
      ['<sip:uas@127.0.0.1:27700>;tag=30225SIPpTag011', 'sip:uas@127.0.0.1:27700', '30225SIPpTag011'],
      ['<sip:127.0.0.1:27700;transport=UDP>', 'sip:127.0.0.1:27700;transport=UDP', undefined],
      ['<sips:bob@[2001:db8::1]:5061;transport=tls?subject=x>;tag=a.b-c~d', 'sips:bob@[2001:db8::1]:5061;transport=tls?subject=x', 'a.b-c~d'],
    ];
    for (const [value, uri, tag] of cases) {
      expect(plainNameAddr(value), value).toEqual({ uri, tag });
      expect(full(value), value).toEqual({ uri, tag, listed: 1, listUri: uri });
    }
  });

  it('leaves other forms to the general parsers', () => {
    for (const value of [
      'Bob <sip:bob@example.com>;tag=1', // a display name
      '"Bob" <sip:bob@example.com>', // a quoted one
      'sip:bob@example.com;tag=1', // an addr-spec
      '<sip:bob@example.com>;TAG=1', // the parameter name in another case (§7.3.1: the same parameter)
      '<sip:bob@example.com>;tag=1;x=2', // other parameters
      '<sip:bob@example.com>;expires=3600',
      '<sip:a@example.com>, <sip:b@example.com>', // a list of two
      '<sip:bob@example.com> ;tag=1',
      '*',
    ]) {
      expect(plainNameAddr(value), value).toBeUndefined();
    }
  });

  it('agrees with the general parsers on every From, To and Contact of the RFC 4475 torture messages', () => {
    const dir = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'rfc4475');
    let read = 0;
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.dat'))) {
      let values: string[];
      try {
        const message = parseMessage(readFileSync(path.join(dir, file)));
        values = [...getHeaders(message, 'from'), ...getHeaders(message, 'to'), ...getHeaders(message, 'contact')];
      } catch {
        continue; // no start line: nothing to read
      }
      for (const value of values) {
        agreesWithParseNameAddr(value);
        read++;
      }
    }
    expect(read).toBeGreaterThan(100);
  });

  it('agrees with the general parsers on plain values changed at random', () => {
    const plain = ['<sip:uas@127.0.0.1:27700>;tag=30225SIPpTag011', '<sip:127.0.0.1:27700;transport=UDP>', '<sips:[2001:db8::1]:5061>;tag=x'];
    const pieces = ['', '<', '>', ';', '=', ',', ' ', '\t', '"', ':', 'tag', 'TAG', ';tag=', '\\', '@', '*', 'x'];
    fc.assert(fc.property(editedValues(plain, pieces), agreesWithParseNameAddr), { numRuns: 5000 });
  });
});
