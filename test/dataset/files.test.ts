/**
 * The files of a dataset: DuckDB's parquet_schema()/parquet_metadata() read every one, the types are those of
 * schema.ts (docs/dataset.md), times are microsecond UTC timestamps, the hive layout holds, a re-run replaces its
 * own files, and row groups are written as they fill.
 */
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analysis/index.js';
import { AnalysisRows, openParquetDataset, TABLE_NAMES, TABLES } from '../../src/dataset/index.js';
import { REVOCATION_UDP, runCli } from '../cli/analysis-cli-helpers.js';
import expected from '../../fixtures/captures/recorded/revocation-udp.pcap.expected.json' with { type: 'json' };

const dir = mkdtempSync(join(tmpdir(), 'sipscope-dataset-files-'));
const dataset = join(dir, 'ds');

function parquetFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((entry) => entry.endsWith('.parquet'))
    .map((entry) => join(root, entry))
    .sort();
}

let instance: DuckDBInstance;
async function rows(sql: string): Promise<Array<Record<string, unknown>>> {
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
  }
}

/** DuckDB's name of each documented type, as DESCRIBE shows it. */
const DUCKDB_TYPE: Record<string, string> = { TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE' };

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const run = await runCli(['analyze', REVOCATION_UDP, '--dataset', dataset, '--host', 'sbc1']);
  expect(run.code).toBe(1); // the capture has error findings; the dataset is written all the same
});
afterAll(() => instance.closeSync());

describe('dataset files', () => {
  it('lays out TABLE/date=YYYY-MM-DD/host=NAME/part-HASH-NNNN.parquet for every table', () => {
    const files = parquetFiles(dataset).map((file) => relative(dataset, file));
    expect(files.map((file) => file.split('/')[0]).sort()).toEqual([...TABLE_NAMES].sort());
    for (const file of files) expect(file).toMatch(/^[a-z]+\/date=2026-11-23\/host=sbc1\/part-[0-9a-f]{12}-\d{4}\.parquet$/);
  });

  it('parquet_metadata() and parquet_schema() read every file; types are as documented', async () => {
    for (const file of parquetFiles(dataset)) {
      const table = relative(dataset, file).split('/')[0] as (typeof TABLE_NAMES)[number];
      const metadata = await rows(`SELECT row_group_id, row_group_num_rows FROM parquet_metadata('${file}')`);
      expect(metadata.length).toBeGreaterThan(0);
      const schema = await rows(`SELECT name, type, logical_type FROM parquet_schema('${file}')`);
      for (const column of TABLES[table].filter((spec) => spec.type === 'TIMESTAMPTZ')) {
        const leaf = schema.find((entry) => entry.name === column.name)!;
        expect(leaf.type).toBe('INT64');
        expect(String(leaf.logical_type)).toMatch(/TimestampType\(isAdjustedToUTC=1, unit=TimeUnit\(MILLIS=<null>, MICROS=MicroSeconds\(\)/);
      }
      const described = await rows(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`);
      expect(described.map((entry) => [entry.column_name, entry.column_type])).toEqual(
        TABLES[table].map((column) => [column.name, DUCKDB_TYPE[column.type] ?? column.type]),
      );
    }
  });

  it('messages: one row per SIP message (tshark counts 240), with times in microseconds UTC', async () => {
    const [counts] = await rows(
      `SELECT count(*) AS n, count(*) FILTER (WHERE method IS NOT NULL) AS requests, min(epoch_us(time)) AS first_us, ` +
        `list(DISTINCT host) AS hosts FROM read_parquet('${dataset}/messages/*/*/*.parquet', hive_partitioning = true)`,
    );
    expect(Number(counts.n)).toBe(expected.sipMessages);
    expect(Number(counts.requests)).toBe(Object.values(expected.requests).reduce((sum, count) => sum + count, 0));
    expect(counts.hosts).toEqual(['sbc1']);
    // the first frame's capture time as tshark gives it: 2026-11-23 22:13:38.065299 UTC
    expect(Number(counts.first_us)).toBe(Date.UTC(2026, 10, 23, 22, 13, 38) * 1000 + 65299);
  });

  it('a re-run on the same files replaces its files: no row is added twice', async () => {
    const before = parquetFiles(dataset).map((file) => relative(dataset, file));
    const run = await runCli(['analyze', REVOCATION_UDP, '--dataset', dataset, '--host', 'sbc1']);
    expect(run.err).toMatch(/replaced 5 files of an earlier run on the same files/);
    expect(parquetFiles(dataset).map((file) => relative(dataset, file))).toEqual(before);
    const [{ n }] = await rows(`SELECT count(*) AS n FROM read_parquet('${dataset}/messages/*/*/*.parquet')`);
    expect(Number(n)).toBe(expected.sipMessages);
    // another set of files (or another host) adds its own parts beside them
    const copy = join(dir, 'other.pcap');
    copyFileSync(REVOCATION_UDP, copy);
    await runCli(['analyze', copy, '--dataset', dataset, '--host', 'sbc1']);
    const [{ m }] = await rows(`SELECT count(*) AS m FROM read_parquet('${dataset}/messages/*/*/*.parquet')`);
    expect(Number(m)).toBe(2 * expected.sipMessages);
  });

  it('analyze prints the same --json, --jsonl and text with --dataset as without it', async () => {
    for (const form of [['--json'], ['--jsonl'], []]) {
      const plain = await runCli(['analyze', REVOCATION_UDP, ...form]);
      const withDataset = await runCli(['analyze', REVOCATION_UDP, ...form, '--dataset', join(dir, `same-${form.join('') || 'text'}`), '--host', 'x']);
      expect(withDataset.code).toBe(plain.code);
      expect(withDataset.out).toBe(plain.out);
    }
  });

  it('row groups are flushed as they fill: with 50 rows per file, 240 messages make 5 files of at most 50 rows', async () => {
    const small = join(dir, 'small');
    const writer = await openParquetDataset({ directory: small, host: 'h', inputs: [REVOCATION_UDP], rowsPerFile: 50 });
    const adapter = new AnalysisRows(writer);
    let current: Parameters<AnalysisRows['message']>[0] | undefined;
    const result = await analyzeCaptures([REVOCATION_UDP], {
      payload: (payload) => (current = payload),
      observer: (observed, retransmission) => adapter.message(current!, observed, retransmission),
    });
    adapter.finish(result);
    const summary = await writer.close();
    expect(summary.rows.messages).toBe(240);
    const files = parquetFiles(join(small, 'messages'));
    expect(files.length).toBe(5);
    const groups = await rows(`SELECT DISTINCT file_name, row_group_id, row_group_num_rows AS n FROM parquet_metadata([${files.map((file) => `'${file}'`).join(', ')}])`);
    expect(groups.every((group) => Number(group.n) <= 50)).toBe(true);
    expect(groups.reduce((sum, group) => sum + Number(group.n), 0)).toBe(240);
  });
});
