/** `sipscope calls`: one line per call, matching the tshark-derived expectation. */
import { execFileSync } from 'node:child_process';
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
        // every call of these captures lasts over a second: shown in seconds
        expect(row.split(/\s+/)).toEqual([call.start, (call.durationMs / 1000).toFixed(3), 's', call.state, expect.any(String), expect.any(String), call.username, String(call.reinvites), call.callId]);
      }
    });
  }

  it('no call left by --user or --since/--until: says so, not "no INVITE in the capture" (tshark sees INVITEs)', async () => {
    const invites = execFileSync('tshark', ['-r', REVOCATION_UDP, '-Y', 'sip.Method == "INVITE"', '-T', 'fields', '-e', 'frame.number'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    expect(invites).not.toBe('');
    const nobody = await runCli(['calls', REVOCATION_UDP, '--user', 'nobody']);
    expect(nobody.code).toBe(0);
    expect(nobody.out.trim()).toBe('no calls of user nobody (--user)');
    const later = await runCli(['calls', REVOCATION_UDP, '--since', '2030-01-01T00:00:00Z']);
    expect(later.out.trim()).toBe('no calls in the window --since 2030-01-01T00:00:00Z');
    const both = await runCli(['calls', REVOCATION_UDP, '--user', 'nobody', '--until', '2020-01-01T00:00:00Z']);
    expect(both.out.trim()).toBe('no calls of user nobody (--user) in the window --until 2020-01-01T00:00:00Z');
  });

  it('a call shorter than a millisecond is not shown as 0.000 s: its duration in ms, as tshark times its INVITE and final response', async () => {
    // Kamailio on loopback answered the INVITE 486 in half a millisecond (the HEP copies of the same messages are
    // not dissected by tshark; sipscope times the call from the first copy, the wire one)
    const capture = 'fixtures/captures/recorded/hep3-kamailio.pcap';
    const callId = '1-21556@127.0.0.1';
    const times = execFileSync('tshark', ['-r', capture, '-Y', `sip.Call-ID == "${callId}" && (sip.Method == "INVITE" || sip.Status-Code >= 300)`, '-T', 'fields', '-e', 'frame.time_epoch'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')
      .map((epoch) => {
        const [seconds, fraction] = epoch.split('.');
        return Number(seconds) * 1e6 + Number(fraction.slice(0, 6));
      });
    expect(times).toHaveLength(2);
    const durationUs = times[1] - times[0];
    expect(durationUs).toBeLessThan(1000);
    const shown = `${(durationUs / 1000).toFixed(3)} ms`;
    const row = (await runCli(['calls', capture])).out.split('\n').find((line) => line.endsWith(callId))!;
    expect(row.split(/\s{2,}/)[1]).toBe(shown);
    const report = (await runCli(['analyze', capture])).out;
    expect(report).toContain(shown);
    expect(report).not.toContain('0.000 s');
    expect(JSON.parse((await runCli(['analyze', capture, '--json'])).out).calls[0].durationMs).toBe(durationUs / 1000);
  });

  it('a call whose INVITE --since cut off shows its duration as a lower bound (≥), from its first message in the window to its BYE as tshark times them', async () => {
    const since = '2026-11-23T22:13:47Z';
    const micros = (epoch: string) => {
      const [seconds, fraction] = epoch.split('.');
      return Number(seconds) * 1e6 + Number(fraction.slice(0, 6));
    };
    const rows = (await runCli(['calls', REVOCATION_UDP, '--since', since])).out.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      const cells = row.split(/\s{2,}/);
      const callId = cells[7];
      const frames = execFileSync('tshark', ['-r', REVOCATION_UDP, '-Y', `sip.Call-ID == "${callId}" && frame.time_epoch >= ${Date.parse(since) / 1000}`, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'sip.Method', '-e', 'sip.to.tag'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .trim()
        .split('\n')
        .map((line) => line.split('\t'));
      // no INVITE without a To tag in the window: the call began before it
      expect(frames.some(([, method, toTag]) => method === 'INVITE' && !toTag)).toBe(false);
      const bye = frames.find(([, method]) => method === 'BYE')!;
      expect(cells[1]).toBe(`\u2265 ${((micros(bye[0]) - micros(frames[0][0])) / 1e6).toFixed(3)} s`);
    }
    const whole = (await runCli(['calls', REVOCATION_UDP])).out;
    expect(whole).not.toContain('\u2265');
  });

  it('a capture without INVITE says so', async () => {
    const run = await runCli(['calls', 'fixtures/captures/public/heplify/sip_ipv4_tcp_retrans.pcap']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('no calls');
  });
});
