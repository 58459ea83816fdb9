/** Shared by the analysis tests: the fixture captures, their tshark-derived expectations, and tshark itself. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCaptures } from '../../src/capture/decode.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import type { AnalysisResult } from '../../src/analysis/types.js';

export const PUBLIC_DIR = 'fixtures/captures/public';
export const RECORDED_DIR = 'fixtures/captures/recorded';

/** tshark needs to be told about SIP on a port it does not know (fixtures/captures/public/README.md). */
export const TSHARK_ARGS: Record<string, string[]> = {
  'sip_ipv4_tcp_fragmented.pcap': ['-d', 'tcp.port==6060,sip'],
};

export interface TsharkExpected {
  sipMessages: number;
  requests: Record<string, number>;
  responses: Record<string, number>;
  callIds: string[];
  reinviteForbiddenCallIds: string[];
}

/** Every capture under a directory that has NAME.expected.json beside it. */
export function capturesWithExpected(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (/\.pcap(ng)?$/.test(entry.name) && existsSync(`${path}.expected.json`)) found.push(path);
  }
  return found.sort();
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function tsharkArgs(capture: string): string[] {
  return TSHARK_ARGS[capture.split('/').pop()!] ?? [];
}

/** tshark field output, one array per SIP message row (frames holding several messages give comma lists). */
export function tsharkFields(capture: string, filter: string, fields: string[]): string[][] {
  const output = execFileSync(
    'tshark',
    ['-r', capture, ...tsharkArgs(capture), '-Y', filter, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((field) => ['-e', field])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 },
  );
  return output.split('\n').filter((line) => line.trim() !== '').map((line) => line.split('|'));
}

/** tshark's epoch seconds with nanoseconds (frame.time_epoch) -> ISO 8601 with microseconds, as sipscope prints times. */
export function isoFromEpoch(epoch: string): string {
  const [seconds, fraction = '0'] = epoch.split('.');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction.padEnd(9, '0').slice(0, 6)}Z`;
}

/** Runs decoding + analysis, also returning every Call-ID the analysis read (all methods). */
export async function analyzeWithCallIds(
  captures: string[],
): Promise<{ result: AnalysisResult; callIds: Set<string>; messageFrames: Map<string, Set<number>>; carrierFrames: Set<number> }> {
  const analyzer = new Analyzer();
  const callIds = new Set<string>();
  /** Per Call-ID, the frames that completed one of its messages (the frame tshark shows the message in). */
  const messageFrames = new Map<string, Set<number>>();
  /** Frames that carried part of a message without completing it (IP fragments, earlier TCP segments). */
  const carrierFrames = new Set<number>();
  const stats = await decodeCaptures(captures, {
    payload: (payload) => {
      const observed = analyzer.add(payload);
      if (observed) {
        callIds.add(observed.fields.callId);
        const frames = messageFrames.get(observed.fields.callId) ?? new Set<number>();
        frames.add(payload.packetNumber);
        messageFrames.set(observed.fields.callId, frames);
      }
      for (const frame of payload.packets) if (frame !== payload.packetNumber) carrierFrames.add(frame);
    },
  });
  return { result: analyzer.finish(stats), callIds, messageFrames, carrierFrames };
}
