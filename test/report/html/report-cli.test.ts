/** `sipscope report` on the command line: what it writes, its filters, and the local errors (exit 2). */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REVOCATION_UDP, runCli } from '../../cli/analysis-cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-report-cli-'));

function dataOf(file: string): { findings: unknown[]; calls: unknown[]; filters: string[] } {
  const html = readFileSync(file, 'utf8');
  return JSON.parse(/<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)![1]);
}

describe('sipscope report', () => {
  it('writes the file and says what it holds', async () => {
    const output = join(dir, 'udp.html');
    const run = await runCli(['report', REVOCATION_UDP, '-o', output]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^wrote .*udp\.html \(\d+ KiB\): 5 calls, 4 findings, 6 ladders embedded\n$/);
    expect(dataOf(output).findings).toHaveLength(4);
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

  it.each([
    [['-', '-o', 'x.html'], 'give files, not - (stdin)'],
    [[REVOCATION_UDP, '-o', 'x.html', '--max-calls', '-1'], '--max-calls -1 is not a whole number'],
    [[REVOCATION_UDP, '-o', '/nonexistent-dir/x.html'], 'cannot write /nonexistent-dir/x.html'],
    [[REVOCATION_UDP], 'Missing required argument: output'],
    [['no-such.pcap', '-o', 'x.html'], 'no-such.pcap'],
  ])('report %j is a local error (exit 2)', async (args, message) => {
    const run = await runCli(['report', ...args]);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
  });
});
