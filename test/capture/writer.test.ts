/** extractPackets: tshark opens what we write and sees the same frames (time, length, bytes) as in the source. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { MergeHeap } from '../../src/capture/merge-heap.js';
import { extractPackets } from '../../src/capture/writer.js';
import { ethernet, ipv4, pcap, sipRequest, udp } from './capture-bytes.js';
import { writeScratch } from './decode-helper.js';

const fixtures = join(import.meta.dirname, '../../fixtures/captures');
const out = mkdtempSync(join(tmpdir(), 'sipscope-extract-'));

function frames(capture: string, filter?: string): string[] {
  const args = ['-r', capture, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.time_epoch', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.protocols'];
  if (filter) args.push('-Y', filter);
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
}

function fileType(capture: string): string {
  return execFileSync('capinfos', ['-t', capture], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

const numbersFilter = (numbers: number[]) => numbers.map((n) => `frame.number == ${n}`).join(' || ');

describe('extractPackets', () => {
  it('writes a classic pcap of the chosen frames of a pcap', async () => {
    const chosen = [3, 4, 5, 100, 691];
    const target = join(out, 'aaa-part.pcap');
    expect(await extractPackets([join(fixtures, 'public/sngrep/aaa.pcap')], new Set(chosen), target)).toBe(5);
    expect(fileType(target)).toMatch(/Wireshark\/tcpdump\/\.\.\. - pcap/);
    expect(frames(target)).toEqual(frames(join(fixtures, 'public/sngrep/aaa.pcap'), numbersFilter(chosen)));
  });

  it('writes a pcap for a pcapng with one link type (microseconds when the nanosecond digits are all zero)', async () => {
    const chosen = [1, 2, 50];
    const target = join(out, 'nsec-part.pcap');
    await extractPackets([join(fixtures, 'derived/nsec.pcapng')], new Set(chosen), target);
    expect(fileType(target)).toMatch(/Wireshark\/tcpdump\/\.\.\. - pcap/);
    expect(frames(target)).toEqual(frames(join(fixtures, 'derived/nsec.pcapng'), numbersFilter(chosen)));
  });

  it('keeps nanosecond timestamps as a nanosecond pcap', async () => {
    const frame = { timeUs: 1_700_000_000_123_456, bytes: ethernet(ipv4(udp(sipRequest('ns')))) };
    const source = writeScratch(pcap([frame, { ...frame, timeUs: frame.timeUs + 1 }], { nanosecond: true }), 'ns.pcap');
    const target = join(out, 'ns-part.pcap');
    await extractPackets([source], new Set([2]), target);
    expect(fileType(target)).toMatch(/nanosecond pcap/);
    expect(frames(target)).toEqual(frames(source, 'frame.number == 2'));
    expect(frames(target)[0]).toMatch(/^1700000000\.123457789\|/);
  });

  it('writes pcapng when the chosen frames have several link types', async () => {
    const chosen = [5, 693, 700, 731, 735];
    const source = join(fixtures, 'derived/multi-link.pcapng');
    const target = join(out, 'multi-part.pcapng');
    await extractPackets([source], new Set(chosen), target);
    expect(fileType(target)).toMatch(/pcapng/);
    expect(frames(target)).toEqual(frames(source, numbersFilter(chosen)));
  });

  it('writes an empty capture tshark still opens when nothing is chosen', async () => {
    const target = join(out, 'none.pcap');
    expect(await extractPackets([join(fixtures, 'public/sngrep/aaa.pcap')], new Set([99999]), target)).toBe(0);
    expect(frames(target)).toEqual([]);
  });

  describe('several inputs, one of them failing', () => {
    const openFds = () => readdirSync('/proc/self/fd').length;
    const udp = join(fixtures, 'recorded/revocation-udp.pcap');
    const ipv6 = join(fixtures, 'recorded/ipv6.pcapng');
    const count = (capture: string) => Number(/(\d+)\s*$/.exec(execFileSync('capinfos', ['-c', '-M', capture], { encoding: 'utf8' }).trim())![1]);
    const callFrames = (capture: string) => frames(capture, 'sip.Call-ID == "1-29706@fd53:5c09::11"');
    const callNumbers = (capture: string) =>
      execFileSync('tshark', ['-r', capture, '-Y', 'sip.Call-ID == "1-29706@fd53:5c09::11"', '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n').filter(Boolean).map(Number);

    it('a gzip input whose trailer check fails ends there, as the analysis ends it: the later inputs are read, and every input is closed', async () => {
      // every packet of the damaged copy is read (only its CRC-32 is wrong) and it and the udp capture come before the
      // IPv6 one, so the merged numbers of the IPv6 call are tshark's after twice the udp capture's packets
      const damaged = gzipSync(readFileSync(udp));
      for (let at = damaged.length - 8; at < damaged.length - 4; at++) damaged[at] ^= 0xff;
      const source = writeScratch(damaged, 'bad-crc.pcap.gz');
      const chosen = callNumbers(ipv6).map((number) => number + 2 * count(udp));
      const before = openFds();
      const target = join(out, 'after-damage.pcap');
      expect(await extractPackets([source, udp, ipv6], new Set(chosen), target)).toBe(chosen.length);
      expect(openFds()).toBe(before);
      expect(frames(target)).toEqual(callFrames(ipv6));
    });

    it('a failure while the first input is set up (injected): the inputs opened after it are closed too', async () => {
      const before = openFds();
      const push = vi.spyOn(MergeHeap.prototype, 'push').mockImplementationOnce(() => {
        throw new Error('injected');
      });
      try {
        await expect(extractPackets([udp, ipv6, udp], new Set([1, 2]), join(out, 'never.pcap'))).rejects.toThrow('injected');
      } finally {
        push.mockRestore();
      }
      expect(openFds()).toBe(before);
    });

    it('an output that cannot be written: the error goes up, every input closed', async () => {
      const before = openFds();
      await expect(extractPackets([udp, ipv6, udp], new Set([1, 2]), join(out, 'no-such-dir', 'x.pcap'))).rejects.toThrow(/ENOENT/);
      expect(openFds()).toBe(before);
    });
  });
});
