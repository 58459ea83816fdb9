/**
 * Real captures damaged at test time (one corrupt record header, a cut): the damage is reported where it is (file,
 * packet number, byte offset) and every other packet is kept. What must be kept is derived by Wireshark's tools,
 * not by sipscope: tshark's reading of the undamaged capture with the damaged record taken out by editcap.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBytes, decodeFiles, writeScratch } from './decode-helper.js';
import { dealFrames } from './split-captures.js';
import { frameCallIdKeys, tsharkSip } from './tcp-expect-helper.js';
import { deleteBytes, flipSecondsHighByte, flipTimestampHighWord, pcapngPacketOffsets } from './damage-edits.mjs';

const recorded = (name: string) => join(import.meta.dirname, '../../fixtures/captures/recorded', name);
const work = mkdtempSync(join(tmpdir(), 'sipscope-damaged-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const RECORD_HEADER = 16;

/** File offsets of the records of a little-endian classic pcap (24-byte file header, 16-byte record headers). */
function pcapRecordOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 24; at + 16 <= bytes.length; at += 16 + bytes.readUInt32LE(at + 8)) offsets.push(at);
  return offsets;
}

/** (frame, Call-ID) of every SIP message tshark finds in the frames `selection` (editcap -r: "1-65") of `capture`. */
function tsharkOfFrames(capture: string, selection: string): string[] {
  const kept = join(work, `${capture.split('/').pop()}-frames-${selection}`);
  execFileSync('editcap', ['-r', capture, kept, selection], { stdio: 'ignore' });
  return frameCallIdKeys(tsharkSip(kept, 'sip'));
}

/** (frame, Call-ID) of every SIP message tshark finds in `capture` once editcap has taken out `frame`. */
function tsharkWithout(capture: string, frame: number): string[] {
  const without = join(work, `${capture.split('/').pop()}-without-${frame}`);
  execFileSync('editcap', [capture, without, String(frame)], { stdio: 'ignore' });
  return frameCallIdKeys(tsharkSip(without, 'sip'));
}

/** tshark's capture time of every frame (frame.time_epoch), in microseconds since the epoch (nanoseconds cut). */
function tsharkTimesUs(path: string): number[] {
  const epochs = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return epochs.split('\n').filter(Boolean).map((epoch) => {
    const [seconds, fraction = ''] = epoch.split('.');
    return Number(seconds) * 1e6 + Number(fraction.padEnd(6, '0').slice(0, 6));
  });
}

/** ISO 8601 with microseconds of a time in microseconds (how issues print times). */
function isoMicros(timeUs: number): string {
  return `${new Date(Math.floor(timeUs / 1000)).toISOString().slice(0, 23)}${String(timeUs % 1000).padStart(3, '0')}Z`;
}

/** What tshark reads of a damaged file: the captured length of each frame, and what it says on stderr. */
function tsharkCapturedLengths(path: string): { lengths: number[]; stderr: string } {
  const run = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.cap_len'], { encoding: 'utf8' });
  return { lengths: run.stdout.split('\n').filter(Boolean).map(Number), stderr: run.stderr };
}

describe('classic pcap: a record header whose captured length is impossible', () => {
  const capture = recorded('trouble-udp.pcap');
  const original = readFileSync(capture);
  const [, second, third] = pcapRecordOffsets(original);

  it('captured length 65536 > original length 445: reported at record 2, reading goes on at record 3, nothing else lost', async () => {
    expect(original.readUInt32LE(second + 12)).toBe(445);
    const damaged = Buffer.from(original);
    damaged.writeUInt32LE(65536, second + 8);
    const path = writeScratch(damaged, 'caplen-65536.pcap');
    // tshark takes the 65536 bytes as frame 2 (65536 is below its 262144 limit), then meets "a record header" inside
    // the packets after it and stops: "appears to be damaged or corrupt ... bigger than maximum of 262144"; the
    // 160-odd packets after frame 2 are not read at all
    const tshark = tsharkCapturedLengths(path);
    expect(tshark.lengths).toEqual([original.readUInt32LE(24 + 8), 65536]);
    expect(tshark.stderr).toMatch(/damaged or corrupt/);

    const decoded = await decodeBytes(damaged);
    expect(decoded.issues).toEqual([
      expect.objectContaining({ code: 'bad-record-length', beforePacket: 2, offset: second }),
      expect.objectContaining({ code: 'resynchronised', beforePacket: 2, offset: third }),
    ]);
    expect(decoded.issues[0].message).toBe('pcap record header is corrupt: captured length 65536 is larger than the packet\'s original length 445');
    expect(decoded.issues[1].message).toBe(`skipped ${third - second} corrupt bytes; decoding goes on here`);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(tsharkWithout(capture, 2));
    expect(decoded.stats.packets).toBe(pcapRecordOffsets(original).length - 1);
  });

  it('original lengths left at 0 by their writer: every record is read, nothing reported', async () => {
    const unset = Buffer.from(original);
    for (const at of pcapRecordOffsets(original)) unset.writeUInt32LE(0, at + 12);
    const decoded = await decodeBytes(unset);
    expect(decoded.issues).toEqual([]);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys((await decodeBytes(original)).payloads));
  });

  it('captured length beyond a sane snaplen (and within the original length): reported at the record, the rest kept', async () => {
    const damaged = Buffer.from(original);
    damaged.writeUInt32LE(1000, 16); // snaplen 1000: every record of the capture is smaller
    damaged.writeUInt32LE(5000, second + 8);
    damaged.writeUInt32LE(5000, second + 12);
    const decoded = await decodeBytes(damaged);
    expect(decoded.issues).toEqual([
      expect.objectContaining({ code: 'bad-record-length', beforePacket: 2, offset: second }),
      expect.objectContaining({ code: 'resynchronised', beforePacket: 2, offset: third }),
    ]);
    expect(decoded.issues[0].message).toMatch(/captured length 5000 is larger than the file's snapshot length 1000/);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(tsharkWithout(capture, 2));
  });

  it('a writer that ignores its own snaplen (records longer than it, each followed by a record header) loses nothing', async () => {
    const smallSnaplen = Buffer.from(original);
    smallSnaplen.writeUInt32LE(100, 16);
    const path = writeScratch(smallSnaplen, 'snaplen-100.pcap');
    // Wireshark reads such files as they are
    expect(tsharkCapturedLengths(path).stderr).not.toMatch(/damaged|corrupt|cut short/);
    const decoded = await decodeBytes(smallSnaplen);
    expect(decoded.issues).toEqual([]);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkSip(path, 'sip')));
    // the record header after each long record may lie beyond the read window: the same with a small one
    const smallWindow = await decodeBytes(smallSnaplen, { windowBytes: 600 });
    expect(smallWindow.issues).toEqual([]);
    expect(frameCallIdKeys(smallWindow.payloads)).toEqual(frameCallIdKeys(decoded.payloads));
  });
});

describe('classic pcap: a corrupt record header with more than 256 KiB after it', () => {
  it('the record found by the resync is read once, and the corrupt one is not read after it: nothing else lost', async () => {
    // 30 copies of udp.pcap one after the other (mergecap -a): ~400 KB, so that the resync has its whole look-ahead
    // (two record headers and the largest record) in the window at once
    const copies = join(work, 'udp-30-copies.pcap');
    execFileSync('mergecap', ['-a', '-F', 'pcap', '-w', copies, ...Array<string>(30).fill(recorded('udp.pcap'))]);
    const original = readFileSync(copies);
    const records = pcapRecordOffsets(original);
    expect(original.length - records[1]).toBeGreaterThan(262144 + 32);
    const damaged = Buffer.from(original);
    damaged.writeUInt32LE(65536, records[1] + 8);
    const decoded = await decodeBytes(damaged);
    expect(decoded.issues).toEqual([
      expect.objectContaining({ code: 'bad-record-length', beforePacket: 2, offset: records[1] }),
      expect.objectContaining({ code: 'resynchronised', beforePacket: 2, offset: records[2] }),
    ]);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(tsharkWithout(copies, 2));
    expect(decoded.stats.packets).toBe(records.length - 1);
  });
});

for (const name of ['udp.pcap', 'udp-nanosecond.pcap']) describe(`classic pcap (${name}): 4 bytes lost in a record header (the records after it read 4 bytes late)`, () => {
  const capture = recorded(name);
  const original = readFileSync(capture);
  const records = pcapRecordOffsets(original);
  const third = records[2];
  const thirdLength = original.readUInt32LE(third + 8);
  /** tshark's frames and Call-IDs of the undamaged capture, but for frame `frame` (numbers kept). */
  const originalBut = (frame: number) => frameCallIdKeys(tsharkSip(capture, 'sip').filter((message) => message.frame !== frame));

  it('its seconds lost: reported before packet 3 at the header, reading goes on at the record after it, nothing else lost', async () => {
    const damaged = deleteBytes(original, third, 4);
    const path = writeScratch(damaged, 'record-3-seconds-lost.pcap');
    // tshark (and editcap) read every record after it 4 bytes late, each plausible alone (1970 timestamps, original
    // length 0), none of them SIP, and stop only at the end: "cut short in the middle of a packet"
    const tshark = tsharkCapturedLengths(path);
    expect(tshark.lengths).toHaveLength(records.length - 1);
    expect(tshark.stderr).toMatch(/cut short/);
    const sipFrames = spawnSync('tshark', ['-r', path, '-Y', 'sip', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).stdout;
    expect(sipFrames.split('\n').filter(Boolean)).toEqual(['1', '2']);

    const decoded = await decodeBytes(damaged);
    const fourth = third + RECORD_HEADER - 4 + thirdLength;
    expect(decoded.issues).toEqual([
      expect.objectContaining({ code: 'bad-record-length', beforePacket: 3, offset: third }),
      expect.objectContaining({ code: 'resynchronised', beforePacket: 3, offset: fourth }),
    ]);
    expect(decoded.issues[0].message).toMatch(new RegExp(`^pcap record header is corrupt: timestamp ${original.readUInt32LE(third + 4)} is \\d+ s before the packet before it, and a record that keeps that packet's time begins at offset ${fourth}$`));
    expect(frameCallIdKeys(decoded.payloads)).toEqual(tsharkWithout(capture, 3));
    expect(decoded.stats.packets).toBe(records.length - 1);
  });

  for (const [field, at] of [['microseconds', 4], ['captured length', 8], ['original length', 12]] as const) {
    it(`its ${field} lost: packet 3 is read as it stands (as tshark reads it), the next header's time jump reported, reading goes on 4 bytes before it`, async () => {
      const damaged = deleteBytes(original, third + at, 4);
      const fourth = third + RECORD_HEADER - 4 + thirdLength;
      // a window ending inside the header after packet 3: packet 3's bytes must outlive the fill that brings the rest
      for (const windowBytes of [undefined, 700, fourth + 4 + 8]) {
        const decoded = await decodeBytes(damaged, { windowBytes });
        expect(decoded.issues).toEqual([
          expect.objectContaining({ code: 'bad-record-length', beforePacket: 4, offset: fourth + 4 }),
          expect.objectContaining({ code: 'resynchronised', beforePacket: 4, offset: fourth }),
        ]);
        expect(decoded.issues[1].message).toBe('a record begins 4 bytes before the corrupt header, inside the packet read before it (read with bytes of this record); decoding goes on here');
        // every packet kept with its own number; packet 3, read 4 bytes late, is not SIP
        expect(frameCallIdKeys(decoded.payloads)).toEqual(originalBut(3));
        expect(decoded.stats.packets).toBe(records.length);
      }
    });
  }

  it('a capture whose clock jumps 10 days (the records intact): every record read, nothing reported, as tshark reads it', async () => {
    const jumped = Buffer.from(original);
    for (const at of records.slice(9)) jumped.writeUInt32LE(jumped.readUInt32LE(at) + 10 * 86400, at);
    const path = writeScratch(jumped, 'clock-jump.pcap');
    expect(tsharkCapturedLengths(path).stderr).not.toMatch(/damaged|corrupt|cut short/);
    const decoded = await decodeBytes(jumped);
    expect(decoded.issues).toEqual([]);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkSip(path, 'sip')));
    // the time of packet 10 is its record's (draft-ietf-opsawg-pcap §5: seconds, then micro- or nanoseconds by the magic)
    const fractionPerMicrosecond = original.readUInt32LE(0) === 0xa1b23c4d ? 1000 : 1;
    expect(decoded.payloads.find((payload) => payload.packetNumber === 10)?.timeUs).toBe(jumped.readUInt32LE(records[9]) * 1e6 + Math.floor(jumped.readUInt32LE(records[9] + 4) / fractionPerMicrosecond));
  });

  it('a clock that jumps 3 days and back every two records (a record chained right after each jump): nothing reported, nothing lost', async () => {
    const alternating = Buffer.from(original);
    records.forEach((at, index) => {
      if (index % 4 >= 2) alternating.writeUInt32LE(alternating.readUInt32LE(at) + 3 * 86400, at);
    });
    const path = writeScratch(alternating, 'clock-alternating.pcap');
    expect(tsharkCapturedLengths(path).stderr).not.toMatch(/damaged|corrupt|cut short/);
    const decoded = await decodeBytes(alternating);
    expect(decoded.issues).toEqual([]);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkSip(path, 'sip')));
    expect(decoded.stats.packets).toBe(records.length);
    expect(decoded.payloads.map((payload) => payload.timeUs)).toEqual(tsharkTimesUs(path));
  });

  it('every other record 3 days late, each alone in its time between two records that agree: each reported as a corrupt timestamp, nothing lost', async () => {
    const alternating = Buffer.from(original);
    records.forEach((at, index) => {
      if (index % 2 === 1) alternating.writeUInt32LE(alternating.readUInt32LE(at) + 3 * 86400, at);
    });
    const path = writeScratch(alternating, 'clock-every-other.pcap');
    expect(tsharkCapturedLengths(path).stderr).not.toMatch(/damaged|corrupt|cut short/);
    const decoded = await decodeBytes(alternating);
    // the last record has no record after it to be compared with: read as it stands
    const alone = records.map((at, index) => ({ at, index })).filter(({ index }) => index % 2 === 1 && index < records.length - 1);
    expect(decoded.issues.map((issue) => [issue.code, issue.packetNumber, issue.offset])).toEqual(alone.map(({ at, index }) => ['bad-timestamp', index + 1, at]));
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkSip(path, 'sip')));
    expect(decoded.stats.packets).toBe(records.length);
  });

  for (const [mask, direction] of [[0x80, 'after'], [0x40, 'before']] as const) {
    it(`record 5's seconds corrupt (high byte XOR 0x${mask.toString(16)}, lengths intact): every packet kept as tshark numbers it, the timestamp reported at packet 5 and its record's offset, the packet read at packet 4's time`, async () => {
      const damaged = flipSecondsHighByte(original, 5, mask);
      const path = writeScratch(damaged, `record-5-seconds-${mask}.pcap`);
      // tshark reads every record, packet 5 decades away from packets 4 and 6, which agree
      const times = tsharkTimesUs(path);
      expect(times).toHaveLength(records.length);
      expect(tsharkCapturedLengths(path).stderr).not.toMatch(/damaged|corrupt|cut short/);
      expect(Math.abs(times[4] - times[3])).toBeGreaterThan(20 * 365 * 86400e6);
      expect(Math.abs(times[5] - times[3])).toBeLessThan(86400e6);

      // a window ending inside the record header after packet 5: looked at once the rest has come, reported once
      for (const windowBytes of [700, records[5] + 8]) {
        const small = await decodeBytes(damaged, { windowBytes });
        expect(small.issues.map((issue) => [issue.code, issue.packetNumber, issue.offset])).toEqual([['bad-timestamp', 5, records[4]]]);
        expect(small.payloads.map((payload) => payload.packetNumber)).toEqual(records.map((_, index) => index + 1));
      }
      const decoded = await decodeBytes(damaged);
      expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkSip(path, 'sip')));
      expect(decoded.stats.packets).toBe(records.length);
      expect(decoded.issues).toEqual([{ code: 'bad-timestamp', message: expect.any(String), file: expect.any(String), packetNumber: 5, offset: records[4] }]);
      expect(decoded.issues[0].message).toMatch(new RegExp(`^pcap record timestamp ${isoMicros(times[4]).replace(/\./g, '\\.')} is [\\d.]+ days ${direction} the packets before and after it `));
      // every packet at tshark's time but packet 5, at packet 4's
      const expectedTimes = times.map((timeUs, index) => [index + 1, index === 4 ? times[3] : timeUs]);
      expect(decoded.payloads.map((payload) => [payload.packetNumber, payload.timeUs])).toEqual(expectedTimes);
    });
  }

  it('the last record\'s seconds corrupt: no record after it to compare with, read at its own time as tshark reads it (a clock that jumped), nothing reported', async () => {
    const damaged = flipSecondsHighByte(original, records.length, 0x80);
    const path = writeScratch(damaged, 'last-record-seconds.pcap');
    const decoded = await decodeBytes(damaged);
    expect(decoded.issues).toEqual([]);
    expect(decoded.payloads.map((payload) => payload.timeUs)).toEqual(tsharkTimesUs(path));
  });
});

describe('pcapng: damage is placed before the packet read after it', () => {
  const capture = recorded('tcp.pcapng');
  const original = readFileSync(capture);
  const packets = pcapngPacketOffsets(original);

  it('a block length of 65535 in packet block 3: reported before packet 3 at its offset, reading goes on at the next block', async () => {
    const damaged = Buffer.from(original);
    damaged.writeUInt32LE(65535, packets[2] + 4);
    const path = writeScratch(damaged, 'block-65535.pcapng');
    // tshark reads frames 1 and 2, takes the block for one cut short and stops there
    const tshark = tsharkCapturedLengths(path);
    expect(tshark.lengths).toHaveLength(2);
    expect(tshark.stderr).toMatch(/cut short/);

    const decoded = await decodeBytes(damaged);
    expect(decoded.issues).toEqual([
      expect.objectContaining({ code: 'bad-block-length', beforePacket: 3, offset: packets[2] }),
      expect.objectContaining({ code: 'resynchronised', beforePacket: 3, offset: packets[3] }),
    ]);
    expect(decoded.issues[0].message).toBe('block of type 0x6 has an impossible length 65535');
    expect(frameCallIdKeys(decoded.payloads)).toEqual(tsharkWithout(capture, 3));
  });

  it('a file cut inside packet block 66: reported before packet 66 at the block\'s offset; the 65 packets before it kept', async () => {
    const cutAt = packets[65] + 328;
    const decoded = await decodeBytes(original.subarray(0, cutAt));
    const cut = decoded.issues.filter((issue) => issue.code === 'truncated-file');
    expect(cut).toEqual([expect.objectContaining({ beforePacket: 66, offset: packets[65] })]);
    expect(cut[0].message).toBe(`file ends inside an enhanced packet block (328 of its ${original.readUInt32LE(packets[65] + 4)} bytes present)`);
    expect(decoded.stats.packets).toBe(65);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(tsharkOfFrames(capture, '1-65'));
  });
});

describe('pcapng: one enhanced packet block whose timestamp alone is far from its neighbours', () => {
  const original = readFileSync(recorded('ipv6.pcapng'));
  const packets = pcapngPacketOffsets(original);

  // if_tsresol 9 (ipv6.pcapng): the high word counts 2^32 ns; 0x40000000 puts the packet 146 years later, 0x10000000 36 years earlier
  for (const [mask, direction] of [[0x40000000, 'after'], [0x10000000, 'before']] as const) {
    it(`EPB 5's timestamp high word XOR 0x${mask.toString(16)}: every packet as tshark numbers it, the timestamp reported at packet 5 and its block's offset, the packet at packet 4's time`, async () => {
      const damaged = flipTimestampHighWord(original, 5, mask);
      const path = writeScratch(damaged, `epb-5-time-${mask}.pcapng`);
      // tshark reads every block, packet 5 decades away from packets 4 and 6, which agree
      const times = tsharkTimesUs(path);
      expect(times).toHaveLength(packets.length);
      expect(tsharkCapturedLengths(path).stderr).not.toMatch(/damaged|corrupt|cut short/);
      expect(Math.abs(times[4] - times[3])).toBeGreaterThan(20 * 365 * 86400e6);
      expect(Math.abs(times[5] - times[3])).toBeLessThan(86400e6);

      // windows ending inside the next block's header (its timestamp not yet read) or inside block 5: looked at once the rest has come
      for (const windowBytes of [700, packets[5] + 8, packets[5] + 16, packets[4] + 40]) {
        const small = await decodeBytes(damaged, { windowBytes });
        expect(small.issues.map((issue) => [issue.code, issue.packetNumber, issue.offset])).toEqual([['bad-timestamp', 5, packets[4]]]);
        expect(small.payloads.map((payload) => [payload.packetNumber, payload.timeUs])).toEqual((await decodeBytes(damaged)).payloads.map((payload) => [payload.packetNumber, payload.timeUs]));
      }
      const decoded = await decodeBytes(damaged);
      expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkSip(path, 'sip')));
      expect(decoded.stats.packets).toBe(packets.length);
      expect(decoded.issues).toEqual([{ code: 'bad-timestamp', message: expect.any(String), file: expect.any(String), packetNumber: 5, offset: packets[4] }]);
      expect(decoded.issues[0].message).toMatch(new RegExp(`^pcapng enhanced packet block timestamp ${isoMicros(times[4]).replace(/\./g, '\\.')} is [\\d.]+ days ${direction} the packets before and after it \\(its block lengths agree and a packet block follows it\\): a corrupt timestamp; read at the time of the packet before it$`));
      // every SIP packet at tshark's time but packet 5, at packet 4's
      expect(decoded.payloads.map((payload) => [payload.packetNumber, payload.timeUs])).toEqual(
        decoded.payloads.map((payload) => [payload.packetNumber, times[payload.packetNumber === 5 ? 3 : payload.packetNumber - 1]]),
      );
    });
  }

  it('microsecond timestamps (no if_tsresol: 10^-6 s; udp.pcap written as pcapng by editcap), EPB 5\'s high word XOR 0x10000 (9 years later): reported at packet 5, read at packet 4\'s time', async () => {
    const asPcapng = join(work, 'udp-as.pcapng');
    execFileSync('editcap', ['-F', 'pcapng', recorded('udp.pcap'), asPcapng], { stdio: 'ignore' });
    const bytes = readFileSync(asPcapng);
    const damaged = flipTimestampHighWord(bytes, 5, 0x10000);
    const path = writeScratch(damaged, 'udp-epb-5-time.pcapng');
    const times = tsharkTimesUs(path);
    expect(Math.abs(times[4] - times[3])).toBeGreaterThan(5 * 365 * 86400e6);
    const decoded = await decodeBytes(damaged);
    expect(decoded.issues.map((issue) => [issue.code, issue.packetNumber, issue.offset])).toEqual([['bad-timestamp', 5, pcapngPacketOffsets(bytes)[4]]]);
    expect(decoded.payloads.map((payload) => [payload.packetNumber, payload.timeUs])).toEqual(times.map((timeUs, index) => [index + 1, index === 4 ? times[3] : timeUs]));
  });

  it('the last packet block\'s timestamp corrupt: no packet after it to compare with, read at its own time as tshark reads it, nothing reported', async () => {
    const damaged = flipTimestampHighWord(original, packets.length, 0x40000000);
    const path = writeScratch(damaged, 'last-epb-time.pcapng');
    const decoded = await decodeBytes(damaged);
    expect(decoded.issues).toEqual([]);
    const times = tsharkTimesUs(path);
    expect(decoded.payloads.map((payload) => [payload.packetNumber, payload.timeUs])).toEqual(decoded.payloads.map((payload) => [payload.packetNumber, times[payload.packetNumber - 1]]));
  });

  it('a capture whose clock jumps 10 days at packet 10 (every block after it too): nothing reported, every packet at tshark\'s time', async () => {
    const jumped = Buffer.from(original);
    // 10 days in nanoseconds, added to each 64-bit timestamp (high word at +12, low at +16)
    for (const at of packets.slice(9)) {
      const units = (BigInt(jumped.readUInt32LE(at + 12)) << 32n) + BigInt(jumped.readUInt32LE(at + 16)) + 10n * 86400n * 1_000_000_000n;
      jumped.writeUInt32LE(Number(units >> 32n), at + 12);
      jumped.writeUInt32LE(Number(units & 0xffffffffn), at + 16);
    }
    const path = writeScratch(jumped, 'clock-jump.pcapng');
    const decoded = await decodeBytes(jumped);
    expect(decoded.issues).toEqual([]);
    const times = tsharkTimesUs(path);
    expect(times[9] - times[8]).toBeGreaterThan(10 * 86400e6);
    expect(decoded.payloads.map((payload) => [payload.packetNumber, payload.timeUs])).toEqual(decoded.payloads.map((payload) => [payload.packetNumber, times[payload.packetNumber - 1]]));
  });
});

describe('several files read as one capture (analyze, calls, flow, decode --merged): damage numbered in the merged order', () => {
  /** Epoch times of the frames of `capture`, as tshark prints them (the key that finds a frame in a merged file). */
  const frameTimes = (capture: string) =>
    execFileSync('tshark', ['-r', capture, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);

  it('corrupt record 3 and a cut last record of the second file: before the merged numbers of the packets read after them', async () => {
    const dealt = dealFrames(recorded('trouble-udp.pcap'), 5, 2, work, 'dealt');
    const [first, second] = dealt.map((part) => {
      const classic = `${part}.classic.pcap`;
      execFileSync('editcap', ['-F', 'pcap', part, classic], { stdio: 'ignore' });
      return classic;
    });
    const bytes = readFileSync(second);
    const records = pcapRecordOffsets(bytes);
    const last = records.length - 1;
    const damaged = Buffer.from(bytes.subarray(0, records[last] + 30));
    damaged.writeUInt32LE(damaged.readUInt32LE(records[2] + 12) + 1000, records[2] + 8);
    const damagedPath = join(work, 'dealt-second-damaged.pcap');
    writeFileSync(damagedPath, damaged);

    // what can be read, merged as mergecap merges it: the second file without its record 3 and its last record
    const readable = join(work, 'dealt-second-readable.pcap');
    execFileSync('editcap', [second, readable, '3', String(last + 1)], { stdio: 'ignore' });
    const merged = join(work, 'dealt-merged.pcapng');
    execFileSync('mergecap', ['-w', merged, first, readable]);
    const mergedTimes = frameTimes(merged);
    const mergedNumberOf = (time: string) => mergedTimes.indexOf(time) + 1;
    const readableTimes = frameTimes(readable);

    const decoded = await decodeFiles([first, damagedPath], { asOneCapture: true });
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkSip(merged, 'sip')));
    expect(decoded.issues.map((issue) => [issue.code, issue.file, issue.beforePacket, issue.offset])).toEqual([
      // the packet read after the corrupt record is the readable file's frame 3
      ['bad-record-length', damagedPath, mergedNumberOf(readableTimes[2]), records[2]],
      ['resynchronised', damagedPath, mergedNumberOf(readableTimes[2]), records[3]],
      // nothing is read after the cut: it lies after the file's last packet
      ['truncated-file', damagedPath, mergedNumberOf(readableTimes.at(-1)!) + 1, records[last]],
    ]);
    // the packets of the files interleave: the numbers are not the second file's own
    expect(mergedNumberOf(readableTimes[2])).toBeGreaterThan(3);
  });
});
