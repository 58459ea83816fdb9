/** `sipscope flow`: the ladder of one call, every message of it in order, the 403 marked. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsharkFields } from '../analysis/capture-helpers.js';
import { ringOf } from '../capture/split-captures.js';
import { REVOCATION_UDP, runCli } from './analysis-cli-helpers.js';

const DAMAGED = '1-14795@127.0.0.13';

describe('sipscope flow', () => {
  it('shows every message of the call (tshark frames), in order, with the 403 marked !!', async () => {
    const run = await runCli(['flow', REVOCATION_UDP, '--call-id', DAMAGED]);
    expect(run.code).toBe(0);
    const frames = tsharkFields(REVOCATION_UDP, `sip.Call-ID == "${DAMAGED}"`, ['frame.number', 'sip.Status-Code']);
    const shown = [...run.out.matchAll(/^#(\d+)/gm)].map((match) => Number(match[1]));
    expect(shown).toEqual(frames.map((row) => Number(row[0])));
    const marked = run.out.split('\n').filter((line) => line.includes('!!'));
    const forbiddenFrames = frames.filter((row) => row[1] === '403').map((row) => row[0]);
    expect(forbiddenFrames.length).toBe(1);
    expect(marked).toHaveLength(2); // label line and arrow line
    expect(marked[0]).toContain(`#${forbiddenFrames[0]}`);
    expect(marked[0]).toContain('403 Forbidden');
    expect(run.out).toContain('reinvite-forbidden');
    expect(run.out.split('\n')[2]).toContain('127.0.0.13:');
  });

  it('a capture of the wire and of its HEP copies: the wire messages drawn, no copy as a retransmission, the copies named', async () => {
    const capture = 'fixtures/captures/recorded/hep3-kamailio.pcap';
    const callId = '1-21556@127.0.0.1';
    const run = await runCli(['flow', capture, '--call-id', callId]);
    expect(run.code).toBe(0);
    const wire = tsharkFields(capture, `sip.Call-ID == "${callId}" && udp.dstport != 9060`, ['frame.number']).map((row) => Number(row[0]));
    const copies = tsharkFields(capture, `udp.dstport == 9060 && frame contains "${callId}"`, ['frame.number']).map((row) => `#${row[0]}`);
    expect([...run.out.matchAll(/^#(\d+)/gm)].map((match) => Number(match[1]))).toEqual(wire);
    expect(run.out).not.toContain('(retransmission)');
    expect(run.out).toContain(`(${copies.length} HEP mirror copies of these messages not drawn: ${copies.join(', ')})`);
  });

  it('a ring of files (editcap -c) gives the ladder of the whole capture, frame numbers included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-flow-'));
    const ring = ringOf(REVOCATION_UDP, 50, dir, 'ring');
    expect(ring.length).toBeGreaterThan(2);
    const whole = await runCli(['flow', REVOCATION_UDP, '--call-id', DAMAGED]);
    const fromRing = await runCli(['flow', ...ring, '--call-id', DAMAGED]);
    expect(fromRing.code).toBe(0);
    expect(fromRing.out).toEqual(whole.out);
  });

  it('colours the 403 red when colour is on', async () => {
    const run = await runCli(['flow', REVOCATION_UDP, '--call-id', DAMAGED], { color: true });
    const line = run.out.split('\n').find((text) => text.includes('403 Forbidden') && text.includes('!!'))!;
    expect(line).toContain('\u001b[31m');
  });

  it('an unknown Call-ID is a local error', async () => {
    const run = await runCli(['flow', REVOCATION_UDP, '--call-id', 'nope']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('no SIP message with Call-ID "nope"');
  });
});
