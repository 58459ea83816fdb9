/**
 * `query DATASET --durations --user U` gives the durations `analyze CAPTURE --user U` gives (the durations of U's
 * calls, README and docs/dataset.md): nearest rank over U's answered calls ended by BYE of the tshark-derived
 * revocation-udp.pcap.analysis.expected.json. Also on that capture less the 200s answering bob's call
 * 1-14642's INVITE (frames chosen by tshark, cut with editcap): a call ended by BYE whose 2xx the capture missed
 * is in neither. Each dataset is made here with analyze --dataset.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REVOCATION_UDP, runCli } from '../cli/analysis-cli-helpers.js';

interface ExpectedCall {
  callId: string;
  owner: string;
  state: string;
  durationMs?: number;
}

const dir = mkdtempSync(join(tmpdir(), 'sipscope-durations-user-'));
const expectedCalls = (JSON.parse(readFileSync(`${REVOCATION_UDP}.analysis.expected.json`, 'utf8')) as { calls: ExpectedCall[] }).calls;

/** analyze's `durations` as the nearest rank over `calls` (their durationMs), null without any. */
function nearestRank(calls: ExpectedCall[]): Record<string, number | null> {
  const sorted = calls.map((call) => call.durationMs!).sort((a, b) => a - b);
  const rank = (p: number) => (sorted.length === 0 ? null : sorted[Math.ceil((p / 100) * sorted.length) - 1]);
  return { p50Ms: rank(50), p95Ms: rank(95), p99Ms: rank(99), maxMs: sorted.at(-1) ?? null, drainWindowMs: rank(99) };
}

async function datasetOf(capture: string, name: string): Promise<string> {
  const dataset = join(dir, name);
  const run = await runCli(['analyze', capture, '--dataset', dataset, '--host', 'sbc1']);
  expect(run.code, run.err).toBeLessThanOrEqual(1);
  return dataset;
}

async function queried(dataset: string, user: string, ...extra: string[]): Promise<Record<string, number | null>> {
  const run = await runCli(['query', dataset, '--durations', '--user', user, ...extra, '--json']);
  expect(run.code, run.err).toBe(0);
  const [row] = JSON.parse(run.out) as Array<Record<string, number | null>>;
  return { p50Ms: row.p50_ms, p95Ms: row.p95_ms, p99Ms: row.p99_ms, maxMs: row.max_ms, drainWindowMs: row.drain_window_ms, calls: row.calls };
}

async function analyzed(capture: string, user: string): Promise<Record<string, number | null>> {
  return JSON.parse((await runCli(['analyze', capture, '--json', '--user', user])).out).durations;
}

const completed = (call: ExpectedCall) => call.state === 'ended' || call.state === 'torn-down';

describe('query --durations --user and analyze --user', () => {
  it("give the same durations, those of the user's calls", async () => {
    const dataset = await datasetOf(REVOCATION_UDP, 'whole');
    for (const user of ['alice', 'bob']) {
      const calls = expectedCalls.filter((call) => call.owner === user && completed(call));
      expect(calls.length).toBeGreaterThan(0);
      const expected = nearestRank(calls);
      expect(await analyzed(REVOCATION_UDP, user)).toEqual(expected);
      expect(await queried(dataset, user)).toEqual({ ...expected, calls: calls.length });
      expect(await queried(dataset, user, '--by', 'host')).toEqual({ ...expected, calls: calls.length });
    }
    expect(await queried(dataset, 'nobody')).toEqual({ ...nearestRank([]), calls: 0 });
  });

  it('leave out a call ended by BYE whose 2xx the capture missed, both', async () => {
    const unanswered = '1-14642@127.0.0.21';
    const fields = (filter: string, ...names: string[]) =>
      execFileSync('tshark', ['-r', REVOCATION_UDP, '-Y', filter, '-T', 'fields', ...names.flatMap((name) => ['-e', name])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n').filter(Boolean).map((line) => line.split('\t'));
    const initial = new Set(fields(`sip.Method == "INVITE" && !sip.to.tag && sip.Call-ID == "${unanswered}"`, 'sip.CSeq.seq').map(([cseq]) => cseq));
    const answers = fields(`sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && sip.Call-ID == "${unanswered}"`, 'frame.number', 'sip.CSeq.seq').filter(([, cseq]) => initial.has(cseq));
    expect(answers).toHaveLength(2);
    const capture = join(dir, 'answer-missed.pcap');
    execFileSync('editcap', [REVOCATION_UDP, capture, ...answers.map(([frame]) => frame)]);
    const dataset = await datasetOf(capture, 'answer-missed');
    const calls = expectedCalls.filter((call) => call.owner === 'bob' && completed(call) && call.callId !== unanswered);
    expect(calls).toHaveLength(1);
    const expected = nearestRank(calls);
    expect(await analyzed(capture, 'bob')).toEqual(expected);
    expect(await queried(dataset, 'bob')).toEqual({ ...expected, calls: 1 });
  });
});
