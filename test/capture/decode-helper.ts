/** Decodes capture bytes or files through the real pipeline and collects what comes out. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCaptures, type DecodeOptions } from '../../src/capture/decode.js';
import type { DecodeIssue, DecodeStats, SipPayload } from '../../src/capture/types.js';

export interface Decoded {
  payloads: SipPayload[];
  issues: DecodeIssue[];
  stats: DecodeStats;
}

const scratch = mkdtempSync(join(tmpdir(), 'sipscope-capture-'));
let counter = 0;

export function writeScratch(bytes: Uint8Array, name = 'capture'): string {
  const path = join(scratch, `${++counter}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

export async function decodeFiles(files: string[], options?: DecodeOptions): Promise<Decoded> {
  const payloads: SipPayload[] = [];
  const issues: DecodeIssue[] = [];
  const stats = await decodeCaptures(files, { payload: (p) => payloads.push(p), issue: (i) => issues.push(i) }, options);
  return { payloads, issues, stats };
}

export function decodeBytes(bytes: Uint8Array, options?: DecodeOptions): Promise<Decoded> {
  return decodeFiles([writeScratch(bytes)], options);
}

/** What identifies a decoded message, independent of the name of the input it came through. */
export function payloadSummary(payloads: SipPayload[]): string[] {
  return payloads.map((p) => `${p.packetNumber} ${p.timeUs} ${p.src.ip}:${p.src.port}>${p.dst.ip}:${p.dst.port} ${p.transport} ${Buffer.from(p.bytes).toString('base64')}`);
}

export function callIdsOf(decoded: Decoded): string[] {
  return decoded.payloads.map((p) => /Call-ID: (\S+)/.exec(Buffer.from(p.bytes).toString('latin1'))?.[1] ?? '?');
}
