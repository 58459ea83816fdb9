/**
 * An embedded DuckDB over a dataset: each table is a view over its Parquet files (read_parquet with hive
 * partitioning, so `date` and `host` come from the path). Files whose footer cannot be read or that are no part of
 * the table (without its partition time column) are reported and left out (dataset-files.ts).
 *
 * The files of one table may differ in their columns: a dataset grows over runs of different sipscope versions, and
 * a column added since is missing from the older files. They are read by column name (union_by_name): a column a
 * file lacks is null in its rows, a column the table does not have (a later version's) is not in the view. Read
 * by the first file's columns instead, DuckDB failed on a later file without one of them and dropped a later
 * file's columns the first lacked.
 */
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DatasetError } from '../errors.js';
import { PARTITION_TIME, TABLE_NAMES, TABLES, type TableName } from '../schema.js';
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
    const columnsByFile = await readColumns(connection, TABLE_NAMES.flatMap((table) => files[table]), skipped);
    const counts = {} as Record<TableName, number>;
    for (const table of TABLE_NAMES) {
      const usable: string[] = [];
      // the table's columns that at least one usable file has: the others are null in every row
      const present = new Set<string>();
      for (const file of files[table]) {
        const columns = columnsByFile.get(file);
        if (columns === undefined) continue;
        if (columns.includes(PARTITION_TIME[table])) {
          usable.push(file);
          for (const name of columns) present.add(name);
        } else {
          skipped.push({ file, reason: `its columns are not those of the ${table} table (${columns.join(',') || 'none'}): it has no ${PARTITION_TIME[table]}` });
        }
      }
      counts[table] = usable.length;
      await connection.run(`CREATE VIEW ${table} AS ${viewSelect(table, usable, present)}`);
    }
    return new DatasetConnection(instance, connection, skipped, counts);
  }

  /** Runs SQL; the last statement's rows are returned. DuckDB's own message on error (code sql-error). */
  async query(sql: string): Promise<QueryResult> {
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: toPlainRows(reader.columnNames(), reader.columnTypes().map(String), reader.getRows()) };
    } catch (error) {
      throw new DatasetError('sql-error', error instanceof Error ? error.message : String(error));
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/**
 * The columns of each file whose footer DuckDB reads: one parquet_schema() over all files (the usual case: all
 * good); only when that fails is each file read on its own, to name the bad one. A column is a schema element
 * with a type or a LIST: the root and a list's inner `list`/`element` nodes are not columns.
 */
async function readColumns(connection: DuckDBConnection, files: string[], skipped: SkippedFile[]): Promise<Map<string, string[]>> {
  if (files.length === 0) return new Map();
  try {
    return await columnsOf(connection, files);
  } catch {
    const columns = new Map<string, string[]>();
    for (const file of files) {
      try {
        columns.set(file, (await columnsOf(connection, [file])).get(file) ?? []);
      } catch (error) {
        skipped.push({ file, reason: `not a readable Parquet file: ${firstLine(error)}` });
      }
    }
    return columns;
  }
}

async function columnsOf(connection: DuckDBConnection, files: string[]): Promise<Map<string, string[]>> {
  const reader = await connection.runAndReadAll(
    `SELECT file_name, list_sort(list(name) FILTER (WHERE name NOT IN ('list', 'element') AND NOT (type IS NULL AND converted_type IS NULL))) ` +
      `FROM parquet_schema([${files.map(sqlString).join(', ')}]) GROUP BY file_name`,
  );
  const result = new Map<string, string[]>();
  for (const [file, names] of reader.getRowsJS() as Array<[string, string[] | null]>) result.set(file, names ?? []);
  return result;
}

/**
 * The table's columns in its order and types (schema.ts), then `date` and `host` from the partition path. Read by
 * name over files that may differ in their columns (union_by_name): a column none of the files has is a typed null.
 */
function viewSelect(table: TableName, files: string[], present: ReadonlySet<string>): string {
  const partitions = files.length === 0 ? `NULL::DATE AS "date", NULL::VARCHAR AS host` : `"date", host`;
  const columns = TABLES[table].map((column) =>
    present.has(column.name) ? `CAST("${column.name}" AS ${column.type}) AS "${column.name}"` : `NULL::${column.type} AS "${column.name}"`,
  );
  const select = `SELECT ${[...columns, partitions].join(', ')}`;
  if (files.length === 0) return `${select} WHERE false`;
  const list = files.map(sqlString).join(', ');
  return `${select} FROM read_parquet([${list}], hive_partitioning = true, hive_types = {'date': DATE, 'host': VARCHAR}, union_by_name = true)`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
