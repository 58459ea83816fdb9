/**
 * uriUser (analysis/fields.ts): the user part a call is attributed to when no credential names one. Its answers are
 * remembered per URI (every call reads its caller's, and a capture's calls come from few URIs); a remembered answer
 * must be the one a first reading gives, including "none" (a URI without a user, or one that is not a SIP URI).
 */
import { describe, expect, it } from 'vitest';
import { uriUser } from '../../src/analysis/fields.js';

describe('uriUser', () => {
  it('gives the unescaped user of sip:, sips: and tel: URIs, the same when asked again', () => {
    for (let round = 0; round < 2; round++) {
      expect(uriUser('sip:alice@example.com')).toBe('alice');
      expect(uriUser('sips:bob%20smith@example.com:5061;transport=tls')).toBe('bob smith');
      expect(uriUser('sip:+15551234;phone-context=example.com@gw.example.com;user=phone')).toBe('+15551234;phone-context=example.com');
      expect(uriUser('tel:+1-555-1234;phone-context=example.com')).toBe('+1-555-1234');
    }
  });

  it('gives none for a URI without a user or one it cannot read, the same when asked again', () => {
    for (let round = 0; round < 2; round++) {
      expect(uriUser('sip:example.com')).toBeUndefined();
      expect(uriUser('mailto:alice@example.com')).toBeUndefined();
      expect(uriUser('not a uri')).toBeUndefined();
    }
  });

  it('stays right past the number of URIs it remembers (the memory is cleared when full, not grown)', () => {
    for (let i = 0; i < 20_000; i++) expect(uriUser(`sip:user${i}@example.com`)).toBe(`user${i}`);
    expect(uriUser('sip:user7@example.com')).toBe('user7');
    expect(uriUser('sip:example.com')).toBeUndefined();
  });
});
