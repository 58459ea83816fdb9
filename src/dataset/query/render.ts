/** Query results as text: an aligned table, CSV (RFC 4180, header line first) or JSON (an array of objects). */
import type { QueryResult } from './connection.js';
import type { PlainValue } from './values.js';

function cell(value: PlainValue): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.map(cell).join(' ');
  return String(value);
}

/**
 * The aligned table for a terminal. `shown` makes each cell's text safe to print (the CLI passes its one gate for
 * outside text, which escapes control and bidi characters: a dataset holds capture text); widths are measured after.
 */
export function renderTable(result: QueryResult, shown: (text: string) => string): string {
  const header = result.columns.map(shown);
  const body = result.rows.map((row) => result.columns.map((column) => shown(cell(row[column]))));
  const widths = header.map((name, index) => Math.max(name.length, ...body.map((line) => line[index].length)));
  const line = (cells: string[]) => cells.map((text, index) => text.padEnd(widths[index])).join('  ').trimEnd();
  const lines = [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)];
  lines.push(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`);
  return lines.join('\n');
}

function csvCell(value: PlainValue): string {
  if (value === null) return '';
  const text = Array.isArray(value) ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderCsv(result: QueryResult): string {
  const lines = [result.columns.map((name) => csvCell(name)).join(',')];
  for (const row of result.rows) lines.push(result.columns.map((column) => csvCell(row[column])).join(','));
  return lines.join('\r\n');
}

export function renderJson(result: QueryResult): string {
  return JSON.stringify(result.rows, null, 2);
}
