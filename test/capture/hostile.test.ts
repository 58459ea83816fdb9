/**
 * Hostile captures of issue 14, each built by a generator in hostile-captures.mjs (classic pcap that tshark
 * reads): fragment floods (IPv4, IPv6), TCP segments held ahead of a hole, SCTP fragments that never end, a
 * Content-Length far beyond the reassembly limit, and broken HEP over UDP and TCP. Fuzzed with fast-check,
 * bounded in runs and time (tshark's view of the same captures: hostile-tshark.test.ts). Whether decoding stays linear is timed by bench/hostile-captures.mjs, not here.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHep } from '../../src/capture/hep.js';
import type { DecodeIssue, SipPayload } from '../../src/capture/types.js';
import { decodeBytes } from './decode-helper.js';
import {
  ethernet,
  fragmentFlood,
  hep3,
  hepChunk,
  hepOverTcp,
  hepOverUdp,
  hepProblems,
  hepSipChunks,
  hugeContentLength,
  ipv4,
  pcap,
  sctpFragments,
  sipMessage,
  tcpConversation,
  tcpOutOfOrder,
  udp,
} from './hostile-captures.mjs';
import { callIdOf } from './tcp-expect-helper.js';

const codes = (issues: DecodeIssue[]) => issues.map((i) => i.code);
const text = (m: SipPayload) => Buffer.from(m.bytes).toString('latin1');
const firstLine = (m: SipPayload) => text(m).slice(0, text(m).indexOf('\r\n'));

describe('Content-Length beyond the reassembly limit on TCP (issue 14, defect 3)', () => {
  for (const contentLength of [4294967295, 2_000_000_000]) {
    it(`${contentLength}: reported at once with the INVITE packet; the INVITE header block and the BYE after it come out`, async () => {
      const decoded = await decodeBytes(hugeContentLength(contentLength));
      expect(decoded.issues).toMatchObject([{ code: 'content-length-too-large', packetNumber: 4 }]);
      expect(decoded.payloads.map((m) => [m.packetNumber, firstLine(m), callIdOf(m.bytes)])).toEqual([
        [4, 'INVITE sip:bob@example.com SIP/2.0', 'huge-cl'],
        [6, 'BYE sip:bob@example.com SIP/2.0', 'after-huge-cl'],
      ]);
    });
  }

  it('fuzz: any Content-Length beyond the limit, any segmentation of INVITE + BYE: reported once with the packet that completed the header, BYE decoded', async () => {
    const limit = 64 * 1024;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: limit, max: 2 ** 32 - 1 }), fc.constantFrom(4294967295, 2_000_000_000, limit)),
        fc.uniqueArray(fc.integer({ min: 1, max: 700 }), { maxLength: 12 }),
        async (contentLength, cuts) => {
          const invite = sipMessage('INVITE', 'fuzz-cl', { contentLength });
          const stream = Buffer.concat([invite, sipMessage('BYE', 'fuzz-bye')]);
          const points = [0, ...cuts.filter((c) => c < stream.length).sort((a, b) => a - b), stream.length];
          const segments = points.slice(1).map((end, i) => stream.subarray(points[i], end)).filter((s) => s.length > 0);
          const decoded = await decodeBytes(pcap(tcpConversation(segments)), { tcp: { maxBufferedBytes: limit } });
          const headerEnd = invite.indexOf('\r\n\r\n') + 4;
          let consumed = 0;
          const completing = segments.findIndex((s) => (consumed += s.length) >= headerEnd);
          expect(decoded.issues).toMatchObject([{ code: 'content-length-too-large', packetNumber: 4 + 2 * completing }]);
          expect(decoded.payloads.map((m) => callIdOf(m.bytes))).toEqual(['fuzz-cl', 'fuzz-bye']);
        },
      ),
      { numRuns: 60, seed: 1414, interruptAfterTimeLimit: 20_000 },
    );
  }, 60_000);

  it('a message within the limit that arrives a byte at a time is still one message', async () => {
    const body = 'v=0\r\n'.repeat(200);
    const stream = Buffer.concat([sipMessage('INVITE', 'slow', { body }), sipMessage('BYE', 'slow-bye')]);
    const segments = [...stream].map((byte) => Buffer.from([byte]));
    const decoded = await decodeBytes(pcap(tcpConversation(segments)));
    expect(decoded.issues).toEqual([]);
    expect(decoded.payloads.map((m) => callIdOf(m.bytes))).toEqual(['slow', 'slow-bye']);
    expect(decoded.payloads[0].packets).toHaveLength(stream.indexOf('BYE'));
  });
});

describe('fragment floods and held units are bounded (issue 14, defect 1)', () => {
  for (const version of [4, 6] as const) {
    it(`IPv${version}: 2,000 overlapping fragments of one datagram: dropped every 256 with fragment-too-many; a datagram after them still reassembles`, async () => {
      const flood = fragmentFlood(2000, version);
      const decoded = await decodeBytes(flood);
      const tooMany = decoded.issues.filter((i) => i.code === 'fragment-too-many');
      expect(tooMany.length).toBe(Math.floor(1999 / 256));
      expect(tooMany[0].packetNumber).toBe(257);
      expect(decoded.payloads).toEqual([]);
    });
  }

  it('fuzz: any split of a datagram into fragments, with duplicates, overlaps and any order, reassembles to the first copy of each byte', async () => {
    const sip = sipMessage('MESSAGE', 'frag-fuzz', { body: 'x'.repeat(1500), transport: 'UDP' });
    const datagram = udp(sip, 5060, 5060);
    const length = datagram.length;
    const fragmentArb = fc.record({ from: fc.nat({ max: Math.floor((length - 1) / 8) }), units: fc.integer({ min: 1, max: 60 }), conflicting: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(fragmentArb, { minLength: 1, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 30 }), async (extra, order) => {
        // a covering split in 8-byte units, plus extra (possibly conflicting) fragments, then shuffled
        const fragments: Array<{ at: number; bytes: Buffer }> = [];
        for (let at = 0; at < length; at += 8 * 40) fragments.push({ at, bytes: datagram.subarray(at, Math.min(length, at + 8 * 40)) });
        for (const { from, units, conflicting } of extra) {
          const at = from * 8;
          const bytes = Buffer.from(datagram.subarray(at, Math.min(length, at + units * 8)));
          // conflicting copies change body bytes only (past the UDP and SIP headers), so the message stays SIP
          if (conflicting) for (let i = 0; i < bytes.length; i++) if (at + i >= 400) bytes[i] = 0x79;
          fragments.push({ at, bytes });
        }
        for (let i = 0; i < Math.min(order.length, fragments.length); i++) {
          const j = order[i] % fragments.length;
          [fragments[i], fragments[j]] = [fragments[j], fragments[i]];
        }
        // the model: first copy of each byte wins; complete once [0, length) is covered and the last fragment came
        const model = Buffer.alloc(length);
        const seen = new Uint8Array(length);
        let covered = 0;
        let lastSeen = false;
        let completedAt = -1;
        fragments.forEach(({ at, bytes }, index) => {
          if (completedAt >= 0) return;
          for (let i = 0; i < bytes.length; i++) {
            if (seen[at + i]) continue;
            seen[at + i] = 1;
            model[at + i] = bytes[i];
            covered++;
          }
          if (at + bytes.length === length) lastSeen = true;
          if (covered === length && lastSeen) completedAt = index;
        });
        const frames = fragments.map(({ at, bytes }) => ethernet(ipv4(bytes, { id: 99, fragmentOffset: at, moreFragments: at + bytes.length < length })));
        const decoded = await decodeBytes(pcap(frames));
        if (completedAt < 0) return;
        const message = decoded.payloads.find((m) => m.packetNumber === completedAt + 1);
        expect(message, 'the fragment that completes the datagram numbers the message').toBeDefined();
        expect(Buffer.from(message!.bytes).equals(model.subarray(8))).toBe(true);
      }),
      { numRuns: 150, seed: 808, interruptAfterTimeLimit: 20_000 },
    );
  }, 60_000);

  it('TCP: 3,000 segments held ahead of a hole become a gap at the limit, decoded without crash', async () => {
    const decoded = await decodeBytes(tcpOutOfOrder(3000));
    expect(codes(decoded.issues)).toContain('tcp-gap');
    expect(decoded.stats.packets).toBe(3000);
  });

  it('SCTP: 3,000 fragments of a message that never ends stay bounded and emit nothing', async () => {
    const decoded = await decodeBytes(sctpFragments(3000));
    expect(decoded.payloads).toEqual([]);
    expect(decoded.stats.packets).toBe(3000);
  });
});

describe('HEP problems are decoded or reported, over UDP and over TCP (issue 14, defect 4)', () => {
  const problems = hepProblems();

  it('over UDP: total length 7 reported, 1-byte port reported, gzip payload decoded, the valid one decoded', async () => {
    const decoded = await decodeBytes(hepOverUdp([problems.totalLengthSeven, problems.onePortByte, problems.gzipPayload, problems.valid('hep-ok')]));
    expect(decoded.issues.map((i) => [i.code, i.packetNumber])).toEqual([
      ['hep-bad-length', 1],
      ['hep-bad-chunk', 2],
    ]);
    expect(decoded.issues[1].message).toContain('source port');
    expect(decoded.payloads.map((m) => [m.packetNumber, callIdOf(m.bytes), m.hep, m.src.port])).toEqual([
      [2, 'hep-port1', true, 0],
      [3, 'hep-gzip', true, 5060],
      [4, 'hep-ok', true, 5060],
    ]);
  });

  it('over TCP (port 9060): one valid HEP3 message among broken ones is decoded; the broken ones are reported with their packets', async () => {
    const garbage = Buffer.from('not HEP at all, not SIP either\r\n');
    const decoded = await decodeBytes(hepOverTcp([problems.totalLengthSeven, garbage, problems.valid('hep-tcp-ok'), problems.gzipPayload]));
    expect(decoded.payloads.map((m) => [m.packetNumber, callIdOf(m.bytes)])).toEqual([
      [8, 'hep-tcp-ok'],
      [10, 'hep-gzip'],
    ]);
    expect(decoded.issues.map((i) => [i.code, i.packetNumber])).toEqual([
      ['hep-bad-chunk', 4],
      ['hep-bad-frame', 4],
    ]);
  });

  it('fuzz: HEP over TCP cut into any segments gives each valid message once, and a report for each broken packet', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('valid', 'len7', 'port1', 'gzip', 'garbage'), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 400 }),
        async (kinds, segmentBytes) => {
          let valid = 0;
          const packets = kinds.map((kind, i) => {
            if (kind === 'valid') return problems.valid(`v${valid++}`);
            if (kind === 'len7') return problems.totalLengthSeven;
            if (kind === 'port1') return problems.onePortByte;
            if (kind === 'gzip') return problems.gzipPayload;
            return Buffer.from(`garbage ${i} `.repeat(5));
          });
          const decoded = await decodeBytes(hepOverTcp(packets, segmentBytes));
          const validIds = decoded.payloads.map((m) => callIdOf(m.bytes)).filter((id) => /^v\d+$/.test(id));
          // a valid packet right after a broken one may be taken by the resync only if its header is found: it always is
          expect(validIds).toEqual([...Array(valid).keys()].map((n) => `v${n}`));
          // the stream is known as HEP from its first packet when it starts with one, else from the first plausible
          // HEP3 header (bytes before are a stream not yet recognised, skipped silently as any non-SIP stream is)
          const knownFrom = kinds[0] !== 'garbage' ? 0 : kinds.findIndex((k) => k === 'valid' || k === 'port1' || k === 'gzip');
          const broken = knownFrom >= 0 && kinds.some((k, i) => i >= knownFrom && (k === 'len7' || k === 'port1' || (k === 'garbage' && i > knownFrom)));
          if (broken) expect(decoded.issues.length).toBeGreaterThan(0);
          for (const issue of decoded.issues) expect(issue.packetNumber).toBeGreaterThan(0);
        },
      ),
      { numRuns: 80, seed: 9060, interruptAfterTimeLimit: 20_000 },
    );
  }, 60_000);

  it('fuzz: mutated HEP3 packets never throw, never yield a message silently missing a field, and always say where', () => {
    const base = problems.valid('mutant');
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: base.length - 1 }), value: fc.nat({ max: 255 }) }), { maxLength: 6 }),
        fc.integer({ min: 0, max: base.length }),
        (writes, cut) => {
          const mutant = Buffer.from(base.subarray(0, Math.max(4, cut)));
          for (const { at, value } of writes) if (at < mutant.length && at >= 4) mutant[at] = value;
          const messages: SipPayload[] = [];
          const issues: DecodeIssue[] = [];
          const isHep = decodeHep(mutant, { file: 'built', packetNumber: 7, timeUs: 0, offset: 0 }, { message: (m) => messages.push(m), issue: (i) => issues.push(i) });
          expect(isHep).toBe(true);
          for (const issue of issues) expect(issue.packetNumber).toBe(7);
          // a message whose port chunk was unusable comes with a report
          for (const m of messages) if (m.src.port === 0 || m.dst.port === 0) expect(issues.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500, seed: 3 },
    );
  });

  it('a compressed payload that does not inflate is reported, and one that inflates beyond the bound is refused', () => {
    const issues: DecodeIssue[] = [];
    const sink = { message: () => expect.unreachable('no message'), issue: (i: DecodeIssue) => issues.push(i) };
    const meta = { file: 'built', packetNumber: 5, timeUs: 0, offset: 0 };
    decodeHep(hep3(hepSipChunks(Buffer.alloc(0), { payloadChunk: hepChunk(0x0010, Buffer.from([0x1f, 0x8b, 1, 2, 3])) })), meta, sink);
    decodeHep(hep3(hepSipChunks(Buffer.alloc(0), { payloadChunk: hepChunk(0x0010, gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x41))) })), meta, sink);
    expect(issues.map((i) => [i.code, i.packetNumber])).toEqual([
      ['hep-bad-chunk', 5],
      ['hep-bad-chunk', 5],
    ]);
  });
});
