/** `sipscope extract`: tshark reads the written capture and sees exactly that call's SIP messages. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsharkFields } from '../analysis/capture-helpers.js';
import { ringOf } from '../capture/split-captures.js';
import { REVOCATION_TCP, REVOCATION_UDP, runCli } from './analysis-cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-extract-'));

describe('sipscope extract', () => {
  for (const capture of [REVOCATION_UDP, REVOCATION_TCP, 'fixtures/captures/public/sngrep/ipv6frag.pcap']) {
    it(`${capture}: tshark -Y sip on the output shows exactly the call's messages`, async () => {
      const calls = (await runCli(['calls', capture])).out.trimEnd().split('\n').slice(1);
      const callId = calls[0].split(/\s+/).pop()!;
      const output = join(dir, `${capture.split('/').pop()}.call.pcap`);
      const run = await runCli(['extract', capture, '--call-id', callId, '-o', output]);
      expect(run.code).toBe(0);
      const original = tsharkFields(capture, `sip.Call-ID == "${callId}"`, ['sip.Call-ID', 'sip.CSeq', 'sip.Method', 'sip.Status-Code']);
      const extracted = tsharkFields(output, 'sip', ['sip.Call-ID', 'sip.CSeq', 'sip.Method', 'sip.Status-Code']);
      expect(extracted.length).toBeGreaterThan(0);
      expect(extracted).toEqual(original);
    });
  }

  it('a ring of files (editcap -c): the same capture, byte for byte, as extracting from the whole file', async () => {
    const callId = '1-19766@127.0.0.11'; // alice's call that the revocation tore down
    const perFile = 80;
    const ring = ringOf(REVOCATION_TCP, perFile, dir, 'ring');
    expect(ring.length).toBeGreaterThan(3);
    // the call does span the ring: its frames (tshark's numbers in the whole file) fall in several files
    const frames = tsharkFields(REVOCATION_TCP, `sip.Call-ID == "${callId}"`, ['frame.number']).map(([frame]) => Number(frame));
    expect(new Set(frames.map((frame) => Math.floor((frame - 1) / perFile))).size).toBeGreaterThan(1);
    const fromWhole = join(dir, 'whole.call.pcap');
    const fromRing = join(dir, 'ring.call.pcap');
    expect((await runCli(['extract', REVOCATION_TCP, '--call-id', callId, '-o', fromWhole])).code).toBe(0);
    const run = await runCli(['extract', ...ring, '--call-id', callId, '-o', fromRing]);
    expect(run.code).toBe(0);
    expect(readFileSync(fromRing).equals(readFileSync(fromWhole))).toBe(true);
  });

  it('an unknown Call-ID or stdin input is a local error', async () => {
    expect((await runCli(['extract', REVOCATION_UDP, '--call-id', 'nope', '-o', join(dir, 'x.pcap')])).code).toBe(2);
    expect((await runCli(['extract', '-', '--call-id', 'x', '-o', join(dir, 'y.pcap')])).code).toBe(2);
  });
});
