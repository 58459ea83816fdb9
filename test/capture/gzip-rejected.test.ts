/**
 * Deflate data that zlib rejects in the middle of a gzip capture: what was inflated before the damage is kept, up to
 * the byte zlib rejects, by name and from stdin alike (zlib drops the output of the step that fails, up to 16 KiB: a
 * whole small capture, or dozens of packets of a larger one).
 *
 * The damaged files are real fixtures with 16 bytes overwritten by 0xff, at the first offset from the middle on where
 * that makes both zlib and gzip stop at the damage (much damage only fails the CRC at the end, or makes a distance
 * point before the stream's start, which gzip's own inflate does not check). What must be kept is derived without our gzip reader:
 * zlib.gunzipSync of the longest prefix it inflates (Z_SYNC_FLUSH: a prefix ends without error), decoded as a plain
 * capture; and what `zcat` writes before its error and what tshark reads of the damaged file, counted by tshark.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { constants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BufferByteSource, RetainingByteSource } from '../../src/capture/byte-source.js';
import { decodeFiles, payloadSummary, writeScratch, type Decoded } from './decode-helper.js';

const capturesDir = join(import.meta.dirname, '../../fixtures/captures');

/** zlib's message for the damaged stream, or undefined when zlib inflates to the end (a CRC or length check fails then). */
function midStreamError(damaged: Buffer): string | undefined {
  try {
    gunzipSync(damaged);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    return /data check|length check|too far back|unexpected end/.test(message) ? undefined : message;
  }
}

const DAMAGE_BYTES = 16;

/** The first offset from the middle on where 16 bytes of 0xff make zlib and zcat stop in the middle of the stream. */
function damageInTheMiddle(compressed: Buffer): { damaged: Buffer; zlibSays: string; zcat: Buffer } {
  for (let at = compressed.length >> 1; at + DAMAGE_BYTES < compressed.length - 8; at++) {
    const damaged = Buffer.from(compressed);
    damaged.fill(0xff, at, at + DAMAGE_BYTES);
    const zlibSays = midStreamError(damaged);
    if (zlibSays === undefined) continue;
    const zcat = spawnSync('zcat', [writeScratch(damaged, 'damaged.gz')]);
    if (/format violated/.test(zcat.stderr.toString())) return { damaged, zlibSays, zcat: zcat.stdout };
  }
  throw new Error('no byte of the fixture makes zlib and zcat stop mid-stream');
}

/** The longest prefix zlib inflates, and what it inflates to: the byte after it is the one zlib rejects. */
function inflatablePrefix(damaged: Buffer): { rejectedAt: number; inflated: Buffer } {
  const inflate = (length: number) => gunzipSync(damaged.subarray(0, length), { finishFlush: constants.Z_SYNC_FLUSH });
  let good = 0;
  let bad = damaged.length;
  while (bad - good > 1) {
    const middle = (good + bad) >> 1;
    try {
      inflate(middle);
      good = middle;
    } catch {
      bad = middle;
    }
  }
  return { rejectedAt: good, inflated: inflate(good) };
}

/** Frames tshark reads of a capture file (a damaged .gz, or a plain capture cut short), up to its first error. */
function tsharkFrames(path: string): number {
  const run = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  return run.stdout.split('\n').filter(Boolean).length;
}

const inputs: Array<{ name: string; decode(bytes: Buffer): Promise<{ file: string; decoded: Decoded }> }> = [
  { name: 'by name', decode: async (bytes) => ({ file: 'by-name', decoded: await decodeFiles([writeScratch(bytes, 'damaged.gz')]) }) },
  { name: 'stdin, 1000-byte chunks', decode: async (bytes) => ({ file: '-', decoded: await decodeFiles(['-'], { stdin: Readable.from(chunksOf(bytes, 1000)) }) }) },
];

function chunksOf(bytes: Buffer, size: number): Buffer[] {
  return Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
}

describe('deflate data rejected mid-stream: everything zlib inflates before the rejected byte is kept', () => {
  for (const fixture of ['recorded/tcp.pcapng.gz', 'derived/fax.pcap.gz']) {
    it(`${fixture}: the packets of the inflatable prefix (at least as many as zcat and tshark get), one corrupt-gzip issue at the rejected byte`, async () => {
      const { damaged, zlibSays, zcat } = damageInTheMiddle(readFileSync(join(capturesDir, fixture)));
      const prefix = inflatablePrefix(damaged);
      // the damage lies past what one failing zlib step of 16 KiB could lose of a small capture
      expect(prefix.inflated.length).toBeGreaterThan(16 * 1024);
      const expected = await decodeFiles([writeScratch(prefix.inflated, 'prefix.pcap')]);
      const zcatPackets = tsharkFrames(writeScratch(zcat, 'zcat-output.pcap'));
      const tsharkPackets = tsharkFrames(writeScratch(damaged, 'damaged.gz'));
      for (const input of inputs) {
        const { decoded } = await input.decode(damaged);
        expect(decoded.stats.packets, input.name).toBe(expected.stats.packets);
        expect(decoded.stats.packets, `${input.name}: as many packets as zcat's output holds`).toBeGreaterThanOrEqual(zcatPackets);
        expect(decoded.stats.packets, `${input.name}: as many packets as tshark reads`).toBeGreaterThanOrEqual(tsharkPackets);
        expect(payloadSummary(decoded.payloads), input.name).toEqual(payloadSummary(expected.payloads));
        expect(decoded.issues.filter((issue) => issue.code === 'corrupt-gzip'), input.name).toEqual([
          expect.objectContaining({
            offset: prefix.rejectedAt,
            beforePacket: expected.stats.packets + 1,
            message: `gzip stream damaged: zlib rejects compressed byte ${prefix.rejectedAt} (${zlibSays}); the ${prefix.inflated.length} bytes inflated before it were read`,
          }),
        ]);
      }
    }, 60_000);
  }

  it('a capture smaller than one zlib step, rejected early: its first packets kept, not an unreadable file', async () => {
    const compressed = readFileSync(join(capturesDir, 'recorded/udp.pcap.gz'));
    // the first offset from the middle where zlib rejects 16 bytes of 0xff at all
    let damaged = compressed;
    for (let at = compressed.length >> 1; damaged === compressed; at++) {
      const candidate = Buffer.from(compressed);
      candidate.fill(0xff, at, at + DAMAGE_BYTES);
      try {
        gunzipSync(candidate);
      } catch (error) {
        if (/too far back|invalid/.test((error as Error).message)) damaged = candidate;
      }
    }
    const prefix = inflatablePrefix(damaged);
    expect(prefix.inflated.length).toBeLessThan(16 * 1024);
    const expected = await decodeFiles([writeScratch(prefix.inflated, 'prefix.pcap')]);
    expect(expected.stats.packets).toBeGreaterThan(0);
    for (const input of inputs) {
      const { decoded } = await input.decode(damaged);
      expect(payloadSummary(decoded.payloads), input.name).toEqual(payloadSummary(expected.payloads));
      expect(decoded.issues.find((issue) => issue.code === 'corrupt-gzip'), input.name).toMatchObject({ offset: prefix.rejectedAt });
    }
    expect(expected.stats.packets).toBeGreaterThanOrEqual(tsharkFrames(writeScratch(damaged, 'damaged.gz')));
  });
});

describe('RetainingByteSource (stdin kept to inflate it again)', () => {
  it('replays what was read from its first byte, and nothing once past its limit', async () => {
    const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const retaining = new RetainingByteSource(new BufferByteSource(bytes), 256);
    const target = Buffer.alloc(100);
    await retaining.read(target, 0, 100);
    // the reader's buffer is reused: the copy kept is not a view of it
    target.fill(0);
    await retaining.read(target, 0, 100);
    const replayed = Buffer.alloc(300);
    expect(await retaining.replay()!.read(replayed, 0, 300)).toBe(200);
    expect(replayed.subarray(0, 200)).toEqual(bytes.subarray(0, 200));
    await retaining.read(target, 0, 100);
    expect(retaining.replay()).toBeUndefined();
  });
});
