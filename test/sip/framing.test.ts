/** Stream framing (RFC 3261 §18.3) of src/sip/framing.ts, and its agreement with parseMessage. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findHeaderEnd, frameMessage, getHeader, MAX_HEADER_BYTES, parseMessage, readContentLength } from '../../src/sip/index.js';

const fixtures = join(import.meta.dirname, '../../fixtures/rfc4475');
const message = (body: string, lengthLine = `Content-Length: ${Buffer.byteLength(body)}`) =>
  `MESSAGE sip:a@b SIP/2.0\r\nCall-ID: c\r\n${lengthLine}\r\n\r\n${body}`;

/** Frames every message of a stream, as a transport would. */
function frameAll(stream: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let offset = 0;
  for (let guard = 0; guard < 1000; guard++) {
    const frame = frameMessage(stream, offset);
    if (frame.kind !== 'message') break;
    messages.push(stream.subarray(offset + frame.start, offset + frame.start + frame.length));
    offset += frame.start + frame.length;
  }
  return messages;
}

describe('frameMessage', () => {
  it('splits a stream of back-to-back messages by Content-Length', () => {
    const stream = Buffer.from(message('hello') + message('') + message('a\r\n\r\nb'));
    expect(frameAll(stream).map((bytes) => Buffer.from(parseMessage(bytes).body).toString())).toEqual(['hello', '', 'a\r\n\r\nb']);
  });

  it('skips CRLF keep-alives before a message (RFC 5626 §3.5.1)', () => {
    const frame = frameMessage(Buffer.from('\r\n\r\n\r\n' + message('x')));
    expect(frame).toEqual({ kind: 'message', start: 6, length: Buffer.byteLength(message('x')), contentLength: 1 });
    expect(frameMessage(Buffer.from('\r\n\r\n'))).toEqual({ kind: 'incomplete', start: 4 });
  });

  it('waits for the rest of the header block or the body', () => {
    const whole = Buffer.from(message('0123456789'));
    for (const cut of [1, 20, whole.indexOf('\r\n\r\n') + 2, whole.length - 1]) {
      expect(frameMessage(whole.subarray(0, cut)).kind, `cut at ${cut}`).toBe('incomplete');
    }
    expect(frameMessage(whole).kind).toBe('message');
  });

  it('frames from an offset and up to a limit', () => {
    const stream = Buffer.from('JUNK' + message('abc') + 'TAIL');
    const frame = frameMessage(stream, 4, stream.length - 4);
    expect(frame).toMatchObject({ kind: 'message', start: 0, contentLength: 3 });
    expect(frameMessage(stream, 4, stream.length - 6).kind).toBe('incomplete');
  });

  it('reports a missing or malformed Content-Length with where the header block ends', () => {
    const missing = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: c\r\n\r\n');
    expect(frameMessage(missing)).toEqual({ kind: 'error', start: 0, code: 'missing-content-length', headerEnd: missing.length });
    expect(frameMessage(Buffer.from(message('x', 'Content-Length: 1x')))).toMatchObject({ kind: 'error', code: 'bad-content-length' });
    expect(frameMessage(Buffer.from(message('x', 'Content-Length: -1')))).toMatchObject({ kind: 'error', code: 'bad-content-length' });
  });

  it('gives up on a header block larger than MAX_HEADER_BYTES', () => {
    const huge = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nX: ' + 'y'.repeat(MAX_HEADER_BYTES));
    expect(frameMessage(huge)).toMatchObject({ kind: 'error', code: 'header-too-large' });
  });
});

describe('readContentLength and findHeaderEnd', () => {
  const length = (text: string) => readContentLength(Buffer.from(text), 0, Buffer.byteLength(text));

  it('reads every spelling: long, compact l, any case, spaces before the colon, folded value', () => {
    expect(length('X\r\nContent-Length: 12\r\n')).toBe(12);
    expect(length('X\r\nl:7\r\n')).toBe(7);
    expect(length('X\r\nCONTENT-LENGTH   :   3  \r\n')).toBe(3);
    expect(length('X\r\nContent-Length:\r\n  42\r\n')).toBe(42);
    expect(length('X\r\nContent-Type: l\r\nc: x\r\n')).toBeUndefined();
    expect(length('X\r\nContent-Length: abc\r\n')).toBeNaN();
    expect(length('X\r\nContent-Length:\r\n')).toBeNaN();
  });

  it('finds the blank line after CRLF or bare LF lines', () => {
    expect(findHeaderEnd(Buffer.from('A\r\nB: c\r\n\r\nbody'), 0)).toBe(11);
    expect(findHeaderEnd(Buffer.from('A\nB: c\n\nbody'), 0)).toBe(8);
    expect(findHeaderEnd(Buffer.from('A\r\nB: c\r\n'), 0)).toBe(-1);
  });
});

describe('framing agrees with parseMessage', () => {
  it('frames a stream of the valid RFC 4475 messages into exactly those messages', () => {
    const names = ['wsinv', 'esc01', 'escnull', 'esc02', 'lwsdisp', 'longreq', 'semiuri', 'transports', 'mpart01', 'unreason', 'noreason', 'intmeth'];
    const originals = names.map((name) => readFileSync(join(fixtures, `${name}.dat`)));
    const framed = frameAll(Buffer.concat(originals.flatMap((bytes) => [Buffer.from('\r\n'), bytes])));
    expect(framed).toHaveLength(names.length);
    framed.forEach((bytes, index) => {
      expect(bytes.equals(originals[index]), names[index]).toBe(true);
      const parsed = parseMessage(bytes);
      expect(parsed.defects, names[index]).toEqual([]);
      expect(parsed.body.length).toBe(Number(getHeader(parsed, 'content-length')));
    });
  });
});
