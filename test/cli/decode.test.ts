/** `sipscope decode` against tshark's own field output for the same captures. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createReadStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIO } from '../../src/cli/io.js';
import { isoFromEpoch } from '../analysis/capture-helpers.js';
import { dealFrames } from '../capture/split-captures.js';

const fixtures = join(import.meta.dirname, '../../fixtures/captures');

async function run(args: string[], stdin: NodeJS.ReadableStream = process.stdin): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (text) => out.push(...text.replace(/\n$/, '').split('\n')),
    err: (text) => err.push(...text.replace(/\n$/, '').split('\n')),
    style: new Chalk({ level: 0 }),
    interactive: false,
    env: {},
    stdin,
  };
  const code = await main(args, io);
  return { code, out, err };
}

function tsharkRows(capture: string, filter: string, fields: string[]): string[][] {
  const text = execFileSync('tshark', ['-r', capture, '-Y', filter, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return text.split('\n').filter(Boolean).map((line) => line.split('|'));
}

describe('sipscope decode', () => {
  const captures = [
    'public/sngrep/aaa.pcap',
    'public/sngrep/ipv6frag.pcap',
    'public/heplify/sip_ipv6_udp.pcap',
    'derived/multi-link.pcapng',
    // recorded from real peers (Kamailio, SIPp, sipsak): SLL2 from `-i any`, nanosecond pcap, fragmented UDP,
    // IPv6 pcapng (UDP and TCP), TCP
    'recorded/any-sll2.pcap',
    'recorded/udp-nanosecond.pcap',
    'recorded/frag-udp.pcap',
    'recorded/ipv6.pcapng',
    'recorded/tcp.pcapng',
    'public/heplify/sip_ipv4_tcp_retrans.pcap',
  ].filter((capture) => existsSync(join(fixtures, capture)));
  for (const capture of captures) {
    it(`--json agrees with tshark field by field on ${capture}`, async () => {
      const path = join(fixtures, capture);
      const { code, out } = await run(['decode', path, '--json']);
      expect(code).toBe(0);
      const ours = out.map((line) => JSON.parse(line) as Record<string, any>).map((m) => [
        String(m.packetNumber), m.time, m.src.ip, String(m.src.port), m.dst.ip, String(m.dst.port), m.callId, m.transport,
      ]);
      const fields = ['frame.number', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'udp.srcport', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'udp.dstport', 'tcp.dstport', 'sip.Call-ID'];
      const theirs = tsharkRows(path, 'sip', fields).flatMap(([n, t, ip4s, ip6s, udpSport, tcpSport, ip4d, ip6d, udpDport, tcpDport, callIds]) =>
        // one frame may complete several messages over TCP: tshark joins their Call-IDs with commas
        callIds.split(',').map((callId) => [
          // IP-in-IP: tshark lists outer and inner addresses; the innermost (last) is the one SIP travelled with
          n, isoFromEpoch(t), (ip6s || ip4s).split(',').at(-1), udpSport || tcpSport, (ip6d || ip4d).split(',').at(-1), udpDport || tcpDport, callId, udpSport ? 'udp' : 'tcp',
        ]),
      );
      expect(ours).toEqual(theirs);
    });
  }

  it('prints one text line per message with packet, time, addresses, transport, first line and Call-ID', async () => {
    const { code, out } = await run(['decode', join(fixtures, 'public/heplify/sip_ipv6_udp.pcap')]);
    expect(code).toBe(0);
    expect(out).toHaveLength(6);
    const first = tsharkRows(join(fixtures, 'public/heplify/sip_ipv6_udp.pcap'), 'sip', ['frame.number', 'frame.time_epoch', 'sip.Request-Line', 'sip.Call-ID'])[0];
    expect(out[0].split('\t')).toEqual([first[0], isoFromEpoch(first[1]), expect.stringMatching(/^\[.*\]:\d+ -> \[.*\]:\d+$/), 'udp', first[2], first[3]]);
  });

  it('reports packets cut by snaplen on stderr with packet number and offset, the same frames tshark sees cut', async () => {
    const path = join(fixtures, 'derived/aaa.snap300.pcap');
    const { code, out, err } = await run(['decode', path, '--max-issues', '1000']);
    expect(code).toBe(0);
    expect(out).toHaveLength(81);
    const cutFrames = tsharkRows(path, 'frame.cap_len < frame.len', ['frame.number']).map(([n]) => Number(n));
    const reported = err.map((line) => /packet (\d+), offset (\d+): truncated-packet/.exec(line)).filter(Boolean).map((m) => Number(m![1]));
    expect(reported).toEqual(cutFrames);
    expect(cutFrames.length).toBeGreaterThan(50);
  });

  it('a corrupt record 2 lies before packet 2, and the packet after it is packet 2: numbers as tshark gives the capture without that record', async () => {
    const original = readFileSync(join(fixtures, 'recorded/udp.pcap'));
    const second = 24 + 16 + original.readUInt32LE(24 + 8);
    const third = second + 16 + original.readUInt32LE(second + 8);
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-decode-damaged-'));
    const damaged = join(dir, 'p1.pcap');
    const damage = Buffer.from(original);
    damage.writeUInt32LE(0x7fffffff, second + 8);
    writeFileSync(damaged, damage);
    const { code, out, err } = await run(['decode', damaged]);
    expect(code).toBe(0);
    expect(err).toEqual([
      `sipscope decode: ${damaged}, before packet 2, offset ${second}: bad-record-length: pcap record header is corrupt: captured length 2147483647 is larger than the largest plausible, 262144`,
      `sipscope decode: ${damaged}, before packet 2, offset ${third}: resynchronised: skipped ${third - second} corrupt bytes; decoding goes on here`,
    ]);
    const withoutRecord = join(dir, 'without-2.pcap');
    execFileSync('editcap', [join(fixtures, 'recorded/udp.pcap'), withoutRecord, '2'], { stdio: 'ignore' });
    const theirs = tsharkRows(withoutRecord, 'sip', ['frame.number', 'sip.Call-ID']).map(([n, callId]) => `${n} ${callId}`);
    expect(out.map((line) => line.split('\t')).map((fields) => `${fields[0]} ${fields[5]}`)).toEqual(theirs);
  });

  it('limits issue lines and sums them up', async () => {
    const { err } = await run(['decode', join(fixtures, 'derived/aaa.snap300.pcap'), '--max-issues', '3']);
    expect(err).toHaveLength(4);
    expect(err[3]).toMatch(/^sipscope decode: \d+ decode issues in all \(truncated-packet \d+\); first 3 shown$/);
  });

  it("reads '-' from stdin (gzip detected by magic) like the file itself", async () => {
    const path = join(fixtures, 'public/sngrep/aaa.pcap');
    const fromFile = await run(['decode', path, '--json']);
    const fromStdin = await run(['decode', '-', '--json'], createReadStream(path));
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.out.map((line) => ({ ...JSON.parse(line), file: path }))).toEqual(fromFile.out.map((line) => JSON.parse(line)));
  });

  it('--merged reads files dealt from one capture as that capture (TCP messages split across the files included)', async () => {
    const whole = join(fixtures, 'public/heplify/sip_ipv4_tcp_fragmented.pcap');
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-decode-merged-'));
    // frames dealt to 3 files in blocks of 4: segments of one message end up in different files
    const parts = dealFrames(whole, 4, 3, dir, 'part');
    const one = await run(['decode', whole]);
    const merged = await run(['decode', '--merged', ...parts]);
    expect(merged.code).toBe(0);
    expect(merged.err).toEqual([]);
    expect(merged.out).toEqual(one.out);
    expect(one.out.length).toBeGreaterThan(400);
    // file by file, the messages cut by the dealing are lost, as tshark on each file would lose them
    const separate = await run(['decode', ...parts]);
    expect(separate.out.length).toBeLessThan(one.out.length);
  });

  it('exits 2 saying that a pcap cut to 10 bytes is one, cut inside its file header', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-decode-cut-header-'));
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, readFileSync(join(fixtures, 'recorded/udp.pcap')).subarray(0, 10));
    const { code, err } = await run(['decode', cut]);
    expect(code).toBe(2);
    expect(err).toEqual([`sipscope decode: ${cut}: a pcap file cut inside its file header: it ends at byte 10, inside the reserved fields (bytes 8 to 15); the header is 24 bytes`]);
  });

  it('a pcapng cut inside its section header block exits 2 as a cut pcap header does, naming the field; cut inside the interface description block after it, exit 0 and the cut as an issue, as any later cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-decode-cut-pcapng-'));
    const original = readFileSync(join(fixtures, 'recorded/tcp.pcapng'));
    const shb = original.readUInt32LE(4);
    const idb = original.readUInt32LE(shb + 4);
    for (const command of ['decode', 'analyze']) {
      const inHeader = join(dir, 'in-header.pcapng');
      writeFileSync(inHeader, original.subarray(0, 20));
      const header = await run([command, inHeader]);
      expect(header.code).toBe(2);
      expect(header.err).toEqual([
        `sipscope ${command}: ${inHeader}: a pcapng file cut inside its file header, the section header block: it ends at byte 20, inside the section length (bytes 16 to 23); the block is ${shb} bytes, as its block total length says`,
      ]);
      const inInterface = join(dir, 'in-interface.pcapng');
      writeFileSync(inInterface, original.subarray(0, shb + 30));
      const after = await run([command, inInterface]);
      expect(after.code).toBe(0);
      expect(after.err).toContain(`sipscope ${command}: ${inInterface}, before packet 1, offset ${shb}: truncated-file: file ends inside an interface description block (30 of its ${idb} bytes present)`);
    }
  });

  it('an empty file and a text file exit 2, each said for what it is', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-decode-not-capture-'));
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    expect(await run(['decode', empty])).toMatchObject({ code: 2, err: [`sipscope decode: ${empty}: empty (0 bytes): no capture to read`] });
    const text = join(dir, 'notes.pcap');
    writeFileSync(text, 'INVITE sip:bob@example.com SIP/2.0\r\n');
    expect(await run(['decode', text])).toMatchObject({ code: 2, err: [`sipscope decode: ${text}: not a pcap or pcapng capture (first bytes: 49 4e 56 49 54 45 20 73, as text "INVITE s")`] });
  });

  it('exits 2 naming the file for an unrecognised or missing file', async () => {
    const notCapture = await run(['decode', join(fixtures, 'public/README.md')]);
    expect(notCapture.code).toBe(2);
    expect(notCapture.err.join('\n')).toMatch(/README\.md: not a pcap or pcapng capture \(first bytes: 23 20 50 75/);
    const missing = await run(['decode', '/nonexistent/x.pcap']);
    expect(missing.code).toBe(2);
    expect(missing.err.join('\n')).toMatch(/\/nonexistent\/x\.pcap: cannot read/);
  });
});
