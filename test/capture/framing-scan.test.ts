import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findHeaderEnd, frameMessage, readContentLength } from '../../src/sip/framing.js';

/** frameMessage finds the header end and Content-Length in one pass; it must agree with the two separate scans. */
function reference(bytes: Uint8Array): { headerEnd: number; contentLength: number | undefined } {
  let start = 0;
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start++;
  const headerEnd = findHeaderEnd(bytes, start, bytes.length);
  return { headerEnd, contentLength: headerEnd < 0 ? undefined : readContentLength(bytes, start, headerEnd) };
}

const pieces = [
  'Content-Length: 5', 'content-length:7', 'CONTENT-LENGTH \t: 12 ', 'l: 3', 'L :4', 'l:x', 'Content-Length: ', 'Content-Length:\r\n 9',
  'Call-ID: a', 'CSeq: 1 INVITE', 'Contact: <sip:x>', 'Content-Type: application/sdp', 'c: text/plain', 'lx: 1', 'Content\rLength: 2',
  'content-lengthy: 3', 'Via: SIP/2.0/TCP h', ' folded', '\t: 6', 'x', '', ':', 'Content-Length',
];
const breaks = ['\r\n', '\n', '\r', '\r\r\n'];

describe('frameMessage single-pass header scan', () => {
  it('agrees with findHeaderEnd + readContentLength on generated header blocks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...pieces), fc.constantFrom(...breaks)), { maxLength: 12 }),
        fc.constantFrom('', '\r\n', '\n'),
        fc.string({ maxLength: 20 }),
        (lines, lead, tail) => {
          const text = lead + 'INVITE sip:a SIP/2.0\r\n' + lines.map(([line, br]) => line + br).join('') + tail;
          const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
          const expected = reference(bytes);
          const frame = frameMessage(bytes);
          if (expected.headerEnd < 0) {
            expect(frame.kind).toBe('incomplete');
            return;
          }
          if (frame.kind === 'message') expect(frame.contentLength).toBe(expected.contentLength);
          else if (frame.kind === 'error') {
            expect(frame.headerEnd).toBe(expected.headerEnd);
            expect(frame.code).toBe(expected.contentLength === undefined ? 'missing-content-length' : 'bad-content-length');
          } else expect(expected.headerEnd + (expected.contentLength ?? 0)).toBeGreaterThan(bytes.length);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
