/**
 * Arguments the capture commands refuse before reading anything (exit 2, one line naming the option), found by a
 * user-level sweep: an output file that is one of the input captures (it would be destroyed), an output in a
 * missing directory, dates that are not on the calendar, bad numbers, options that only make sense with another.
 * And --jsonl with --junit, which used to print the text report.
 */
import { copyFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIsoMicros } from '../../src/analysis/time.js';
import { REVOCATION_UDP, runCli } from './analysis-cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-arguments-'));

describe('an output file that is an input capture', () => {
  const capture = join(dir, 'incident.pcap');
  copyFileSync(REVOCATION_UDP, capture);
  const original = readFileSync(capture);
  const link = join(dir, 'link.pcap');
  symlinkSync(capture, link);

  it.each([
    ['extract', ['extract', capture, '--call-id', 'x', '-o', capture], '-o'],
    ['report', ['report', capture, '-o', join(dir, '.', 'incident.pcap')], '-o'],
    ['analyze --junit, through a link', ['analyze', capture, '--junit', link], '--junit'],
  ])('%s: refused, exit 2, the capture untouched', async (_name, args, option) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(new RegExp(`^sipscope \\w+: ${option} \\S+ is the input capture ${capture.replaceAll('.', '\\.')}: writing it would destroy it\\n$`));
    expect(run.out).toBe('');
    expect(readFileSync(capture).equals(original)).toBe(true);
  });

  it('an output in a missing directory, or with no name, is refused before the analysis', async () => {
    const missing = await runCli(['analyze', REVOCATION_UDP, '--junit', join(dir, 'no-such-dir', 'junit.xml')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`(--junit): no directory ${join(dir, 'no-such-dir')}`);
    expect(missing.out).toBe('');
    const unnamed = await runCli(['report', REVOCATION_UDP, '-o', '']);
    expect(unnamed.code).toBe(2);
    expect(unnamed.err).toBe('sipscope report: -o needs a file name\n');
    const stdout = await runCli(['extract', REVOCATION_UDP, '--call-id', 'x', '-o', '-']);
    expect(stdout.code).toBe(2);
    expect(stdout.err).toBe('sipscope extract: -o - : give a file name (this output is not written to stdout)\n');
  });
});

describe('--jsonl with --junit', () => {
  it('prints the same events as a streamed --jsonl run (calls by start, then findings), and writes the JUnit file', async () => {
    const junit = join(dir, 'junit.xml');
    const withJunit = await runCli(['analyze', REVOCATION_UDP, '--jsonl', '--junit', junit]);
    const streamed = await runCli(['analyze', REVOCATION_UDP, '--jsonl']);
    expect(withJunit.code).toBe(streamed.code);
    const events = (run: { out: string }) => run.out.trim().split('\n').map((line) => JSON.parse(line) as { type: string; callId?: string });
    const sorted = (list: Array<{ type: string }>) => list.map((event) => JSON.stringify(event)).sort();
    expect(sorted(events(withJunit))).toEqual(sorted(events(streamed)));
    expect(events(withJunit).map((event) => event.type)).toEqual([...events(withJunit).map((event) => event.type)].sort((a, b) => order(a) - order(b)));
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite');
  });
});

/** The order of event types in a --jsonl run kept whole: calls, findings, revocations, the summary. */
function order(type: string): number {
  return ['call', 'finding', 'revocation', 'summary'].indexOf(type);
}

describe('times that are not on the calendar', () => {
  it('parseIsoMicros refuses a day past the end of its month, hour 24, minute or second 60', () => {
    for (const text of ['2026-02-29T00:00:00Z', '2026-02-30T00:00:00Z', '2026-11-31T12:00:00Z', '2026-04-31T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01T00:00:60Z', '2026-00-10T00:00:00Z']) {
      expect(parseIsoMicros(text), text).toBeUndefined();
    }
    expect(parseIsoMicros('2028-02-29T23:59:59.5Z')).toBe(Date.UTC(2028, 1, 29, 23, 59, 59) * 1000 + 500_000);
    expect(parseIsoMicros('2026-12-31T00:00:00+01:00')).toBe(Date.UTC(2026, 11, 30, 23) * 1000);
  });

  it('analyze and query refuse them, and query refuses --until before --since as analyze does', async () => {
    const analyze = await runCli(['analyze', REVOCATION_UDP, '--since', '2026-02-30T00:00:00Z']);
    expect(analyze.code).toBe(2);
    expect(analyze.err).toContain('--since "2026-02-30T00:00:00Z" is not an ISO 8601 time');
    const query = await runCli(['query', dir, '--durations', '--since', '2026-11-23T22:14:00Z', '--until', '2026-11-23T22:13:00Z']);
    expect(query.code).toBe(2);
    expect(query.err).toBe('sipscope query: --until is before --since\n');
  });
});

describe('numbers and options that need another', () => {
  it.each([
    [['decode', REVOCATION_UDP, '--max-issues', 'abc'], 'sipscope decode: --max-issues must be a whole number >= 0'],
    [['decode', REVOCATION_UDP, '--max-issues', '-1'], 'sipscope decode: --max-issues must be a whole number >= 0'],
    [['report', REVOCATION_UDP, '-o', join(dir, 'r.html'), '--max-calls', 'abc'], 'sipscope report: --max-calls must be a whole number >= 0'],
    [['analyze', REVOCATION_UDP, '--host', 'h9'], 'sipscope analyze: --host names the partition of a --dataset: give --dataset DIR too'],
    [['analyze', REVOCATION_UDP, '--hep-from', '127.0.0.1'], 'sipscope analyze: --hep-from says which HEP senders --hep-listen accepts: give --hep-listen too'],
    [['analyze', '--hep-listen', '127.0.0.1:26339', '--hep-from', 'notanip'], 'sipscope analyze: --hep-from "notanip": a comma list of IP addresses ("notanip" is not one)'],
  ])('%j: exit 2, %s', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.err).toBe(`${message}\n`);
  });
});

describe('messages', () => {
  it("yargs's message of several lines keeps its lines (it showed \\x0a); each line still printable", async () => {
    const run = await runCli(['options', 'sip:a@127.0.0.1', '--transport', 'sctp']);
    expect(run.code).toBe(2);
    expect(run.err).toBe('sipscope: Invalid values:\n  Argument: transport, Given: "sctp", Choices: "udp", "tcp", "tls", "ws", "wss"\n');
  });

  it('serve: a control token without --control, and a users file with a user twice, are refused', async () => {
    const users = join(dir, 'twice.txt');
    writeFileSync(users, 'alice one-password\nbob other\nalice two-password\n');
    const twice = await runCli(['serve', '--listen', '127.0.0.1:0', '--users', users]);
    expect(twice.code).toBe(2);
    expect(twice.err).toBe(`sipscope serve: ${users} line 3: user "alice" has a line already\n`);
    expect(twice.err).not.toContain('password');
    const token = await runCli(['serve', '--listen', '127.0.0.1:0', '--users', '/dev/null', '--control-token-env', 'T'], { env: { T: 'long-enough-token-value' } });
    expect(token.code).toBe(2);
    expect(token.err).toBe('sipscope serve: --control-token-env / --control-token-file are the token of --control ADDR:PORT: give --control too\n');
  });

  it('serve --record in a missing directory is refused before listening, naming --record', async () => {
    const users = join(dir, 'users.txt');
    copyFileSync('/dev/null', users);
    const run = await runCli(['serve', '--listen', '127.0.0.1:0', '--users', users, '--record', join(dir, 'missing', 'serve.pcapng')]);
    expect(run.code).toBe(2);
    expect(run.err).toBe(`sipscope serve: cannot write ${join(dir, 'missing', 'serve.pcapng')} (--record): no directory ${join(dir, 'missing')}\n`);
  });
});
