/** Inputs: gzip, stdin, several files merged by time, records straddling read-window boundaries (damaged gzip: gzip-damage.test.ts). */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeCaptures } from '../../src/capture/decode.js';
import type { SipPayload } from '../../src/capture/types.js';
import { decodeFiles, payloadSummary, writeScratch } from './decode-helper.js';

const publicDir = join(import.meta.dirname, '../../fixtures/captures/public');
const derivedDir = join(import.meta.dirname, '../../fixtures/captures/derived');
const aaa = join(publicDir, 'sngrep/aaa.pcap');
const fax = join(publicDir, 'heplify/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap');

describe('inputs', () => {
  it('reads a gzipped capture like the plain one (detected by magic, not by name)', async () => {
    const plain = await decodeFiles([fax]);
    const gzipped = await decodeFiles([writeScratch(gzipSync(readFileSync(fax)), 'no-extension')]);
    expect(gzipped.payloads.length).toBe(92);
    expect(payloadSummary(gzipped.payloads)).toEqual(payloadSummary(plain.payloads));
    expect(gzipped.stats.packets).toBe(7217);
  });

  it("reads '-' from stdin (plain and gzipped)", async () => {
    const plain = await decodeFiles([aaa]);
    for (const stream of [createReadStream(aaa, { highWaterMark: 1000 }), Readable.from([gzipSync(readFileSync(aaa))])]) {
      const payloads: SipPayload[] = [];
      const stats = await decodeCaptures(['-'], { payload: (p) => payloads.push(p) }, { stdin: stream });
      expect(stats.packets).toBe(691);
      expect(payloads.every((p) => p.file === '-')).toBe(true);
      expect(payloadSummary(payloads)).toEqual(payloadSummary(plain.payloads));
    }
  });

  it('gives the same messages whatever the read window size (records straddling chunk boundaries)', async () => {
    for (const file of [aaa, join(derivedDir, 'multi-link.pcapng'), join(publicDir, 'heplify/sip_ipv4_tcp_fragmented.pcap')]) {
      const reference = payloadSummary((await decodeFiles([file])).payloads);
      for (const windowBytes of [32, 97, 1500, 4096]) {
        expect(payloadSummary((await decodeFiles([file], { windowBytes })).payloads), `${file} window ${windowBytes}`).toEqual(reference);
      }
    }
  });

  it('merges several files by capture time, each keeping its own packet numbers', async () => {
    const files = [join(publicDir, 'sngrep/ipv6frag.pcap'), aaa, join(publicDir, 'heplify/sip_ipv6_udp.pcap')];
    const merged = await decodeFiles(files);
    const separate = await Promise.all(files.map((file) => decodeFiles([file])));
    expect(merged.stats.files).toBe(3);
    expect(merged.stats.packets).toBe(separate.reduce((sum, one) => sum + one.stats.packets, 0));
    expect(merged.payloads.length).toBe(32 + 81 + 6);
    const times = merged.payloads.map((p) => p.timeUs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const [index, file] of files.entries()) {
      expect(payloadSummary(merged.payloads.filter((p) => p.file === file))).toEqual(payloadSummary(separate[index].payloads));
    }
  });

  it('reports progress up to the total size', async () => {
    const seen: Array<[number, number | undefined]> = [];
    await decodeCaptures([aaa, fax], { payload: () => undefined, progress: (read, total) => seen.push([read, total]) }, { windowBytes: 65536 });
    const total = readFileSync(aaa).length + readFileSync(fax).length;
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.at(-1)).toEqual([total, total]);
  });
});

describe('merging many files', () => {
  it('interleaves a ring of files by time, whatever their order on the command line', async () => {
    const { ethernet, ipv4, pcap, sipRequest, udp } = await import('./capture-bytes.js');
    const T0 = 1_700_000_000_000_000;
    // eight files, packet k of file f at time T0 + k*8 + (7 - f): the merged order is known in advance
    const files = Array.from({ length: 8 }, (_, f) =>
      writeScratch(pcap(Array.from({ length: 5 }, (_, k) => ({ timeUs: T0 + k * 8 + (7 - f), bytes: ethernet(ipv4(udp(sipRequest(`f${f}k${k}`)))) }))), `ring-${f}.pcap`),
    );
    const merged = await decodeFiles(files);
    const expected = Array.from({ length: 40 }, (_, i) => `f${7 - (i % 8)}k${Math.floor(i / 8)}`);
    expect(merged.payloads.map((p) => /Call-ID: (\S+)/.exec(Buffer.from(p.bytes).toString())?.[1])).toEqual(expected);
    expect(merged.payloads.map((p) => p.packetNumber)).toEqual(expected.map((id) => Number(id.split('k')[1]) + 1));
  });
});
