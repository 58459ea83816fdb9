/**
 * Hostile input: seeded mutations of real captures (byte flips, corrupted length words, truncation, spliced and
 * inserted garbage) and fast-check's arbitrary bytes behind valid headers. Bounded in count and time. Whatever
 * the bytes: no exception other than "unrecognised format", no hang, and damage is reported as issues.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCaptures } from '../../src/capture/decode.js';
import { EmptyCaptureError, TruncatedHeaderError, UnrecognisedCaptureError } from '../../src/capture/errors.js';
import type { DecodeIssue, DecodeStats } from '../../src/capture/types.js';

const fixtures = join(import.meta.dirname, '../../fixtures/captures');
const sources = ['public/sngrep/aaa.pcap', 'derived/multi-link.pcapng', 'public/sngrep/ipv6frag.pcap', 'public/heplify/sip_ipv4_tcp_fragmented.pcap', 'public/heplify/sip_sctp.pcap'].map(
  (name) => ({ name, bytes: readFileSync(join(fixtures, name)) }),
);
const PER_DECODE_LIMIT_MS = 5000;

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  stats?: DecodeStats;
  issues: DecodeIssue[];
  unrecognised: boolean;
}

async function decodeHostile(bytes: Uint8Array, windowBytes: number): Promise<Outcome> {
  const issues: DecodeIssue[] = [];
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`decode took over ${PER_DECODE_LIMIT_MS} ms`)), PER_DECODE_LIMIT_MS);
  });
  try {
    const stats = await Promise.race([
      decodeCaptures(['-'], { payload: (p) => expect(p.bytes.length).toBeGreaterThan(0), issue: (i) => issues.push(i) }, { stdin: Readable.from([Buffer.from(bytes)]), windowBytes }),
      hang,
    ]);
    return { stats, issues, unrecognised: false };
  } catch (error) {
    // refused at the start: nothing at all, no capture format, or a capture cut inside its file header
    if (error instanceof UnrecognisedCaptureError || error instanceof TruncatedHeaderError || error instanceof EmptyCaptureError) return { issues, unrecognised: true };
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Offsets where a pcap record or pcapng block ends (all sources are little-endian files). */
function recordBoundaries(bytes: Buffer): Set<number> {
  const ends = new Set<number>();
  const pcapng = bytes.readUInt32LE(0) === 0x0a0d0d0a;
  let at = pcapng ? 0 : 24;
  ends.add(at);
  while (at < bytes.length) {
    at += pcapng ? bytes.readUInt32LE(at + 4) : 16 + bytes.readUInt32LE(at + 8);
    ends.add(at);
  }
  return ends;
}

type Mutation = 'flip' | 'word' | 'truncate' | 'splice' | 'garbage';
const MUTATIONS: Mutation[] = ['flip', 'word', 'truncate', 'splice', 'garbage'];

function mutate(original: Buffer, kind: Mutation, random: () => number): Buffer {
  // the file header: pcap's 24 bytes, or the whole first section header block of a pcapng (cut, it is fatal)
  const header = original[0] === 0x0a ? original.readUInt32LE(4) : 24;
  const at = header + Math.floor(random() * (original.length - header - 8));
  switch (kind) {
    case 'flip': {
      const copy = Buffer.from(original);
      for (let i = 0; i < 1 + Math.floor(random() * 20); i++) copy[header + Math.floor(random() * (copy.length - header))] ^= 1 << Math.floor(random() * 8);
      return copy;
    }
    case 'word': {
      const copy = Buffer.from(original);
      copy.writeUInt32LE(Math.floor(random() * 2 ** 32), at & ~3);
      return copy;
    }
    case 'truncate':
      return original.subarray(0, at);
    case 'splice':
      return Buffer.concat([original.subarray(0, at), original.subarray(header + Math.floor(random() * (original.length - header)))]);
    case 'garbage': {
      const garbage = Buffer.alloc(1 + Math.floor(random() * 3000));
      for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(random() * 256);
      return Buffer.concat([original.subarray(0, at), garbage, original.subarray(at)]);
    }
  }
}

describe('fuzzing the decoder', () => {
  it('survives 250 seeded mutations of real captures, reporting damage', async () => {
    const random = mulberry32(0x5195c09e);
    const started = Date.now();
    let withIssues = 0;
    for (let round = 0; round < 250 && Date.now() - started < 60_000; round++) {
      const source = sources[round % sources.length];
      const kind = MUTATIONS[Math.floor(random() * MUTATIONS.length)];
      const mutated = mutate(source.bytes, kind, random);
      const windowBytes = random() < 0.5 ? 64 + Math.floor(random() * 4096) : 4 * 1024 * 1024;
      const outcome = await decodeHostile(mutated, windowBytes);
      expect(outcome.unrecognised, `${source.name} ${kind} round ${round}`).toBe(false);
      if (outcome.issues.length > 0) withIssues++;
      for (const issue of outcome.issues) {
        expect(issue.file).toBe('-');
        expect(typeof issue.code).toBe('string');
        expect(issue.packetNumber !== undefined || issue.offset !== undefined, `${issue.code} says where`).toBe(true);
      }
      if (kind === 'truncate') {
        // a cut is silent exactly when it falls between two records
        const between = recordBoundaries(source.bytes).has(mutated.length);
        expect(outcome.issues.some((i) => i.code === 'truncated-file'), `${source.name} cut at ${mutated.length}`).toBe(!between);
      }
    }
    expect(withIssues).toBeGreaterThan(50);
  }, 120_000);

  it('reports a truncated last record with its offset', async () => {
    const aaa = sources[0].bytes;
    const outcome = await decodeHostile(aaa.subarray(0, aaa.length - 7), 4096);
    expect(outcome.issues.map((i) => i.code)).toEqual(['truncated-file']);
    expect(outcome.stats!.packets).toBe(690);
  });

  it('takes arbitrary bytes behind a valid pcap or pcapng header without crashing or hanging', async () => {
    const pcapHeader = sources[0].bytes.subarray(0, 24);
    const pcapngHead = sources[1].bytes.subarray(0, sources[1].bytes.readUInt32LE(4) + sources[1].bytes.readUInt32LE(sources[1].bytes.readUInt32LE(4) + 4));
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.uint8Array({ maxLength: 4000 }), fc.integer({ min: 32, max: 8192 }), async (classic, body, windowBytes) => {
        const outcome = await decodeHostile(Buffer.concat([classic ? pcapHeader : pcapngHead, body]), windowBytes);
        expect(outcome.unrecognised).toBe(false);
        expect(outcome.stats!.bytes).toBeGreaterThan(0);
      }),
      { numRuns: 300, seed: 4242 },
    );
  }, 120_000);

  it('treats headers that are neither pcap nor pcapng as unrecognised, never as a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 64 }), async (bytes) => {
        fc.pre(!(bytes[0] === 0x1f && bytes[1] === 0x8b));
        const outcome = await decodeHostile(bytes, 4096).catch((error: unknown) => ({ error }));
        expect('error' in outcome ? outcome.error : undefined).toBeUndefined();
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
