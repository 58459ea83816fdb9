/** `sipscope report` on the command line: what it writes, its filters, and the local errors (exit 2). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AAA, REVOCATION_UDP, runCli, tsharkCallCredentials } from '../../cli/analysis-cli-helpers.js';
import { reportDataOf, reportDetailsOf } from './report-file.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-report-cli-'));

const dataOf = reportDataOf;

describe('sipscope report', () => {
  it('writes the file and says what it holds', async () => {
    const output = join(dir, 'udp.html');
    const run = await runCli(['report', REVOCATION_UDP, '-o', output]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^wrote .*udp\.html \(\d+ KiB\): 5 calls, 4 findings, 6 ladders embedded\n$/);
    expect(dataOf(output).findings).toHaveLength(4);
    // every message of each embedded call, as flow shows them: the damaged call's 40 frames
    const damaged = reportDetailsOf(output).find((row) => row[0] === '1-14795@127.0.0.13')!;
    const flow = await runCli(['flow', REVOCATION_UDP, '--call-id', '1-14795@127.0.0.13']);
    expect(damaged[2].map((message) => message[4])).toEqual([...flow.out.matchAll(/^#(\d+)/gm)].map((match) => Number(match[1])));
  });

  it('applies --user and --since as analyze does', async () => {
    const output = join(dir, 'bob.html');
    expect((await runCli(['report', REVOCATION_UDP, '--user', 'bob', '-o', output])).code).toBe(0);
    const bob = await runCli(['analyze', REVOCATION_UDP, '--user', 'bob', '--json']);
    const expected = JSON.parse(bob.out) as { findings: unknown[]; calls: unknown[] };
    expect(dataOf(output).findings).toHaveLength(expected.findings.length);
    expect(dataOf(output).calls).toHaveLength(expected.calls.length);
    expect(dataOf(output).filters).toEqual(['--user bob']);
    const late = join(dir, 'late.html');
    expect((await runCli(['report', REVOCATION_UDP, '--since', '2026-11-23T22:14:00Z', '-o', late])).code).toBe(0);
    const analyzedLate = JSON.parse((await runCli(['analyze', REVOCATION_UDP, '--since', '2026-11-23T22:14:00Z', '--json'])).out) as { calls: unknown[] };
    expect(dataOf(late).calls).toHaveLength(analyzedLate.calls.length);
  });

  it("the calls table's user is the call's credential as in analyze and as tshark reads it: none for a call without one, not its From user", async () => {
    // aaa.pcap: a call with no credential at all, and calls whose From user is not the credential's username
    for (const [capture, window] of [
      [AAA, []],
      [REVOCATION_UDP, ['--since', '2026-11-23T22:13:47Z']],
    ] as const) {
      const output = join(dir, 'users.html');
      expect((await runCli(['report', capture, ...window, '-o', output])).code).toBe(0);
      const credentials = tsharkCallCredentials(capture, window[1]);
      const rows = dataOf(output).calls;
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row[3], row[0]).toBe(credentials.get(row[0]) ?? '');
    }
    expect(tsharkCallCredentials(AAA).get('105090259-446faf7a@192.168.1.2')).toBeUndefined();
  });

  it('marks the calls whose INVITE --since cut off (lower-bound duration) and leaves them out of the histogram, as of the statistics', async () => {
    const output = join(dir, 'cut.html');
    expect((await runCli(['report', REVOCATION_UDP, '--since', '2026-11-23T22:13:47Z', '-o', output])).code).toBe(0);
    const cut = dataOf(output);
    expect(cut.calls.map((row) => row[10])).toEqual([1, 1, 1, 1, 1]);
    expect(cut.durations.count).toBe(0);
    expect(cut.histogram.counts).toEqual([]);
    const whole = join(dir, 'whole.html');
    expect((await runCli(['report', REVOCATION_UDP, '-o', whole])).code).toBe(0);
    expect(dataOf(whole).calls.map((row) => row[10])).toEqual([0, 0, 0, 0, 0]);
    expect(dataOf(whole).histogram.counts.reduce((sum, count) => sum + count, 0)).toBe(dataOf(whole).durations.count);
  });

  it.each([
    [['-', '-o', 'x.html'], 'give files, not - (stdin)'],
    [[REVOCATION_UDP, '-o', 'x.html', '--max-calls', '-1'], '--max-calls must be a whole number >= 0'],
    [[REVOCATION_UDP, '-o', '/nonexistent-dir/x.html'], 'cannot write /nonexistent-dir/x.html'],
    [[REVOCATION_UDP], 'Missing required argument: output'],
    [['no-such.pcap', '-o', 'x.html'], 'no-such.pcap'],
  ])('report %j is a local error (exit 2)', async (args, message) => {
    const run = await runCli(['report', ...args]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });
});
