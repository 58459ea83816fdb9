/** The decode command's byte-level Call-ID read must give what the full parser gives, on every captured message. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callIdOf } from '../../src/cli/commands/decode.js';
import { getHeader, parseMessage, SipParseError } from '../../src/sip/index.js';
import { formatTimeUs } from '../../src/capture/time-format.js';
import { decodeFiles } from './decode-helper.js';

const fixtures = join(import.meta.dirname, '../../fixtures/captures');

/** What `sipscope decode` printed before the byte scan: a full parse, null where it throws. */
function parsedCallId(bytes: Uint8Array): string | null {
  try {
    return getHeader(parseMessage(bytes, { datagram: true }), 'call-id') ?? null;
  } catch (error) {
    if (error instanceof SipParseError) return null;
    throw error;
  }
}

function captureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return captureFiles(path);
    return /\.(pcap|pcapng)(\.gz)?$/.test(name) ? [path] : [];
  });
}

describe('Call-ID byte scan', () => {
  const files = captureFiles(fixtures);

  it('finds fixture captures to compare on', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.map((file) => [file.slice(fixtures.length + 1), file]))('agrees with parseMessage on every message of %s', async (_name, file) => {
    const { payloads } = await decodeFiles([file]);
    const mismatches = payloads.filter((p) => callIdOf(p.bytes) !== parsedCallId(p.bytes)).map((p) => p.packetNumber);
    expect(mismatches).toEqual([]);
  });

  it('agrees with parseMessage on generated hostile header blocks (case, compact form, folding, odd line ends, UTF-8)', () => {
    const startLines = ['INVITE sip:a@b SIP/2.0', 'SIP/2.0 200 OK', 'SIP/2.0 200', 'SIP/2.0 2x0 OK', 'INVITE SIP/2.0', 'X y', '', 'SIP/2.0 abc SIP/2.0', ' INVITE sip:a SIP/2.0'];
    const fields = [
      'Call-ID: abc@h', 'call-id:x', 'CALL-ID \t:  spaced  ', 'i: compact', 'I:Upper', 'Call-Id: first', 'Call-IDx: no', 'Call\rID: no',
      'Call-ID:', 'Call-ID: caf\u00c3\u00a9', 'Call-ID: a\r\n  b', 'Call-ID: a\n\tb\r\n c', ' i: folded-start', 'Via: SIP/2.0/UDP h', 'CSeq: 1 X', 'no colon', ':empty name', 'i :x',
    ];
    const breaks = ['\r\n', '\n', '\r', '\r\r\n'];
    fc.assert(
      fc.property(
        fc.constantFrom('', '\r\n', '\n\n'),
        fc.constantFrom(...startLines),
        fc.array(fc.tuple(fc.constantFrom(...fields), fc.constantFrom(...breaks)), { maxLength: 8 }),
        fc.constantFrom('', '\r\n', '\r\nbody Call-ID: no\r\n', '\n'),
        (lead, startLine, lines, tail) => {
          const text = `${lead}${startLine}\r\n${lines.map(([field, br]) => field + br).join('')}${tail}`;
          const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
          expect(callIdOf(bytes)).toBe(parsedCallId(bytes));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('agrees with parseMessage on messages over the parser’s 16 KiB first read', () => {
    const pad = 'X-Pad: ' + 'p'.repeat(200) + '\r\n';
    for (const padLines of [70, 80, 90]) {
      for (const cut of ['Call-ID: late\r\n\r\n', '\r\nCall-ID: after-body\r\n', 'Call-ID: x\r']) {
        const text = `INVITE sip:a SIP/2.0\r\n${'Call-ID: early\r\n'.repeat(padLines % 2)}${pad.repeat(padLines)}${cut}`;
        const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
        expect(callIdOf(bytes)).toBe(parsedCallId(bytes));
      }
    }
  });
});

describe('formatTimeUs', () => {
  it('matches the Date-based form for every second-boundary, sub-millisecond and extreme value tried', () => {
    const reference = (timeUs: number): string => {
      const milliseconds = Math.floor(timeUs / 1000);
      const microseconds = timeUs - milliseconds * 1000;
      return `${new Date(milliseconds).toISOString().slice(0, 23)}${String(Math.floor(microseconds)).padStart(3, '0')}Z`;
    };
    const values = [0, 1, 999, 1000, 999_999, 1_000_000, 1_700_000_000_123_456, -1, -1001, -62_167_219_200_000_001, 253_402_300_800_000_000, 1000.7];
    fc.assert(fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (value) => formatTimeUs(value) === reference(value)), { numRuns: 20000 });
    for (const value of values) expect(formatTimeUs(value)).toBe(reference(value));
  });
});
