/** `sipscope calls`: one line per call, matching the tshark-derived expectation. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REVOCATION_TCP, REVOCATION_UDP, runCli } from './analysis-cli-helpers.js';

describe('sipscope calls', () => {
  for (const capture of [REVOCATION_UDP, REVOCATION_TCP]) {
    it(`${capture}: one row per call with start, state, user, re-INVITEs and Call-ID`, async () => {
      const run = await runCli(['calls', capture]);
      expect(run.code).toBe(0);
      const lines = run.out.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^start\s+duration\s+state\s+from\s+to\s+user\s+re-INVITEs\s+Call-ID$/);
      const expected = JSON.parse(readFileSync(`${capture}.analysis.expected.json`, 'utf8')).calls as Array<{
        callId: string;
        start: string;
        state: string;
        username: string;
        reinvites: number;
        durationMs: number;
      }>;
      expect(lines.length - 1).toBe(expected.length);
      for (const call of expected) {
        const row = lines.find((line) => line.endsWith(call.callId))!;
        expect(row.split(/\s+/)).toEqual([call.start, (call.durationMs / 1000).toFixed(3), 's', call.state, expect.any(String), expect.any(String), call.username, String(call.reinvites), call.callId]);
      }
    });
  }

  it('a capture without INVITE says so', async () => {
    const run = await runCli(['calls', 'fixtures/captures/public/heplify/sip_ipv4_tcp_retrans.pcap']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('no calls');
  });
});
