/**
 * Where a dataset's files live: `DIR/TABLE/date=YYYY-MM-DD/host=NAME/part-HASH-NNNN.parquet`, hive-style, so DuckDB,
 * Spark and pyarrow read `date` and `host` from the path. HASH names the set of input files of the run that wrote
 * the part: a run on the same files (and host) replaces exactly the parts of the previous one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { DatasetError } from './errors.js';

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** A host name as it may stand in a directory name (`host=NAME`): letters, digits, dot, dash, underscore. */
export function checkHostName(host: string): string {
  if (!HOST_NAME.test(host)) {
    throw new DatasetError('bad-host-name', `--host ${JSON.stringify(host)}: use 1-63 letters, digits, '.', '-' or '_', starting with a letter or digit`);
  }
  return host;
}

/**
 * 12 hex digits naming a run's input files: the SHA-256 of their absolute paths, sorted. Standard input has no
 * name to repeat, so a run that reads '-' gets a random one and never replaces an earlier run.
 */
export function inputSetHash(inputs: readonly string[]): string {
  if (inputs.includes('-')) return randomBytes(6).toString('hex');
  const paths = inputs.map((input) => resolve(input)).sort();
  return createHash('sha256').update(JSON.stringify(paths)).digest('hex').slice(0, 12);
}

const DAY_US = 86_400_000_000;
let lastDay = NaN;
let lastDate = '';

/** `YYYY-MM-DD` (UTC) of a time in microseconds since the epoch (the last day's text is kept: rows come in order). */
export function utcDate(timeUs: number): string {
  const day = Math.floor(timeUs / DAY_US);
  if (day !== lastDay) {
    lastDay = day;
    lastDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
  }
  return lastDate;
}

export function partitionDir(table: string, date: string, host: string): string {
  return `${table}/date=${date}/host=${host}`;
}

export function partFileName(hash: string, sequence: number): string {
  return `part-${hash}-${String(sequence).padStart(4, '0')}.parquet`;
}

/** Does a file name belong to the run of this input set? */
export function isPartOf(fileName: string, hash: string): boolean {
  return fileName.startsWith(`part-${hash}-`) && fileName.endsWith('.parquet');
}
