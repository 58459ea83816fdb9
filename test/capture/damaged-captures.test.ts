/**
 * Real captures damaged at test time (one corrupt record header, a cut): the damage is reported where it is (file,
 * packet number, byte offset) and every other packet is kept. What must be kept is derived by Wireshark's tools,
 * not by sipscope: tshark's reading of the undamaged capture with the damaged record taken out by editcap.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBytes, writeScratch } from './decode-helper.js';
import { frameCallIdKeys, tsharkSip } from './tcp-expect-helper.js';

const recorded = (name: string) => join(import.meta.dirname, '../../fixtures/captures/recorded', name);
const work = mkdtempSync(join(tmpdir(), 'sipscope-damaged-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** File offsets of the records of a little-endian classic pcap (24-byte file header, 16-byte record headers). */
function pcapRecordOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 24; at + 16 <= bytes.length; at += 16 + bytes.readUInt32LE(at + 8)) offsets.push(at);
  return offsets;
}

/** (frame, Call-ID) of every SIP message tshark finds in `capture` once editcap has taken out `frame`. */
function tsharkWithout(capture: string, frame: number): string[] {
  const without = join(work, `${capture.split('/').pop()}-without-${frame}`);
  execFileSync('editcap', [capture, without, String(frame)], { stdio: 'ignore' });
  return frameCallIdKeys(tsharkSip(without, 'sip'));
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
    expect(decoded.issues).toMatchObject([
      { code: 'bad-record-length', packetNumber: 2, offset: second },
      { code: 'resynchronised', offset: third },
    ]);
    expect(decoded.issues[0].message).toBe('pcap record header is corrupt: captured length 65536 is larger than the packet\'s original length 445');
    expect(decoded.issues[1].message).toBe(`skipped ${third - second} corrupt bytes; decoding goes on here`);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(tsharkWithout(capture, 2));
    expect(decoded.stats.packets).toBe(pcapRecordOffsets(original).length - 1);
  });

  it('captured length beyond a sane snaplen (and within the original length): reported at the record, the rest kept', async () => {
    const damaged = Buffer.from(original);
    damaged.writeUInt32LE(1000, 16); // snaplen 1000: every record of the capture is smaller
    damaged.writeUInt32LE(5000, second + 8);
    damaged.writeUInt32LE(5000, second + 12);
    const decoded = await decodeBytes(damaged);
    expect(decoded.issues).toMatchObject([
      { code: 'bad-record-length', packetNumber: 2, offset: second },
      { code: 'resynchronised', offset: third },
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
