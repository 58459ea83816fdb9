/**
 * Offsets in decode's issue lines for a .gz input: a corrupt record inside the inflated capture lies at an offset
 * of the inflated bytes, damage to the gzip stream itself at an offset of the compressed file. Both appear in the
 * same output, so the line must say which one it gives: a user who seeks to "offset N" in the .gz must find N there.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-io.js';

const fixture = join(import.meta.dirname, '../../fixtures/captures/recorded/udp.pcap');
const scratch = mkdtempSync(join(tmpdir(), 'sipscope-gz-offsets-'));

/** The file offset of pcap record `index` (0-based), walked from the pcap layout (24-byte header, 16-byte records). */
function recordOffset(capture: Buffer, index: number): number {
  let at = 24;
  for (let i = 0; i < index; i++) at += 16 + capture.readUInt32LE(at + 8);
  return at;
}

/** udp.pcap with record 5's captured length made impossible (the record is damage, not a packet). */
function corruptRecord(): { capture: Buffer; offset: number } {
  const capture = Buffer.from(readFileSync(fixture));
  const offset = recordOffset(capture, 5);
  capture.writeUInt32LE(0x7fffffff, offset + 8);
  return { capture, offset };
}

describe('decode: the offset of damage inside a .gz input', () => {
  it('plain file: the corrupt record at its file offset', async () => {
    const { capture, offset } = corruptRecord();
    const path = join(scratch, 'corrupt.pcap');
    writeFileSync(path, capture);
    const run = await runCli(['decode', path]);
    expect(run.stderr).toContain(`${path}, before packet 6, offset ${offset}: bad-record-length:`);
  });

  it('gzipped: the same record at the same offset, said to be of the inflated capture, and never a bare offset past the compressed file', async () => {
    const { capture, offset } = corruptRecord();
    const compressed = gzipSync(capture);
    const path = join(scratch, 'corrupt.pcap.gz');
    writeFileSync(path, compressed);
    const run = await runCli(['decode', path]);
    expect(run.stderr).toContain(`${path}, before packet 6, inflated offset ${offset}: bad-record-length:`);
    expect(run.stderr).not.toMatch(/, offset \d+: bad-record-length/);
  });

  it('gzipped and cut: the cut of the gzip stream stays at its compressed offset', async () => {
    const compressed = gzipSync(readFileSync(fixture));
    const cut = compressed.subarray(0, compressed.length - 100);
    const path = join(scratch, 'cut.pcap.gz');
    writeFileSync(path, cut);
    const run = await runCli(['decode', path]);
    expect(run.stderr).toMatch(new RegExp(`, offset ${cut.length}: truncated-file: gzip stream cut short`));
  });
});
