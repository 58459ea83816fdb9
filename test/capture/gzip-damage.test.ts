/**
 * A damaged gzip capture (RFC 1952) keeps every byte inflated before the damage, read by name and from stdin
 * alike. The damaged inputs are made from real fixtures here: cut at several offsets, or with a wrong CRC-32 or
 * length in the trailer. What they must decode to is derived without our gzip reader: zlib.gunzipSync inflates
 * the good prefix (Z_SYNC_FLUSH: a cut stream ends without error; the whole original when only the trailer is
 * wrong), and that prefix, written out as a plain capture, is decoded. The damage is one issue, with its code and
 * its offset in the compressed file, in place of the plain prefix's own 'truncated-file' (which counts inflated bytes).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GzipDamageError } from '../../src/capture/errors.js';
import type { DecodeIssue } from '../../src/capture/types.js';
import { decodeFiles, payloadSummary, writeScratch, type Decoded } from './decode-helper.js';

const capturesDir = join(import.meta.dirname, '../../fixtures/captures');
const TRAILER_BYTES = 8;

interface Damaged {
  name: string;
  bytes: Buffer;
  /** The capture bytes zlib inflates from `bytes` before the damage. */
  inflated: Buffer;
  code: 'truncated-file' | 'corrupt-gzip';
  /** Offset in the compressed file the issue must name. */
  offset: number;
}

function cutAt(compressed: Buffer, length: number): Damaged {
  const bytes = compressed.subarray(0, length);
  return { name: `cut at ${length}`, bytes, inflated: gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }), code: 'truncated-file', offset: length };
}

/** Every bit of the trailer's CRC-32 (first 4 bytes) or ISIZE (last 4) flipped, so the check fails for sure. */
function badTrailer(compressed: Buffer, field: 'crc' | 'length'): Damaged {
  const bytes = Buffer.from(compressed);
  const from = bytes.length - TRAILER_BYTES + (field === 'crc' ? 0 : 4);
  for (let at = from; at < from + 4; at++) bytes[at] ^= 0xff;
  return { name: `wrong trailer ${field}`, bytes, inflated: gunzipSync(compressed), code: 'corrupt-gzip', offset: bytes.length - TRAILER_BYTES };
}

function damagesOf(file: string, cuts: number[]): Damaged[] {
  const compressed = readFileSync(join(capturesDir, file));
  const ends = [compressed.length - TRAILER_BYTES, compressed.length - 3];
  return [...cuts, ...ends].map((length) => cutAt(compressed, length)).concat(badTrailer(compressed, 'crc'), badTrailer(compressed, 'length'));
}

const fixtures: Array<{ file: string; damages: Damaged[] }> = [
  // the cut points of the defect report: stdin lost all 14 messages at 3000, and 7/6/9 of them at the others
  { file: 'recorded/tcp.pcapng.gz', damages: damagesOf('recorded/tcp.pcapng.gz', [3000, 5000, 7000, 7300]) },
  { file: 'recorded/udp.pcap.gz', damages: damagesOf('recorded/udp.pcap.gz', [600, 1200, 1800]) },
  { file: 'derived/fax.pcap.gz', damages: damagesOf('derived/fax.pcap.gz', [100_000, 400_000, 700_000]) },
];

/** Ways of handing the damaged bytes to the decoder: by name (two read windows) and as stdin (three chunkings). */
const inputs: Array<{ name: string; decode(bytes: Buffer): Promise<{ file: string; decoded: Decoded }> }> = [
  { name: 'by name', decode: (bytes) => byName(bytes) },
  { name: 'by name, 1500-byte window', decode: (bytes) => byName(bytes, 1500) },
  { name: 'stdin, one chunk', decode: (bytes) => fromStdin(Readable.from([bytes])) },
  { name: 'stdin, 100-byte chunks', decode: (bytes) => fromStdin(Readable.from(chunks(bytes, 100))) },
  { name: 'stdin, a file stream', decode: (bytes) => fromStdin(createReadStream(writeScratch(bytes, 'damaged.gz'), { highWaterMark: 4096 })) },
];

async function byName(bytes: Buffer, windowBytes?: number): Promise<{ file: string; decoded: Decoded }> {
  const file = writeScratch(bytes, 'damaged.gz');
  return { file, decoded: await decodeFiles([file], { windowBytes }) };
}

async function fromStdin(stdin: Readable): Promise<{ file: string; decoded: Decoded }> {
  return { file: '-', decoded: await decodeFiles(['-'], { stdin }) };
}

function chunks(bytes: Buffer, size: number): Buffer[] {
  return Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}

/** Issues as decoding the prefix reports them, without the file name (the inputs differ) and the container's own cut. */
const otherIssues = (issues: DecodeIssue[]) => issues.filter((issue) => issue.code !== 'truncated-file').map(({ file: _file, ...rest }) => rest);

describe('a damaged gzip capture keeps every byte inflated before the damage', () => {
  for (const { file, damages } of fixtures) {
    for (const damage of damages) {
      it(`${file}, ${damage.name}: the messages of the inflated prefix, and one ${damage.code} issue at compressed byte ${damage.offset}`, async () => {
        expect(() => gunzipSync(damage.bytes), 'the input is damaged').toThrow();
        const expected = await decodeFiles([writeScratch(damage.inflated, 'prefix.pcap')]);
        expect(expected.payloads.length, 'the prefix holds messages').toBeGreaterThan(0);
        for (const input of inputs) {
          const { file: named, decoded } = await input.decode(damage.bytes);
          const context = input.name;
          expect(payloadSummary(decoded.payloads), context).toEqual(payloadSummary(expected.payloads));
          expect(decoded.stats.packets, context).toBe(expected.stats.packets);
          const damageIssues = decoded.issues.filter((issue) => issue.code === damage.code);
          expect(damageIssues, context).toEqual([
            {
              code: damage.code,
              file: named,
              offset: damage.offset,
              // the damage lies before the packet that would have followed the prefix's last one
              beforePacket: expected.stats.packets + 1,
              message: expect.stringContaining(`the ${damage.inflated.length} bytes inflated before it were read`),
            },
          ]);
          expect(otherIssues(decoded.issues.filter((issue) => issue.code !== damage.code)), context).toEqual(otherIssues(expected.issues));
        }
      });
    }
  }

  it('the whole fixture, undamaged, decodes as its plain capture does (the cases above are not all empty prefixes)', async () => {
    const whole = await decodeFiles([join(capturesDir, 'recorded/tcp.pcapng.gz')]);
    const plain = await decodeFiles([join(capturesDir, 'recorded/tcp.pcapng')]);
    expect(whole.issues).toEqual([]);
    expect(payloadSummary(whole.payloads)).toEqual(payloadSummary(plain.payloads));
    expect(whole.payloads.length).toBe(62);
  });

  it('a stream cut before the capture header inflates is fatal, with the same code and offset, by name and on stdin', async () => {
    const cut = readFileSync(join(capturesDir, 'recorded/tcp.pcapng.gz')).subarray(0, 20);
    expect(gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).length).toBe(0);
    for (const decode of [() => decodeFiles([writeScratch(cut, 'cut.gz')]), () => decodeFiles(['-'], { stdin: Readable.from([cut]) })]) {
      const error: unknown = await decode().catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(GzipDamageError);
      expect(error).toMatchObject({ code: 'truncated-file', offset: 20, inflatedBytes: 0 });
    }
  });
});
