/** DuckDB values as plain JSON-able values: times as ISO 8601 UTC with microseconds (as analyze prints them). */
import { formatTimeUs } from '../../capture/time-format.js';

export type PlainValue = string | number | boolean | null | PlainValue[];
export type PlainRow = Record<string, PlainValue>;

export function toPlainRows(columns: string[], rows: unknown[][]): PlainRow[] {
  return rows.map((row) => Object.fromEntries(columns.map((column, index) => [column, plain(row[index])])));
}

function plain(value: unknown): PlainValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'object') {
    const object = value as { micros?: bigint; items?: unknown[]; toDouble?: () => number; days?: number };
    if (typeof object.micros === 'bigint') return formatTimeUs(Number(object.micros));
    if (Array.isArray(object.items)) return object.items.map(plain);
    if (typeof object.toDouble === 'function') return object.toDouble();
  }
  return String(value);
}
