/** Content-Length framing of live streams (RFC 3261 §18.3): split, merged, keep-alives, and unframeable bytes. */
import { describe, expect, test } from 'vitest';
import { StreamFramer } from '../../src/transport/stream-framer.js';
import { TransportError } from '../../src/transport/errors.js';

const message = (status: number, body = '') =>
  `SIP/2.0 ${status} X\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK${status}\r\nCSeq: 1 OPTIONS\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('StreamFramer', () => {
  test('a message fed one byte at a time comes out once, whole, at its last byte', () => {
    const framer = new StreamFramer();
    const bytes = Buffer.from(message(200, 'v=0\r\n'));
    const out: string[] = [];
    bytes.forEach((byte, index) => {
      const messages = framer.push(Buffer.from([byte]));
      if (messages.length > 0) expect(index).toBe(bytes.length - 1);
      out.push(...messages.map((m) => m.toString()));
    });
    expect(out).toEqual([bytes.toString()]);
    expect(framer.pending).toBe(0);
  });

  test('three messages and CRLF keep-alives in one chunk come out as three, in order; a partial fourth waits', () => {
    const framer = new StreamFramer();
    const fourth = message(486);
    const chunk = '\r\n\r\n' + message(100) + message(180, 'abc') + '\r\n' + message(200) + fourth.slice(0, 20);
    expect(framer.push(Buffer.from(chunk)).map((m) => m.toString())).toEqual([message(100), message(180, 'abc'), message(200)]);
    expect(framer.pending).toBe(20);
    expect(framer.push(Buffer.from(fourth.slice(20))).map((m) => m.toString())).toEqual([fourth]);
  });

  test('a body split across chunks is joined; multi-byte UTF-8 bodies are counted in bytes', () => {
    const framer = new StreamFramer();
    const text = message(200, 'héllo wörld');
    const bytes = Buffer.from(text);
    expect(framer.push(bytes.subarray(0, bytes.length - 3))).toEqual([]);
    expect(framer.push(bytes.subarray(bytes.length - 3)).map((m) => m.toString())).toEqual([text]);
  });

  test('a header block without Content-Length is a bad-framing error naming the byte offset', () => {
    const framer = new StreamFramer();
    framer.push(Buffer.from(message(200)));
    try {
      framer.push(Buffer.from('SIP/2.0 200 OK\r\nCSeq: 1 X\r\n\r\n'));
      expect.unreachable('framing error expected');
    } catch (error) {
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('bad-framing');
      expect((error as TransportError).message).toContain(`byte ${Buffer.byteLength(message(200))}`);
      expect((error as TransportError).message).toContain('missing-content-length');
    }
  });
});
