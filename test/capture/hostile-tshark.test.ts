/**
 * The Content-Length captures of hostile.test.ts as tshark reads them (the ground truth for what a capture holds):
 * sipscope must find the messages tshark finds.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeBytes, writeScratch } from './decode-helper.js';
import { hugeContentLength } from './hostile-captures.mjs';
import { frameCallIdKeys, tsharkSip } from './tcp-expect-helper.js';

describe('Content-Length beyond the reassembly limit, against tshark', () => {
  it('4294967295: tshark shows the INVITE and the BYE after it; so does sipscope, same frames and Call-IDs', async () => {
    const capture = hugeContentLength(4294967295);
    const expected = tsharkSip(writeScratch(capture, 'huge-cl.pcap'), 'sip');
    expect(expected.map((m) => m.frame)).toEqual([4, 6]);
    const decoded = await decodeBytes(capture);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(expected));
  });

  it('2000000000: tshark waits for the 2 GB body and shows neither, but finds the BYE in frame 6 when told not to wait; sipscope decodes it', async () => {
    const capture = hugeContentLength(2_000_000_000);
    const path = writeScratch(capture, 'huge-cl-2g.pcap');
    expect(tsharkSip(path, 'sip')).toEqual([]);
    const bye = execFileSync('tshark', ['-r', path, '-o', 'sip.desegment_body:FALSE', '-Y', 'sip.Method == "BYE"', '-T', 'fields', '-e', 'frame.number'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(bye.trim()).toBe('6');
    const decoded = await decodeBytes(capture);
    expect(decoded.payloads.find((m) => m.packetNumber === 6)).toBeDefined();
  });
});
