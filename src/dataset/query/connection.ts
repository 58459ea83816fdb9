/**
 * An embedded DuckDB over a dataset: each table is a view over its Parquet files (read_parquet with hive
 * partitioning, so `date` and `host` come from the path). Files whose footer cannot be read or whose columns are
 * not the table's are reported and left out (dataset-files.ts).
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DatasetError } from '../errors.js';
import { TABLE_NAMES, TABLES, type TableName } from '../schema.js';
import { sqlString } from '../staging.js';
import { findDatasetFiles, type SkippedFile } from './dataset-files.js';
import { toPlainRows, type PlainRow } from './values.js';

export interface QueryResult {
  columns: string[];
  rows: PlainRow[];
}

export class DatasetConnection {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Files left out of the views, each with why. */
    readonly skipped: SkippedFile[],
    readonly fileCounts: Record<TableName, number>,
  ) {}

  static async open(directory: string): Promise<DatasetConnection> {
    const { files, skipped } = findDatasetFiles(directory);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    const counts = {} as Record<TableName, number>;
    for (const table of TABLE_NAMES) {
      const usable = await usableFiles(connection, table, files[table], skipped);
      counts[table] = usable.length;
      await connection.run(`CREATE VIEW ${table} AS ${viewSelect(table, usable)}`);
    }
    return new DatasetConnection(instance, connection, skipped, counts);
  }

  /** Runs SQL; the last statement's rows are returned. DuckDB's own message on error (code sql-error). */
  async query(sql: string): Promise<QueryResult> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: toPlainRows(reader.columnNames(), reader.getRows()) };
    } catch (error) {
      throw new DatasetError('sql-error', error instanceof Error ? error.message : String(error));
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Every column the files of a table must have, by name. */
function expectedColumns(table: TableName): string {
  return TABLES[table].map((column) => column.name).sort().join(',');
}

/**
 * The files whose footer DuckDB reads and whose top-level columns are the table's. One parquet_schema() over all
 * files first (the usual case: all good); only when that fails is each file read on its own to name the bad one.
 */
async function usableFiles(connection: DuckDBConnection, table: TableName, files: string[], skipped: SkippedFile[]): Promise<string[]> {
  if (files.length === 0) return [];
  let columnsByFile: Map<string, string>;
  try {
    columnsByFile = await topLevelColumns(connection, files);
  } catch {
    columnsByFile = new Map();
    for (const file of files) {
      try {
        columnsByFile.set(file, (await topLevelColumns(connection, [file])).get(file) ?? '');
      } catch (error) {
        skipped.push({ file, reason: `not a readable Parquet file: ${firstLine(error)}` });
      }
    }
  }
  const expected = expectedColumns(table);
  const usable: string[] = [];
  for (const file of files) {
    const columns = columnsByFile.get(file);
    if (columns === undefined) continue;
    if (columns === expected) usable.push(file);
    else skipped.push({ file, reason: `its columns are not those of the ${table} table (${columns || 'none'})` });
  }
  return usable;
}

async function topLevelColumns(connection: DuckDBConnection, files: string[]): Promise<Map<string, string>> {
  // top-level fields are the schema root's children: a LIST column's inner `list`/`element` nodes are skipped by
  // walking the tree (num_children) in file order
  const reader = await connection.runAndReadAll(
    `SELECT file_name, list(name ORDER BY rn) AS names, list(num_children ORDER BY rn) AS kids FROM ` +
      `(SELECT *, row_number() OVER () AS rn FROM parquet_schema([${files.map(sqlString).join(', ')}])) GROUP BY file_name`,
  );
  const result = new Map<string, string>();
  for (const [file, names, kids] of reader.getRowsJS() as Array<[string, string[], Array<number | bigint | null>]>) {
    result.set(file, rootChildren(names, kids.map((kid) => Number(kid ?? 0))).sort().join(','));
  }
  return result;
}

/** Names of the root's direct children in a flattened (depth-first) Parquet schema. */
function rootChildren(names: string[], kids: number[]): string[] {
  const children: string[] = [];
  let index = 1;
  const skipSubtree = (at: number): number => {
    let next = at + 1;
    for (let k = 0; k < kids[at]; k++) next = skipSubtree(next);
    return next;
  };
  for (let child = 0; child < kids[0] && index < names.length; child++) {
    children.push(names[index]);
    index = skipSubtree(index);
  }
  return children;
}

function viewSelect(table: TableName, files: string[]): string {
  if (files.length === 0) {
    const columns = TABLES[table].map((column) => `NULL::${column.type} AS "${column.name}"`).join(', ');
    return `SELECT ${columns}, NULL::DATE AS "date", NULL::VARCHAR AS host WHERE false`;
  }
  const list = files.map(sqlString).join(', ');
  return `SELECT * FROM read_parquet([${list}], hive_partitioning = true, hive_types = {'date': DATE, 'host': VARCHAR})`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
