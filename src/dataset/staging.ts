/**
 * Rows staged as CSV text on their way to Parquet. JavaScript builds one CSV line per row (cheap string work);
 * DuckDB reads each full chunk with its native CSV reader and writes the Parquet file on its own thread. Measured
 * here against DuckDB's Appender (one native call per value) and the pure-JS hyparquet-writer on 1.36M message rows:
 * see docs/dataset.md, "Why DuckDB writes the files".
 *
 * CSV rules (RFC 4180, as DuckDB reads them with quote = escape = '"'): null is an empty unquoted field, the empty
 * string is `""`, a value with a comma, quote or line break is quoted with quotes doubled. Lists travel as JSON text
 * and are cast back in SQL. NUL characters are dropped (no SIP header may hold one, RFC 3261 §25.1).
 */
import type { ColumnSpec } from './schema.js';

const NEEDS_QUOTES = /[",\r\n\0]/;

function text(value: string): string {
  if (value === '') return '""';
  if (!NEEDS_QUOTES.test(value)) return value;
  return '"' + value.replaceAll('\0', '').replaceAll('"', '""') + '"';
}

function field(value: unknown, column: ColumnSpec): string {
  if (value === null || value === undefined) return '';
  switch (column.type) {
    case 'VARCHAR':
      return text(value as string);
    case 'BIGINT[]':
      return '"[' + (value as number[]).join(',') + ']"';
    case 'VARCHAR[]':
      return text(JSON.stringify(value));
    default:
      return String(value);
  }
}

/** One CSV line (with its newline) of a row, columns in schema order. */
export function csvLine(row: object, columns: readonly ColumnSpec[]): string {
  const record = row as Record<string, unknown>;
  let line = field(record[columns[0].name], columns[0]);
  for (let i = 1; i < columns.length; i++) line += ',' + field(record[columns[i].name], columns[i]);
  return line + '\n';
}

/** The SQL that reads a staged chunk back with the table's types. */
export function stagedSelect(csvPath: string, columns: readonly ColumnSpec[]): string {
  const staged = columns.map((column) => `'${column.name}': '${stagedType(column)}'`).join(', ');
  const converted = columns.map((column) => `${convert(column)} AS "${column.name}"`).join(', ');
  return (
    `SELECT ${converted} FROM read_csv(${sqlString(csvPath)}, header = false, auto_detect = false, delim = ',', quote = '"', ` +
    `escape = '"', allow_quoted_nulls = false, columns = {${staged}})`
  );
}

function stagedType(column: ColumnSpec): string {
  if (column.type === 'TIMESTAMPTZ') return 'BIGINT';
  if (column.type.endsWith('[]')) return 'VARCHAR';
  return column.type;
}

function convert(column: ColumnSpec): string {
  const name = `"${column.name}"`;
  switch (column.type) {
    case 'TIMESTAMPTZ':
      return `make_timestamp(${name})::TIMESTAMPTZ`;
    case 'BIGINT[]':
      return `${name}::BIGINT[]`;
    case 'VARCHAR[]':
      return `${name}::JSON::VARCHAR[]`;
    default:
      return name;
  }
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** CSV text of one table and date, collected until it is written out as one Parquet file. */
export class StagedChunk {
  rows = 0;
  private readonly pieces: string[] = [];
  private pending = '';
  private bytes = 0;

  add(line: string): void {
    this.pending += line;
    this.rows++;
    // short strings are joined cheaply; long ones are kept as pieces (one flat string per ~16 KiB)
    if (this.pending.length > 16384) {
      this.pieces.push(this.pending);
      this.bytes += this.pending.length;
      this.pending = '';
    }
  }

  /** Characters staged so far (about the bytes of the CSV). */
  get size(): number {
    return this.bytes + this.pending.length;
  }

  /** The CSV text, for writing to the staging file. */
  take(): string[] {
    if (this.pending !== '') this.pieces.push(this.pending);
    return this.pieces;
  }
}
