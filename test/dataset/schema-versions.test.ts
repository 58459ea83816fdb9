/**
 * A dataset whose Parquet files differ in their columns, as one written over runs of different sipscope versions
 * is: an older version's files lack the columns added since (and may hold them in another order), a later
 * version's may hold a column this one does not know. `query` reads every part by column name: a column a file
 * lacks is null in its rows, an unknown one is not in the view, no part is skipped and no value lands in another
 * column. Call-IDs expected are tshark's (the fixtures' *.analysis.expected.json).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { REVOCATION_UDP, runCli } from '../cli/analysis-cli-helpers.js';
import { TABLES } from '../../src/dataset/schema.js';

const IPV6 = 'fixtures/captures/recorded/ipv6.pcapng';
const tshark = (capture: string) => JSON.parse(readFileSync(`${capture}.analysis.expected.json`, 'utf8')) as { calls: Array<{ callId: string }> };

const dir = mkdtempSync(join(tmpdir(), 'sipscope-dataset-versions-'));
/** sbc1 as this version writes it; sbc2 alone, as this version writes it (what its rows must read as). */
const current = join(dir, 'current');
const sbc2Alone = join(dir, 'sbc2-alone');
/** sbc1 as written now, sbc2 rewritten as another version would have written it. */
const mixed = join(dir, 'mixed');
/** Columns of calls added after the first versions (38edcc1 added owner): an older writer's files lack them. */
const ADDED = ['owner', 'reinvite_failure_time'];

/** Rewrites every calls file of host=sbc2: without ADDED, its columns in reverse order, and a column a later version might add. */
async function rewriteAsOtherVersion(dataset: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let rewritten = 0;
  const kept = TABLES.calls.map((column) => column.name).filter((name) => !ADDED.includes(name)).reverse();
  for (const date of readdirSync(join(dataset, 'calls'))) {
    const partition = join(dataset, 'calls', date, 'host=sbc2');
    for (const file of readdirSync(partition)) {
      const path = join(partition, file);
      const columns = kept.map((name) => `"${name}"`).join(', ');
      await connection.run(`COPY (SELECT ${columns}, 'from a later version' AS later_column FROM read_parquet('${path}', hive_partitioning = false)) TO '${path}.tmp' (FORMAT parquet)`);
      renameSync(`${path}.tmp`, path);
      rewritten++;
    }
  }
  instance.closeSync();
  return rewritten;
}

async function rows(dataset: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const run = await runCli(['query', dataset, sql, '--json']);
  expect(run.code, run.err).toBe(0);
  expect(run.err).not.toContain('skipped');
  return JSON.parse(run.out) as Array<Record<string, unknown>>;
}

beforeAll(async () => {
  expect((await runCli(['analyze', REVOCATION_UDP, '--dataset', current, '--host', 'sbc1'])).code).toBe(1);
  expect((await runCli(['analyze', IPV6, '--dataset', sbc2Alone, '--host', 'sbc2'])).code).toBe(0);
  cpSync(current, mixed, { recursive: true });
  cpSync(sbc2Alone, mixed, { recursive: true });
  expect(await rewriteAsOtherVersion(mixed)).toBeGreaterThan(0);
});

describe('query over parts written by different versions', () => {
  it('reads every part: each host has all its calls (tshark\'s Call-IDs)', async () => {
    const calls = await rows(mixed, 'SELECT host, call_id FROM calls ORDER BY host, call_id');
    for (const [host, capture] of [['sbc1', REVOCATION_UDP], ['sbc2', IPV6]] as const) {
      const expected = tshark(capture).calls.map((call) => call.callId).sort();
      expect(calls.filter((row) => row.host === host).map((row) => row.call_id)).toEqual(expected);
    }
  });

  it('a column the older part lacks is null in its rows; every other column holds its own value, not a neighbour\'s', async () => {
    const columns = TABLES.calls.map((column) => `"${column.name}"`).join(', ');
    const sql = `SELECT ${columns} FROM calls WHERE host = 'sbc2' ORDER BY call_id`;
    const written = await rows(sbc2Alone, sql);
    const read = await rows(mixed, sql);
    expect(written.length).toBeGreaterThan(0);
    expect(read).toEqual(written.map((row) => ({ ...row, ...Object.fromEntries(ADDED.map((name) => [name, null])) })));
    // the newer part keeps them
    const owners = await rows(mixed, `SELECT count(owner) AS owners, count(*) AS calls FROM calls WHERE host = 'sbc1'`);
    expect(owners[0].owners).toBe(owners[0].calls);
  });

  it('the view has the table\'s columns in order, a later version\'s column left out', async () => {
    const described = await rows(mixed, 'DESCRIBE calls');
    expect(described.map((row) => row.column_name)).toEqual([...TABLES.calls.map((column) => column.name), 'date', 'host']);
  });

  it('the named questions answer over the older part too', async () => {
    const [durations] = await rows(mixed, 'SELECT count(*) AS calls FROM calls WHERE duration_ms IS NOT NULL');
    const [alone] = await rows(sbc2Alone, 'SELECT count(*) AS calls FROM calls WHERE duration_ms IS NOT NULL');
    const [sbc1] = await rows(current, 'SELECT count(*) AS calls FROM calls WHERE duration_ms IS NOT NULL');
    expect(durations.calls).toBe(Number(alone.calls) + Number(sbc1.calls));
    const question = await runCli(['query', mixed, '--durations', '--json']);
    expect(question.code, question.err).toBe(0);
    expect(JSON.parse(question.out)[0].calls).toBe(durations.calls);
  });
});
