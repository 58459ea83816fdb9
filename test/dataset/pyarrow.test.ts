/**
 * Another reader than DuckDB: pyarrow (Apache Arrow's Parquet implementation) reads every file of a dataset and
 * the whole dataset with hive partitioning; the types are the documented ones (docs/dataset.md) and the row
 * counts are the writer's. pyarrow comes from pip (.ci/run installs it); without it this test is skipped and says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLES, type ColumnType } from '../../src/dataset/index.js';
import { REVOCATION_UDP, runCli } from '../cli/analysis-cli-helpers.js';
import { splitByCallId } from './split-by-call.js';

const hasPyarrow = spawnSync('python3', ['-c', 'import pyarrow'], { stdio: 'ignore' }).status === 0;

/** How pyarrow names each documented type. */
const ARROW_TYPE: Record<ColumnType, string> = {
  TIMESTAMPTZ: 'timestamp[us, tz=UTC]',
  VARCHAR: 'string',
  BIGINT: 'int64',
  INTEGER: 'int32',
  DOUBLE: 'double',
  BOOLEAN: 'bool',
  'BIGINT[]': 'list<element: int64>',
  'VARCHAR[]': 'list<element: string>',
};

interface PyarrowReport {
  files: Record<string, { table: keyof typeof TABLES; rows: number; columns: Array<[string, string]> }>;
  tables: Record<string, { rows: number; hosts: string[] }>;
}

describe.skipIf(!hasPyarrow)('pyarrow reads the dataset', () => {
  it('every file, with the documented types, and the whole dataset with its hive partitions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-pyarrow-'));
    const dataset = join(dir, 'ds');
    const parts = splitByCallId(REVOCATION_UDP, 2, dir, 'revocation');
    const written: Record<string, number> = {};
    for (const [index, part] of parts.entries()) {
      const run = await runCli(['analyze', part, '--dataset', dataset, '--host', `sbc${index + 1}`]);
      for (const [, count, table] of run.err.matchAll(/(\d+) (calls|findings|messages|registrations|outcomes)/g)) {
        written[table] = (written[table] ?? 0) + Number(count);
      }
    }
    const report = JSON.parse(execFileSync('python3', ['test/dataset/read_with_pyarrow.py', dataset], { encoding: 'utf8' })) as PyarrowReport;
    const files = Object.values(report.files);
    expect(files.length).toBe(10);
    for (const file of files) {
      expect(file.columns).toEqual(TABLES[file.table].map((column) => [column.name, ARROW_TYPE[column.type]]));
    }
    for (const [table, count] of Object.entries(written)) {
      expect(report.tables[table]).toEqual({ rows: count, hosts: ['sbc1', 'sbc2'] });
    }
    expect(report.tables.messages.rows).toBe(240);
  });
});
