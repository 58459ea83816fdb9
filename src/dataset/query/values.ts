/**
 * DuckDB values as plain JSON-able values: times as ISO 8601 UTC with microseconds (as analyze prints them);
 * durations (INTERVAL) and times of day (TIME) as DuckDB writes them; integers beyond 2^53 as their exact digits.
 */
import { formatTimeUs } from '../../capture/time-format.js';

export type PlainValue = string | number | boolean | null | PlainValue[];
export type PlainRow = Record<string, PlainValue>;

/** `types`: each column's DuckDB type as text (`TIMESTAMP WITH TIME ZONE`, `TIME`, `INTERVAL[]`, ...). */
export function toPlainRows(columns: string[], types: string[], rows: unknown[][]): PlainRow[] {
  return rows.map((row) => Object.fromEntries(columns.map((column, index) => [column, plain(row[index], types[index] ?? '')])));
}

/** TIME and TIME WITH TIME ZONE hold microseconds of a day, not since 1970: never an ISO timestamp. */
function isTimeOfDay(type: string): boolean {
  return type.startsWith('TIME') && !type.startsWith('TIMESTAMP');
}

function plain(value: unknown, type: string): PlainValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'object') {
    const object = value as { micros?: bigint; items?: unknown[]; toDouble?: () => number; months?: number; days?: number };
    // an INTERVAL (end_time - start_time) has micros too: a duration, as DuckDB writes it (00:00:08.348519)
    if (typeof object.months === 'number' && typeof object.days === 'number') return String(value);
    if (typeof object.micros === 'bigint') return isTimeOfDay(type) ? String(value) : formatTimeUs(Number(object.micros));
    if (Array.isArray(object.items)) return object.items.map((item) => plain(item, type.replace(/\[\]$/, '')));
    if (typeof object.toDouble === 'function') return object.toDouble();
  }
  return String(value);
}
