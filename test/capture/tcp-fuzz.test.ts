import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TcpReassembler, type TcpSegment } from '../../src/capture/tcp-reassembly.js';
import type { SipPayload } from '../../src/capture/types.js';
import { readTcpSegments } from './tcp-capture-helper.js';
import { publicCapture } from './tcp-expect-helper.js';

function decode(segments: TcpSegment[], limits = {}): SipPayload[] {
  const messages: SipPayload[] = [];
  const reassembler = new TcpReassembler({ message: (p) => messages.push(p), issue: () => {} }, limits);
  for (const s of segments) reassembler.segment(s);
  reassembler.flush();
  return messages;
}

const key = (m: SipPayload) => `${m.src.ip}:${m.src.port}>${m.dst.ip}:${m.dst.port}|${Buffer.from(m.bytes).toString('latin1')}`;

/**
 * Disorder of a real capture's segments: each step either delays a segment by a few places, duplicates it,
 * or drops it. Whatever the disorder, no crash, and every message emitted is byte for byte one of the messages
 * of the undisturbed capture, on the same flow.
 */
const disorder = (count: number) =>
  fc.array(fc.record({ at: fc.nat({ max: count - 1 }), action: fc.constantFrom('delay', 'duplicate', 'drop'), by: fc.integer({ min: 1, max: 12 }) }), {
    maxLength: 60,
  });

function apply(segments: TcpSegment[], steps: Array<{ at: number; action: string; by: number }>): TcpSegment[] {
  const out = [...segments];
  for (const { at, action, by } of steps) {
    if (at >= out.length) continue;
    if (action === 'drop') out.splice(at, 1);
    else if (action === 'duplicate') out.splice(Math.min(out.length, at + by), 0, out[at]);
    else out.splice(Math.min(out.length - 1, at + by), 0, ...out.splice(at, 1));
  }
  return out;
}

describe('TCP reassembly fuzz over real captures (bounded)', () => {
  for (const name of ['sip_ipv4_tcp_fragmented.pcap', 'sip_tcp_websocket.pcap', 'sip_ipv4_tcp_retrans.pcap']) {
    it(`${name}: reordered, duplicated and dropped segments never crash nor invent a message`, () => {
      const segments = readTcpSegments(publicCapture(name));
      const real = new Set(decode(segments).map(key));
      expect(real.size).toBeGreaterThan(3);
      fc.assert(
        fc.property(disorder(segments.length), fc.boolean(), (steps, tight) => {
          const limits = tight ? { maxOutOfOrderSegments: 4, maxOutOfOrderBytes: 4096, maxFlows: 3, maxTotalBytes: 8192 } : {};
          for (const m of decode(apply(segments, steps), limits)) expect(real.has(key(m))).toBe(true);
        }),
        { numRuns: 40, seed: 4242 },
      );
    }, 60_000);
  }

  it('a fully shuffled capture still yields only real messages', () => {
    const segments = readTcpSegments(publicCapture('sip_ipv4_tcp_fragmented.pcap'));
    const real = new Set(decode(segments).map(key));
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: segments.length, maxLength: segments.length }), (weights) => {
        const shuffled = segments.map((s, i) => ({ s, w: weights[i] })).sort((a, b) => a.w - b.w).map((x) => x.s);
        for (const m of decode(shuffled)) expect(real.has(key(m))).toBe(true);
      }),
      { numRuns: 10, seed: 7 },
    );
  }, 60_000);
});
