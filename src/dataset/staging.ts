/**
 * Rows staged as CSV text on their way to Parquet. JavaScript builds one CSV line per row (cheap string work);
 * DuckDB reads each full chunk with its native CSV reader and writes the Parquet file on its own thread. Measured
 * here against DuckDB's Appender (one native call per value) and the pure-JS hyparquet-writer on 1.36M message rows:
 * see docs/dataset.md, "Why DuckDB writes the files".
 *
 * CSV rules (RFC 4180, as DuckDB reads them with quote = escape = '"'): null is an empty unquoted field, the empty
 * string is `""`, a value with a comma, quote or line break is quoted with quotes doubled. Lists travel as JSON text
 * and are cast back in SQL. NUL characters are dropped (no SIP header may hold one, RFC 3261 §25.1). Lines end
 * with LF alone and DuckDB is told so (`new_line`): left to guess, its parser stops with "The CSV Parser state
 * machine reached an invalid state" at a quoted value holding a bare CR (a hostile display name), and the whole
 * dataset run failed.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { MessageRow } from './rows.js';
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

/**
 * csvLine for the messages table, written out: it runs once per SIP message, the hot path of a dataset run.
 * Column order as TABLES.messages (a test checks both give the same line).
 */
export function messageCsvLine(row: MessageRow): string {
  return (
    `${row.time},${text(row.file)},${row.packet},${text(row.src_ip)},${row.src_port},${text(row.dst_ip)},${row.dst_port},` +
    `${row.transport},${row.method === null ? '' : text(row.method)},${row.status ?? ''},${text(row.call_id)},` +
    `${row.cseq_number},${text(row.cseq_method)},${nullable(row.from_user)},${nullable(row.to_user)},${nullable(row.auth_user)},` +
    `${nullable(row.user_agent)},${nullable(row.server)},${row.retransmission}\n`
  );
}

function nullable(value: string | null): string {
  return value === null ? '' : text(value);
}

/** The SQL that reads a staged chunk back with the table's types. */
export function stagedSelect(csvPath: string, columns: readonly ColumnSpec[]): string {
  const staged = columns.map((column) => `'${column.name}': '${stagedType(column)}'`).join(', ');
  const converted = columns.map((column) => `${convert(column)} AS "${column.name}"`).join(', ');
  return (
    `SELECT ${converted} FROM read_csv(${sqlString(csvPath)}, header = false, auto_detect = false, delim = ',', quote = '"', ` +
    `escape = '"', new_line = '\\n', allow_quoted_nulls = false, columns = {${staged}})`
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

/**
 * The CSV file of one table and date, appended to as rows come: lines are encoded into one reused 1 MiB buffer
 * that is written out when full, so memory holds at most that much; DuckDB later turns the file into Parquet.
 */
export class StagedChunk {
  rows = 0;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private written = 0;
  private readonly fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  add(line: string): void {
    // a UTF-16 code unit takes at most 3 bytes of UTF-8
    if (this.used + line.length * 3 > BUFFER_BYTES) {
      this.drain();
      if (line.length * 3 > BUFFER_BYTES) {
        writeSync(this.fd, line);
        this.written += Buffer.byteLength(line);
        this.rows++;
        return;
      }
    }
    this.used += this.buffer.write(line, this.used, 'utf8');
    this.rows++;
  }

  /** Bytes staged so far. */
  get size(): number {
    return this.written + this.used;
  }

  /** Writes what is pending and closes the file. */
  finish(): void {
    this.drain();
    closeSync(this.fd);
  }

  private drain(): void {
    if (this.used === 0) return;
    writeSync(this.fd, this.buffer, 0, this.used);
    this.written += this.used;
    this.used = 0;
  }
}

const BUFFER_BYTES = 1024 * 1024;
