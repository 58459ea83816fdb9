/**
 * The fleet promise of issue 16: `query` over the dataset of several hosts gives the revocation timeline and the
 * drain window that `analyze` gives for the same captures read as one (`analyze host1.pcap host2.pcap`).
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REVOCATION_UDP, runCli } from '../cli/analysis-cli-helpers.js';
import { splitByCallId } from './split-by-call.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-fleet-'));

interface AnalyzeJson {
  revocations: Array<{ username: string; lastSuccess: string; firstForbidden: string; activeCalls: string[]; damagedCalls: string[] }>;
  durations: { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null; maxMs: number | null; drainWindowMs: number | null };
}

async function analyzeJson(files: string[]): Promise<AnalyzeJson> {
  const run = await runCli(['analyze', ...files, '--json']);
  expect(run.code).toBeLessThan(2);
  return JSON.parse(run.out) as AnalyzeJson;
}

async function queryJson(dataset: string, ...args: string[]): Promise<Array<Record<string, unknown>>> {
  const run = await runCli(['query', dataset, ...args, '--json']);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.out) as Array<Record<string, unknown>>;
}

/** Writes one host's partition per capture, as one job per host would. */
async function writeDataset(dataset: string, perHost: Array<[string, string[]]>): Promise<void> {
  for (const [host, files] of perHost) {
    const run = await runCli(['analyze', ...files, '--dataset', dataset, '--host', host]);
    expect(run.code, run.err).toBeLessThan(2);
    expect(run.err).toContain(`(host ${host})`);
  }
}

async function expectSameAnswers(dataset: string, asOne: AnalyzeJson): Promise<Array<Record<string, unknown>>> {
  const revocations = await queryJson(dataset, '--revocations');
  expect(
    revocations.map((row) => ({
      username: row.username,
      lastSuccess: row.last_success,
      firstForbidden: row.first_forbidden,
      activeCalls: row.active_calls,
      damagedCalls: row.damaged_calls,
    })),
  ).toEqual(asOne.revocations);
  const [durations] = await queryJson(dataset, '--durations');
  expect({
    p50Ms: durations.p50_ms,
    p95Ms: durations.p95_ms,
    p99Ms: durations.p99_ms,
    maxMs: durations.max_ms,
    drainWindowMs: durations.drain_window_ms,
  }).toEqual(asOne.durations);
  return revocations;
}

describe('query over several hosts = analyze of the captures read as one', () => {
  it('revocation story split across two hosts: REGISTERs on sbc1, calls dealt two by two to sbc1 and sbc2', async () => {
    let calls = 0;
    const [host1, host2] = splitByCallId(REVOCATION_UDP, 2, dir, 'revocation', (_index, method) => (method === 'REGISTER' ? 0 : Math.floor(calls++ / 2) % 2));
    const dataset = join(dir, 'revocation-dataset');
    await writeDataset(dataset, [['sbc1', [host1]], ['sbc2', [host2]]]);
    const asOne = await analyzeJson([host1, host2]);
    // the pieces read as one are the capture: same answers as the unsplit file
    const whole = await analyzeJson([REVOCATION_UDP]);
    expect(asOne.revocations).toEqual(whole.revocations);
    expect(asOne.durations).toEqual(whole.durations);
    expect(asOne.revocations.length).toBe(1);
    const revocations = await expectSameAnswers(dataset, asOne);
    // the timeline really crosses hosts: alice's success and refusals and her damaged calls are on both
    expect(revocations[0].hosts).toEqual(['sbc1', 'sbc2']);
    // one host alone does not tell the same story
    const alone = [await analyzeJson([host1]), await analyzeJson([host2])];
    expect(alone.some((one) => JSON.stringify(one.revocations) !== JSON.stringify(asOne.revocations))).toBe(true);
  });

  for (const capture of ['fixtures/captures/recorded/trouble-udp.pcap', 'fixtures/captures/recorded/udp.pcap', 'fixtures/captures/public/sngrep/aaa.pcap']) {
    it(`${capture} split by Call-ID across three hosts: durations and drain window`, async () => {
      const name = capture.split('/').pop()!;
      const parts = splitByCallId(capture, 3, dir, name);
      const dataset = join(dir, `${name}-dataset`);
      await writeDataset(dataset, parts.map((part, index) => [`host${index + 1}`, [part]]));
      await expectSameAnswers(dataset, await analyzeJson(parts));
    });
  }

  it('the same traffic captured on two hosts (an SBC and a proxy): each call and each outcome counted once', async () => {
    const copy = join(dir, 'proxy-copy.pcap');
    copyFileSync(REVOCATION_UDP, copy);
    const dataset = join(dir, 'twice-dataset');
    await writeDataset(dataset, [['sbc', [REVOCATION_UDP]], ['proxy', [copy]]]);
    const asOne = await analyzeJson([REVOCATION_UDP, copy]);
    const once = await analyzeJson([REVOCATION_UDP]);
    expect({ revocations: asOne.revocations, durations: asOne.durations }).toEqual({ revocations: once.revocations, durations: once.durations });
    const revocations = await expectSameAnswers(dataset, asOne);
    expect(revocations[0].hosts).toEqual(['proxy', 'sbc']);
    const [{ calls }] = await queryJson(dataset, 'SELECT count(DISTINCT call_id) AS calls FROM calls');
    expect(calls).toBe(5);
  });

  it('--durations --by host: one row per host, each over that host\'s own calls', async () => {
    const parts = splitByCallId('fixtures/captures/recorded/trouble-udp.pcap', 2, dir, 'byhost');
    const dataset = join(dir, 'byhost-dataset');
    await writeDataset(dataset, [['a', [parts[0]]], ['b', [parts[1]]]]);
    const rows = await queryJson(dataset, '--durations', '--by', 'host');
    for (const [index, host] of ['a', 'b'].entries()) {
      const alone = await analyzeJson([parts[index]]);
      const row = rows.find((candidate) => candidate.host === host);
      expect(row ? { p50Ms: row.p50_ms, p99Ms: row.p99_ms, maxMs: row.max_ms } : { p50Ms: null, p99Ms: null, maxMs: null }).toEqual({
        p50Ms: alone.durations.p50Ms,
        p99Ms: alone.durations.p99Ms,
        maxMs: alone.durations.maxMs,
      });
    }
  });
});
