/**
 * Real captures cut at every length through their first bytes: the file header (pcap's 24 bytes, pcapng's whole first
 * section header block), then the first record or block. What is said is checked against the formats' layouts
 * (draft-ietf-opsawg-pcap §4, draft-ietf-opsawg-pcapng §4.1), read here from the fixtures' own bytes; tshark, forced
 * to the capture's format (left to guess, it takes a cut pcapng for JSON or MIME), reads no frame of any of them.
 *
 * - 0 bytes: `empty-file`; 1 to 3: `unrecognised-format`, too few for a magic number.
 * - a cut inside the file header: `truncated-header`, fatal (nothing in the file can be read), naming the field the
 *   input ends in and the header's size.
 * - a cut after the header, inside the first record or block: a `truncated-file` issue at the record's offset, naming
 *   what is cut, as any later cut is: the file header was read, and what follows it is damage reported as it goes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/capture/errors.js';
import { decodeBytes, writeScratch, type Decoded } from './decode-helper.js';

const recorded = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/captures/recorded', name));

/** What decoding the bytes gives: the error it refused them with, or what it decoded. */
async function outcome(bytes: Uint8Array): Promise<{ error?: CaptureError & { offset?: number; field?: string }; decoded?: Decoded }> {
  try {
    return { decoded: await decodeBytes(bytes) };
  } catch (error) {
    if (error instanceof CaptureError) return { error };
    throw error;
  }
}

/** tshark's name of a file format it reads, as `-X read_format:` takes it (the names differ between versions). */
function tsharkFormat(suffix: 'pcap' | 'pcapng'): string {
  const listing = spawnSync('tshark', ['-X', 'read_format:none-such', '-r', '/dev/null'], { encoding: 'utf8' }).stderr;
  const name = listing.split('\n').map((line) => /^\s+(.*) - Magic-value-based$/.exec(line)?.[1]).find((format) => format?.endsWith(` - ${suffix}`));
  expect(name, `tshark lists a ${suffix} reader`).toBeDefined();
  return name!;
}

/** What tshark, reading the bytes as `format`, says: how many frames, its exit status and its complaint. */
function tsharkReads(bytes: Uint8Array, format: string): { frames: number; status: number | null; stderr: string } {
  const path = writeScratch(bytes, 'cut-for-tshark');
  const run = spawnSync('tshark', ['-X', `read_format:${format}`, '-r', path, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
  return { frames: run.stdout.split('\n').filter(Boolean).length, status: run.status, stderr: run.stderr };
}

/** [first byte, last byte, field] of a header whose layout is given as [size, field] pairs. */
function layout(fields: Array<[number, string]>): Array<[number, number, string]> {
  let at = 0;
  return fields.map(([size, field]) => {
    const placed: [number, number, string] = [at, at + size - 1, field];
    at += size;
    return placed;
  });
}

const fieldAt = (fields: Array<[number, number, string]>, offset: number) => fields.find(([first, last]) => first <= offset && offset <= last)!;

describe('an input too short to hold a magic number', () => {
  it('0 bytes: empty-file, said to be empty (not "unrecognised")', async () => {
    const { error } = await outcome(new Uint8Array(0));
    expect(error).toMatchObject({ code: 'empty-file', message: expect.stringMatching(/: empty \(0 bytes\): no capture to read$/) });
  });

  it('1 to 3 bytes: unrecognised-format, too few bytes for a magic number, and which magic they begin', async () => {
    for (const [name, format] of [['udp.pcap', 'pcap'], ['tcp.pcapng', 'pcapng']] as const) {
      for (let length = 1; length < 4; length++) {
        const bytes = recorded(name).subarray(0, length);
        const { error } = await outcome(bytes);
        const count = length === 1 ? '1 byte' : `${length} bytes`;
        expect(error, `${name} cut to ${length}`).toMatchObject({ code: 'unrecognised-format' });
        expect(error!.message).toContain(`: not a pcap or pcapng capture: only ${count}, too few for a magic number (4 bytes), though ${length === 1 ? 'it is' : 'they are'} the start of a ${format} file's`);
        expect(error!.message).toMatch(new RegExp(`\\(first bytes: ${Buffer.from(bytes).toString('hex').replace(/(..)(?!$)/g, '$1 ')}\\)$`));
      }
    }
  });

  it('a text file: unrecognised-format, its first bytes shown as hex and as the text they are', async () => {
    const { error } = await outcome(Buffer.from('# sipscope notes\nnothing captured here\n'));
    expect(error).toMatchObject({ code: 'unrecognised-format', message: expect.stringMatching(/: not a pcap or pcapng capture \(first bytes: 23 20 73 69 70 73 63 6f, as text "# sipsco"\)$/) });
  });

  it('binary bytes of no capture: unrecognised-format, hex only', async () => {
    const { error } = await outcome(Buffer.from([0x96, 0xbd, 0x22, 0xc7, 0xb5, 0x25, 0x9b, 0xc9, 1, 2, 3, 4]));
    expect(error).toMatchObject({ code: 'unrecognised-format', message: expect.stringMatching(/ \(first bytes: 96 bd 22 c7 b5 25 9b c9\)$/) });
  });
});

describe('classic pcap cut at every length from 4 to 40 bytes', () => {
  const original = recorded('udp.pcap');
  const fields = layout([[4, 'magic number'], [4, 'major and minor version'], [8, 'reserved fields'], [4, 'snapshot length'], [4, 'link type']]);
  const firstRecord = 16 + original.readUInt32LE(24 + 8);

  it('4 to 23: truncated-header, the field the cut falls in, the header 24 bytes', async () => {
    for (let length = 4; length < 24; length++) {
      const { error } = await outcome(original.subarray(0, length));
      const [first, last, field] = fieldAt(fields, length);
      expect(error, `cut at ${length}`).toMatchObject({ code: 'truncated-header', offset: length, field });
      expect(error!.message).toMatch(new RegExp(`: a pcap file cut inside its file header: it ends at byte ${length}, inside the ${field} \\(bytes ${first} to ${last}\\); the header is 24 bytes$`));
    }
  });

  it('24: an empty capture, nothing said; 25 to 40: one truncated-file issue at offset 24, the record header or its data', async () => {
    expect((await outcome(original.subarray(0, 24))).decoded).toMatchObject({ issues: [], stats: { packets: 0 } });
    for (let length = 25; length <= 40; length++) {
      const { decoded } = await outcome(original.subarray(0, length));
      const present = length - 24;
      const message = present < 16 ? `file ends inside a packet record's header (${present} of its 16 bytes present)` : `file ends inside a packet record's captured bytes (${present} of the record's ${firstRecord} bytes present)`;
      expect(decoded?.issues, `cut at ${length}`).toEqual([expect.objectContaining({ code: 'truncated-file', beforePacket: 1, offset: 24, message })]);
    }
  });

  it('tshark reads no frame of any of these cuts either', () => {
    const format = tsharkFormat('pcap');
    for (const length of [4, 7, 8, 15, 16, 19, 20, 23, 25, 39, 40]) {
      const tshark = tsharkReads(original.subarray(0, length), format);
      expect(tshark.frames, `cut at ${length}`).toBe(0);
      expect(tshark.stderr).toMatch(/cut short/);
    }
  });
});

for (const name of ['tcp.pcapng', 'ipv6.pcapng']) {
  describe(`${name} cut at every length through its section header and interface description blocks`, () => {
    const original = recorded(name);
    const shb = original.readUInt32LE(4);
    const idb = original.readUInt32LE(shb + 4);
    const fields = layout([[4, 'block type'], [4, 'block total length'], [4, 'byte-order magic'], [4, 'major and minor version'], [8, 'section length'], [shb - 28, 'options'], [4, 'trailing block total length']]);

    it(`4 to ${shb - 1}: truncated-header, naming the field of the section header block the cut falls in (the version, its lengths, options)`, async () => {
      expect(original.readUInt32LE(0)).toBe(0x0a0d0d0a);
      expect(original.readUInt32LE(shb - 4)).toBe(shb);
      for (let length = 4; length < shb; length++) {
        const { error } = await outcome(original.subarray(0, length));
        const [first, last, field] = fieldAt(fields, length);
        // until the byte-order magic is whole, the block's length cannot be read
        const size = length < 12 ? 'the block is at least 28 bytes' : `the block is ${shb} bytes, as its block total length says`;
        expect(error, `cut at ${length}`).toMatchObject({ code: 'truncated-header', offset: length, field });
        expect(error!.message).toMatch(new RegExp(`: a pcapng file cut inside its file header, the section header block: it ends at byte ${length}, inside the ${field.replace(/[()]/g, '\\$&')} \\(bytes ${first} to ${last}\\); ${size}$`));
      }
    });

    it(`${shb}: an empty capture; ${shb + 1} to ${shb + idb - 1}: one truncated-file issue at offset ${shb}, naming the interface description block`, async () => {
      expect((await outcome(original.subarray(0, shb))).decoded).toMatchObject({ issues: [], stats: { packets: 0 } });
      expect(original.readUInt32LE(shb)).toBe(1);
      for (let length = shb + 1; length < shb + idb; length++) {
        const { decoded } = await outcome(original.subarray(0, length));
        const present = length - shb;
        const block = present < 4 ? 'a block' : 'an interface description block';
        const message = present < 8 ? `file ends inside the type and total length of ${block} (${present} of those 8 bytes present)` : `file ends inside ${block} (${present} of its ${idb} bytes present)`;
        expect(decoded?.issues, `cut at ${length}`).toEqual([expect.objectContaining({ code: 'truncated-file', beforePacket: 1, offset: shb, message })]);
        expect(decoded?.stats.packets).toBe(0);
      }
    });

    it('tshark reads no frame of any of these cuts either: "isn\'t a capture file" inside the section header, "cut short" after it', () => {
      const format = tsharkFormat('pcapng');
      for (const length of [4, 8, 12, 16, 24, shb - 5, shb - 4, shb - 1, shb + 1, shb + 8, shb + idb - 1]) {
        const tshark = tsharkReads(original.subarray(0, length), format);
        expect(tshark.frames, `cut at ${length}`).toBe(0);
        expect(tshark.status, `cut at ${length}`).not.toBe(0);
        expect(tshark.stderr).toMatch(length < shb - 4 ? /isn't a capture file/ : /cut short/);
      }
    });
  });
}

describe('a big-endian section header block', () => {
  it('its block total length is read in the order of its magic', async () => {
    const little = recorded('tcp.pcapng');
    const shb = little.readUInt32LE(4);
    const big = Buffer.from(little.subarray(0, shb));
    big.writeUInt32BE(shb, 4);
    big.writeUInt32BE(0x1a2b3c4d, 8);
    big.writeUInt32BE(shb, shb - 4);
    const { error } = await outcome(big.subarray(0, 20));
    expect(error).toMatchObject({ code: 'truncated-header', offset: 20, field: 'section length', message: expect.stringMatching(new RegExp(`; the block is ${shb} bytes, as its block total length says$`)) });
  });
});
