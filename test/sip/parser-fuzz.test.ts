/**
 * Robustness: mutated RFC 4475 messages and random bytes never make the parser, the validator, the field
 * parsers or the serializer throw anything but typed SipErrors, and never take long.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  getHeaders, parseCSeq, parseMessage, parseNameAddrList, parseUri, parseVia, serializeMessage, SipError, SipParseError,
  validateMessage,
} from '../../src/sip/index.js';

const dir = join(import.meta.dirname, '../../fixtures/rfc4475');
const seeds = readdirSync(dir).filter((file) => file.endsWith('.dat')).sort().map((file) => readFileSync(join(dir, file)));

/** Runs everything a consumer might run on the bytes; returns the error class name of a typed failure. */
function exercise(bytes: Uint8Array): string {
  let message;
  try {
    message = parseMessage(bytes, { datagram: true, validate: true });
  } catch (error) {
    if (error instanceof SipParseError) return 'SipParseError';
    throw error;
  }
  validateMessage(message);
  serializeMessage(message);
  for (const [name, parse] of [['via', parseVia], ['cseq', parseCSeq], ['contact', parseNameAddrList], ['to', parseNameAddrList]] as const) {
    for (const value of getHeaders(message, name)) {
      try {
        parse(value);
      } catch (error) {
        if (!(error instanceof SipError)) throw error;
      }
    }
  }
  if (message.kind === 'request') {
    try {
      parseUri(message.uri);
    } catch (error) {
      if (!(error instanceof SipError)) throw error;
    }
  }
  return 'parsed';
}

const mutation = fc.record({
  seed: fc.integer({ min: 0, max: seeds.length - 1 }),
  edits: fc.array(fc.record({
    at: fc.nat(),
    kind: fc.constantFrom('replace', 'insert', 'delete', 'truncate'),
    byte: fc.constantFrom(0x00, 0x0a, 0x0d, 0x20, 0x09, 0x22, 0x3c, 0x3e, 0x3a, 0x3b, 0x2c, 0x40, 0x25, 0x5b, 0x5d, 0x80, 0xff, 0x61, 0x31),
  }), { minLength: 1, maxLength: 8 }),
});

function mutate(source: Buffer, edits: Array<{ at: number; kind: string; byte: number }>): Buffer {
  let bytes = Buffer.from(source);
  for (const edit of edits) {
    const at = bytes.length === 0 ? 0 : edit.at % bytes.length;
    if (edit.kind === 'replace' && bytes.length > 0) bytes[at] = edit.byte;
    else if (edit.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([edit.byte]), bytes.subarray(at)]);
    else if (edit.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    else if (edit.kind === 'truncate') bytes = bytes.subarray(0, at);
  }
  return bytes;
}

describe('parser robustness', () => {
  it('mutated torture messages give a message or a SipParseError, nothing else', () => {
    fc.assert(fc.property(mutation, ({ seed, edits }) => {
      expect(['parsed', 'SipParseError']).toContain(exercise(mutate(seeds[seed], edits)));
    }), { numRuns: 2000, seed: 20 });
  });

  it('random bytes give a message or a SipParseError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      expect(['parsed', 'SipParseError']).toContain(exercise(bytes));
    }), { numRuns: 1000, seed: 21 });
  });

  it('handles pathological sizes quickly (long lines, many headers, deep folding)', () => {
    const started = Date.now();
    const manyHeaders = 'OPTIONS sip:a@b SIP/2.0\r\n' + 'Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n'.repeat(20_000) + '\r\n';
    const folding = 'OPTIONS sip:a@b SIP/2.0\r\nSubject: x' + '\r\n y'.repeat(20_000) + '\r\n\r\n';
    const longLine = 'OPTIONS sip:a@b SIP/2.0\r\nX: ' + '"'.repeat(200_000) + '\r\n\r\n';
    const commas = 'OPTIONS sip:a@b SIP/2.0\r\nContact: ' + '<sip:a@b>,'.repeat(20_000) + '\r\n\r\n';
    const noColons = 'OPTIONS sip:a@b SIP/2.0\r\n' + 'no colon here\r\n'.repeat(20_000) + 'X: y\r\n\r\n';
    for (const text of [manyHeaders, folding, longLine, commas, noColons]) exercise(Buffer.from(text));
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
