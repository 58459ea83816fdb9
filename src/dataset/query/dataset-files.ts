/**
 * Finding a dataset's Parquet files: `DIR/TABLE/date=YYYY-MM-DD/host=NAME/*.parquet` for each table. Anything
 * else under a table's directory (another file, a file that is not Parquet, a Parquet file with other columns) is
 * not part of the dataset: it is reported, named, and left out of the views, so one stray file cannot stop every
 * query. A run's hidden staging directory (a write in progress) is passed over silently.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from '../errors.js';
import { TABLE_NAMES, type TableName } from '../schema.js';

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface DatasetFiles {
  files: Record<TableName, string[]>;
  skipped: SkippedFile[];
}

const PARTITION = { date: /^date=\d{4}-\d{2}-\d{2}$/, host: /^host=[A-Za-z0-9][A-Za-z0-9._-]*$/ };

export function findDatasetFiles(directory: string): DatasetFiles {
  let top: string[];
  try {
    if (!statSync(directory).isDirectory()) throw new Error('not a directory');
    top = readdirSync(directory);
  } catch (error) {
    throw new DatasetError('dataset-missing', `cannot read the dataset ${directory}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const files = Object.fromEntries(TABLE_NAMES.map((table) => [table, [] as string[]])) as Record<TableName, string[]>;
  const skipped: SkippedFile[] = [];
  // a directory without a single table directory is no dataset at all (an empty one, or the wrong path)
  if (!top.some((entry) => (TABLE_NAMES as readonly string[]).includes(entry))) {
    throw new DatasetError('dataset-missing', `${directory} is not a sipscope dataset: it has none of the table directories ${TABLE_NAMES.map((table) => `${table}/`).join(', ')} (write one with: sipscope analyze CAPTURE --dataset ${directory})`);
  }
  for (const entry of top.sort()) {
    if (entry.startsWith('.')) continue;
    if (!(TABLE_NAMES as readonly string[]).includes(entry)) {
      skipped.push({ file: join(directory, entry), reason: 'not a table of the dataset' });
      continue;
    }
    walkPartitions(join(directory, entry), ['date', 'host'], files[entry as TableName], skipped);
  }
  return { files, skipped };
}

function walkPartitions(dir: string, levels: Array<'date' | 'host'>, found: string[], skipped: SkippedFile[]): void {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    const isDir = statSync(path).isDirectory();
    if (levels.length > 0) {
      if (isDir && PARTITION[levels[0]].test(entry)) walkPartitions(path, levels.slice(1), found, skipped);
      else skipped.push({ file: path, reason: `not a ${levels[0]}=... partition directory` });
    } else if (!isDir && entry.endsWith('.parquet')) {
      found.push(path);
    } else {
      skipped.push({ file: path, reason: 'not a Parquet file' });
    }
  }
}
