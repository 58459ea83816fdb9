/** serialize(parse(x)) === x for random well-formed CRLF messages (folding, odd spacing, any body bytes). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getHeader, parseMessage, serializeMessage } from '../../src/sip/index.js';

const tokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~";
const token = fc.array(fc.constantFrom(...tokenChars.split('')), { minLength: 1, maxLength: 12 }).map((chars) => chars.join(''));
const word = fc.array(fc.integer({ min: 0x21, max: 0x7e }), { minLength: 1, maxLength: 10 }).map((codes) => String.fromCharCode(...codes));
const spaces = fc.constantFrom('', ' ', '  ', '\t');

/** A header field as wire text: name, optional space before ':', words joined by spaces or folds. */
const field = fc.record({
  name: token.filter((name) => !['content-length', 'l'].includes(name.toLowerCase())),
  before: fc.constantFrom('', ' '),
  after: spaces,
  words: fc.array(fc.tuple(word, fc.constantFrom(' ', '\r\n ', '\r\n\t', '  ')), { minLength: 1, maxLength: 5 }),
}).map(({ name, before, after, words }) => {
  const value = words.map(([text, separator], index) => (index === 0 ? '' : separator) + text).join('');
  return { text: `${name}${before}:${after}${value}`, name };
});

const message = fc.record({
  startLine: fc.oneof(
    fc.tuple(token, word).map(([method, uri]) => `${method} sip:${uri.replace(/[^a-z0-9]/gi, 'x')}@example.com SIP/2.0`),
    fc.tuple(fc.integer({ min: 100, max: 699 }), fc.array(word, { maxLength: 3 })).map(([status, reason]) => `SIP/2.0 ${status} ${reason.join(' ')}`),
  ),
  fields: fc.array(field, { maxLength: 12 }),
  body: fc.uint8Array({ maxLength: 64 }),
});

describe('round trip', () => {
  it('serializeMessage(parseMessage(x)) is byte-equal to x', () => {
    fc.assert(fc.property(message, ({ startLine, fields, body }) => {
      const head = [startLine, ...fields.map((f) => f.text), `Content-Length: ${body.length}`].join('\r\n') + '\r\n\r\n';
      const bytes = Buffer.concat([Buffer.from(head, 'latin1'), body]);
      const parsed = parseMessage(bytes);
      expect(parsed.defects).toEqual([]);
      expect(getHeader(parsed, 'content-length')).toBe(String(body.length));
      expect(serializeMessage(parsed).equals(bytes)).toBe(true);
    }), { numRuns: 500, seed: 7 });
  });
});
