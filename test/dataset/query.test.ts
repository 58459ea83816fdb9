/** `sipscope query`: the named questions' filters and output forms, on the revocation story's dataset. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REVOCATION_UDP, runCli } from '../cli/analysis-cli-helpers.js';

const dataset = join(mkdtempSync(join(tmpdir(), 'sipscope-query-')), 'ds');
const ALICE_CALLS = ['1-14594@127.0.0.11', '1-14693@127.0.0.12', '1-14795@127.0.0.13'];

async function json(...args: string[]): Promise<Array<Record<string, unknown>>> {
  const run = await runCli(['query', dataset, ...args, '--json']);
  expect(run.code, run.err).toBe(0);
  return JSON.parse(run.out) as Array<Record<string, unknown>>;
}

beforeAll(async () => {
  expect((await runCli(['analyze', REVOCATION_UDP, '--dataset', dataset, '--host', 'sbc1'])).code).toBe(1);
});

describe('sipscope query', () => {
  it('--user narrows a question to one username; alone it lists that user\'s calls', async () => {
    expect((await json('--revocations', '--user', 'alice')).map((row) => row.username)).toEqual(['alice']);
    expect(await json('--revocations', '--user', 'bob')).toEqual([]);
    expect((await json('--damaged-calls', '--user', 'alice')).map((row) => row.call_id).sort()).toEqual(ALICE_CALLS);
    expect((await json('--user', 'alice')).map((row) => row.call_id)).toEqual(ALICE_CALLS);
    expect((await json('--user', 'bob')).map((row) => row.call_id)).toEqual(['1-14642@127.0.0.21', '1-14736@127.0.0.22']);
  });

  it('--since/--until keep rows inside the window (a call by its start)', async () => {
    const late = await json('--damaged-calls', '--since', '2026-11-23T22:13:45Z');
    expect(late.map((row) => row.call_id)).toEqual(['1-14795@127.0.0.13']);
    // before the first 403 nothing was refused yet
    expect(await json('--revocations', '--until', '2026-11-23T22:13:51Z')).toEqual([]);
    const [durations] = await json('--durations', '--until', '2026-11-23T22:13:44Z');
    expect(durations.calls).toBe(3);
    const bad = await runCli(['query', dataset, '--revocations', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--since "yesterday" is not an ISO 8601 time/);
  });

  it('prints a table by default, CSV with --csv', async () => {
    const table = await runCli(['query', dataset, '--durations']);
    expect(table.out.split('\n')[0]).toMatch(/^calls\s+p50_ms\s+p95_ms\s+p99_ms\s+max_ms\s+drain_window_ms$/);
    expect(table.out).toMatch(/^5\s+9338\.137\s+17892\.064\s+17892\.064\s+17892\.064\s+17892\.064$/m);
    expect(table.out).toContain('(1 row)');
    const csv = await runCli(['query', dataset, 'SELECT call_id, files FROM calls ORDER BY start_time LIMIT 2', '--csv']);
    expect(csv.out.trimEnd().split('\r\n')).toEqual([
      'call_id,files',
      `1-14594@127.0.0.11,"[""${REVOCATION_UDP}""]"`,
      `1-14642@127.0.0.21,"[""${REVOCATION_UDP}""]"`,
    ]);
  });

  it('SQL sees date and host from the partition directories, and times as UTC timestamps', async () => {
    const [row] = await json(
      "SELECT host, date::VARCHAR AS day, typeof(time) AS time_type, min(time) AS first FROM messages GROUP BY ALL",
    );
    expect(row).toEqual({ host: 'sbc1', day: '2026-11-23', time_type: 'TIMESTAMP WITH TIME ZONE', first: '2026-11-23T22:13:38.065299Z' });
  });

  it('a time difference (INTERVAL) is a duration, not a 1970 timestamp: BYE minus INVITE as tshark times them', async () => {
    const callId = '1-14642@127.0.0.21';
    // tshark: capture times of the call's first INVITE and first BYE, microseconds
    const epochUs = (filter: string) => {
      const [seconds, fraction] = execFileSync('tshark', ['-r', REVOCATION_UDP, '-Y', `sip.Call-ID == "${callId}" && ${filter}`, '-T', 'fields', '-e', 'frame.time_epoch'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim().split('\n')[0].split('.');
      return Number(seconds) * 1e6 + Number(fraction.slice(0, 6));
    };
    const tookUs = epochUs('sip.Method == "BYE"') - epochUs('sip.Method == "INVITE"');
    expect(tookUs).toBeLessThan(60e6);
    const seconds = `00:00:${String(Math.floor(tookUs / 1e6)).padStart(2, '0')}.${String(tookUs % 1e6).padStart(6, '0')}`;
    const sql = `SELECT end_time - start_time AS took FROM calls WHERE call_id = '${callId}'`;
    expect(await json(sql)).toEqual([{ took: seconds }]);
    const table = await runCli(['query', dataset, sql]);
    expect(table.out.split('\n')[2]).toBe(seconds);
    expect(table.out).not.toContain('1970-');
    // a time of day is not a 1970 timestamp either
    expect(await json("SELECT TIME '22:13:42.461575' AS t, [INTERVAL 90 SECOND] AS l")).toEqual([{ t: '22:13:42.461575', l: ['00:01:30'] }]);
  });

  it('a BIGINT beyond 2^53 keeps every digit (as a string in --json), a safe one stays a number', async () => {
    const sql = 'SELECT 9007199254740993::BIGINT AS big, 42::BIGINT AS small, -9007199254740993::BIGINT AS negative';
    expect(await json(sql)).toEqual([{ big: '9007199254740993', small: 42, negative: '-9007199254740993' }]);
    const csv = await runCli(['query', dataset, sql, '--csv']);
    expect(csv.out.trimEnd().split('\r\n')[1]).toBe('9007199254740993,42,-9007199254740993');
  });
});
