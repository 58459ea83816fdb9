/**
 * Bad input around a dataset: foreign or corrupt files in it (reported by name and skipped, the answer unchanged),
 * SQL errors (DuckDB's message, exit 2), a target directory that cannot be written (a clear error before any
 * analysis), a missing dataset, a host name that cannot be a directory name.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { pcap } from '../capture/hostile-captures.mjs';
import { REVOCATION_UDP, runCli } from '../cli/analysis-cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-dataset-bad-'));
const clean = join(dir, 'clean');

beforeAll(async () => {
  const run = await runCli(['analyze', REVOCATION_UDP, '--dataset', clean, '--host', 'sbc1']);
  expect(run.code).toBe(1);
});

describe('query: foreign and corrupt files in the dataset', () => {
  it('names each one on stderr, leaves it out, and answers as over the clean dataset', async () => {
    const dirty = join(dir, 'dirty');
    cpSync(clean, dirty, { recursive: true });
    const partition = join(dirty, 'calls', 'date=2026-11-23', 'host=sbc1');
    writeFileSync(join(dirty, 'README.txt'), 'notes\n');
    writeFileSync(join(partition, 'notes.txt'), 'not parquet\n');
    writeFileSync(join(partition, 'corrupt.parquet'), Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 7), Buffer.from('PAR1')]));
    mkdirSync(join(dirty, 'calls', 'backup'));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT 1 AS a, 'x' AS b) TO '${join(partition, 'other-columns.parquet')}' (FORMAT parquet)`);
    instance.closeSync();

    const expected = await runCli(['query', clean, '--revocations', '--json']);
    expect(expected.err).toBe('');
    for (const question of [['--revocations'], ['--durations'], ['SELECT count(*) AS calls FROM calls']]) {
      const answer = await runCli(['query', dirty, ...question, '--json']);
      expect(answer.code).toBe(0);
      const cleanAnswer = await runCli(['query', clean, ...question, '--json']);
      expect(answer.out).toBe(cleanAnswer.out);
      expect(answer.err).toContain(`skipped ${join(dirty, 'README.txt')}: not a table of the dataset`);
      expect(answer.err).toContain(`skipped ${join(partition, 'notes.txt')}: not a Parquet file`);
      expect(answer.err).toMatch(new RegExp(`skipped ${join(partition, 'corrupt.parquet').replaceAll('.', '\\.')}: not a readable Parquet file`));
      expect(answer.err).toContain(`skipped ${join(partition, 'other-columns.parquet')}: its columns are not those of the calls table (a,b)`);
      expect(answer.err).toContain(`skipped ${join(dirty, 'calls', 'backup')}: not a date=... partition directory`);
    }
    expect(JSON.parse(expected.out)).toHaveLength(1);
  });
});

describe('query: errors', () => {
  it('an SQL error prints DuckDB\'s message and exits 2', async () => {
    const run = await runCli(['query', clean, 'SELECT no_such_column FROM calls']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^sipscope query: Binder Error: Referenced column "no_such_column" not found/);
    const syntax = await runCli(['query', clean, 'SELEKT 1']);
    expect(syntax.code).toBe(2);
    expect(syntax.err).toMatch(/Parser Error: syntax error at or near "SELEKT"/);
  });

  it('a missing dataset directory exits 2 and names it', async () => {
    const run = await runCli(['query', join(dir, 'nothing-here'), '--revocations']);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`cannot read the dataset ${join(dir, 'nothing-here')}`);
  });

  it('a directory holding no table of a dataset (empty, or the wrong one) exits 2 and says so', async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    for (const target of [empty, 'fixtures']) {
      const run = await runCli(['query', target, '--revocations']);
      expect(run.code).toBe(2);
      expect(run.err).toContain(`${target} is not a sipscope dataset: it has none of the table directories calls/`);
    }
  });

  it('the dataset of a capture without SIP is a dataset: its table directories exist, questions answer no rows', async () => {
    const quiet = join(dir, 'quiet');
    const capture = join(dir, 'no-sip.pcap');
    // a classic pcap file header (LINKTYPE_ETHERNET) and no packet
    writeFileSync(capture, pcap([]));
    expect((await runCli(['analyze', capture, '--dataset', quiet, '--host', 'sbc1'])).code).toBe(0);
    const run = await runCli(['query', quiet, '--revocations', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual([]);
  });

  it('no question and no SQL, or both: exit 2 with what to give', async () => {
    expect((await runCli(['query', clean])).err).toMatch(/give SQL or a question/);
    const empty = await runCli(['query', clean, '  ']);
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/^sipscope query: the SQL is empty/);
    expect((await runCli(['query', clean, 'SELECT 1', '--revocations'])).code).toBe(2);
  });
});

describe('analyze --dataset: a target that cannot be written', () => {
  it('a read-only directory: a clear error before the analysis starts (run as an unprivileged user)', () => {
    const readOnly = join(dir, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o555);
    chmodSync(dir, 0o755);
    // root writes anywhere: run the CLI as nobody, as a user without write permission would
    const run = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, 'bin/sipscope.js', 'analyze', REVOCATION_UDP, '--dataset', join(readOnly, 'ds'), '--json'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`sipscope analyze: cannot write the dataset in ${join(readOnly, 'ds')}: EACCES: permission denied`);
    expect(run.stderr).toContain('(nothing was analysed)');
    expect(run.stdout).toBe('');
  });

  it('a path through a regular file, and a bad host name: exit 2, nothing analysed', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const run = await runCli(['analyze', REVOCATION_UDP, '--dataset', join(file, 'ds'), '--json']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/cannot write the dataset in .*a-file\/ds: ENOTDIR/);
    expect(run.out).toBe('');
    // the file itself named as the dataset (it was "EEXIST: file already exists, mkdir")
    const itself = await runCli(['analyze', REVOCATION_UDP, '--dataset', file, '--json']);
    expect(itself.code).toBe(2);
    expect(itself.err).toBe(`sipscope analyze: dataset directory ${file} is not a directory (nothing was analysed)\n`);
    const host = await runCli(['analyze', REVOCATION_UDP, '--dataset', join(dir, 'ok'), '--host', '../etc']);
    expect(host.code).toBe(2);
    expect(host.err).toMatch(/--host "\.\.\/etc": use 1-63 letters/);
  });
});

describe('the test environment', () => {
  it('has setpriv (util-linux) for the read-only test', () => {
    expect(execFileSync('setpriv', ['--version'], { encoding: 'utf8' })).toMatch(/setpriv/);
  });
});
