/**
 * The Parquet sink: rows in, hive-partitioned Parquet files out (layout.ts), written by DuckDB embedded.
 *
 * Rows are staged per table and UTC date as CSV text (staging.ts). When a chunk holds `rowsPerFile` rows it is
 * written to a staging file and DuckDB turns it into one Parquet file on its own thread while the analysis goes
 * on; so memory holds at most one chunk per table and date (row groups are flushed as they fill), and the file
 * writes overlap the analysis. Everything is written under a hidden staging directory inside the dataset; close()
 * then removes the parts an earlier run on the same input files wrote for this host and moves the new ones in, so
 * a re-run replaces its rows instead of adding them again, and a failed run leaves the dataset as it was.
 */
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DatasetError } from './errors.js';
import { checkHostName, inputSetHash, isPartOf, partFileName, partitionDir, utcDate } from './layout.js';
import type { CallRow, FindingRow, MessageRow, OutcomeRow, RegistrationRow } from './rows.js';
import { TABLE_NAMES, TABLES, type TableName } from './schema.js';
import type { DatasetSink, DatasetWriteSummary } from './sink.js';
import { csvLine, messageCsvLine, sqlString, StagedChunk, stagedSelect } from './staging.js';

export interface ParquetDatasetOptions {
  directory: string;
  host: string;
  /** The capture files of the run (named in the part files' hash). */
  inputs: readonly string[];
  /** Rows per Parquet file (one row group each); default 122,880 (DuckDB's row group size). */
  rowsPerFile?: number;
  /** Staged bytes that also flush a chunk (long rows); default 48 MiB. */
  maxChunkChars?: number;
}

const DEFAULT_ROWS_PER_FILE = 122_880;
const DEFAULT_MAX_CHUNK_CHARS = 48 * 1024 * 1024;
const STAGING_PREFIX = '.sipscope-staging-';

/**
 * Opens a dataset directory for writing: creates it if needed and proves it writable (a staging directory is
 * made in it) before any analysis starts.
 */
export async function openParquetDataset(options: ParquetDatasetOptions): Promise<ParquetDatasetWriter> {
  const host = checkHostName(options.host);
  const staging = makeStagingDir(options.directory);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  // one thread: the other core stays with the analysis; the memory limit bounds DuckDB's buffers
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '128MB', preserve_insertion_order: 'true' });
  const connection = await instance.connect();
  await connection.run(`SET TimeZone = 'UTC'`);
  return new ParquetDatasetWriter(options, host, staging, connection, () => instance.closeSync());
}

function makeStagingDir(directory: string): string {
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    // a recursive mkdir fails with EEXIST only where a file stands at the path itself (a file on the way: ENOTDIR)
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new DatasetError('dataset-not-a-directory', `dataset directory ${directory} is not a directory (nothing was analysed)`);
    }
    throw notWritable(directory, error);
  }
  try {
    return mkdtempSync(join(directory, STAGING_PREFIX));
  } catch (error) {
    throw notWritable(directory, error);
  }
}

function notWritable(directory: string, error: unknown): DatasetError {
  const reason = error instanceof Error ? error.message : String(error);
  return new DatasetError('dataset-not-writable', `cannot write the dataset in ${directory}: ${reason} (nothing was analysed)`);
}

interface ChunkKey {
  table: TableName;
  date: string;
  /** Number of the chunk in this run: names its staging file and its part file. */
  sequence: number;
}

interface ChunkEntry {
  key: ChunkKey;
  chunk: StagedChunk;
}

export class ParquetDatasetWriter implements DatasetSink {
  private readonly chunks = new Map<string, ChunkEntry>();
  private readonly latest: Partial<Record<TableName, ChunkEntry>> = {};
  private readonly rowCounts: Record<string, number> = Object.fromEntries(TABLE_NAMES.map((table) => [table, 0]));
  private readonly written: string[] = [];
  private readonly hash: string;
  private readonly rowsPerFile: number;
  private readonly maxChunkChars: number;
  private sequence = 0;
  private writes: Promise<void> = Promise.resolve();
  private failure?: unknown;
  private closed = false;

  constructor(
    private readonly options: ParquetDatasetOptions,
    private readonly host: string,
    private readonly staging: string,
    private readonly connection: DuckDBConnection,
    private readonly closeEngine: () => void,
  ) {
    this.hash = inputSetHash(options.inputs);
    this.rowsPerFile = options.rowsPerFile ?? DEFAULT_ROWS_PER_FILE;
    this.maxChunkChars = options.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS;
  }

  message(row: MessageRow): void {
    this.stage('messages', messageCsvLine(row), row.time);
  }

  call(row: CallRow): void {
    this.add('calls', row, row.start_time);
  }

  finding(row: FindingRow): void {
    this.add('findings', row, row.time);
  }

  registration(row: RegistrationRow): void {
    this.add('registrations', row, row.time);
  }

  outcome(row: OutcomeRow): void {
    this.add('outcomes', row, row.time);
  }

  async close(): Promise<DatasetWriteSummary> {
    if (this.closed) throw new Error('dataset writer already closed');
    this.closed = true;
    for (const entry of this.chunks.values()) this.flush(entry.key, entry.chunk);
    this.chunks.clear();
    try {
      await this.writes;
      if (this.failure !== undefined) throw this.failure;
      const replaced = this.publish();
      return { directory: this.options.directory, host: this.host, rows: { ...this.rowCounts }, files: [...this.written].sort(), replaced };
    } finally {
      this.closeEngine();
      rmSync(this.staging, { recursive: true, force: true });
    }
  }

  async abort(): Promise<void> {
    this.closed = true;
    for (const entry of this.chunks.values()) entry.chunk.finish();
    this.chunks.clear();
    await this.writes.catch(() => undefined);
    this.closeEngine();
    rmSync(this.staging, { recursive: true, force: true });
  }

  private add(table: TableName, row: object, timeUs: number): void {
    this.stage(table, csvLine(row, TABLES[table]), timeUs);
  }

  private stage(table: TableName, line: string, timeUs: number): void {
    if (this.closed) throw new Error('dataset writer already closed');
    const date = utcDate(timeUs);
    // rows come in time order: the table's last chunk is nearly always the one
    let entry = this.latest[table];
    if (entry === undefined || entry.key.date !== date) {
      // a new day: the table's previous day is written out (a late row of it starts a small part of its own)
      if (entry !== undefined && date > entry.key.date) this.retire(entry);
      const id = `${table} ${date}`;
      entry = this.chunks.get(id);
      if (!entry) {
        const sequence = ++this.sequence;
        entry = { key: { table, date, sequence }, chunk: new StagedChunk(join(this.staging, `${table}-${sequence}.csv`)) };
        this.chunks.set(id, entry);
      }
      this.latest[table] = entry;
    }
    entry.chunk.add(line);
    this.rowCounts[table]++;
    if (entry.chunk.rows >= this.rowsPerFile || entry.chunk.size >= this.maxChunkChars) this.retire(entry);
  }

  private retire(entry: ChunkEntry): void {
    this.flush(entry.key, entry.chunk);
    this.chunks.delete(`${entry.key.table} ${entry.key.date}`);
    if (this.latest[entry.key.table] === entry) this.latest[entry.key.table] = undefined;
  }

  /** Closes the chunk's CSV file and queues its conversion to Parquet (one at a time, on DuckDB's thread). */
  private flush(key: ChunkKey, chunk: StagedChunk): void {
    chunk.finish();
    const csvPath = chunk.path;
    const relativeDir = partitionDir(key.table, key.date, this.host);
    const target = join(relativeDir, partFileName(this.hash, key.sequence));
    mkdirSync(join(this.staging, relativeDir), { recursive: true });
    const sql =
      `COPY (${stagedSelect(csvPath, TABLES[key.table])}) TO ${sqlString(join(this.staging, target))} ` +
      `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${this.rowsPerFile})`;
    this.writes = this.writes.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.connection.run(sql);
        this.written.push(target);
      } catch (error) {
        this.failure = new DatasetError('parquet-write-failed', `writing ${target}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        unlinkSync(csvPath);
      }
    });
  }

  /** Removes this host's parts of an earlier run on the same inputs, then moves the new parts in. */
  private publish(): number {
    const root = this.options.directory;
    let replaced = 0;
    for (const table of TABLE_NAMES) {
      for (const dateDir of listDir(join(root, table))) {
        if (!dateDir.startsWith('date=')) continue;
        const hostDir = join(root, table, dateDir, `host=${this.host}`);
        for (const file of listDir(hostDir)) {
          if (!isPartOf(file, this.hash)) continue;
          unlinkSync(join(hostDir, file));
          replaced++;
        }
      }
    }
    for (const target of this.written) {
      mkdirSync(join(root, target, '..'), { recursive: true });
      renameSync(join(this.staging, target), join(root, target));
    }
    // every table has its directory, rows or not: what tells a dataset (maybe of a quiet capture) from a wrong path
    for (const table of TABLE_NAMES) mkdirSync(join(root, table), { recursive: true });
    return replaced;
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
