/** Capture times are microseconds since the Unix epoch; reports show them as ISO 8601 UTC with microseconds. */

/**
 * `2026-11-23T22:06:59.123456Z` for a time in microseconds since the epoch: the one formatter of capture times
 * (capture/time-format.ts), so decode, analysis and the reports print a time alike.
 */
export { formatTimeUs as isoMicros } from '../capture/time-format.js';

/**
 * Parses an ISO 8601 time (fractional seconds up to microseconds kept) into microseconds since the epoch; undefined
 * for a time that is not on the calendar (2026-02-30, 24:00 and :60 included: Date.parse would roll them over).
 */
export function parseIsoMicros(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!match || !isCalendarTime(match[1])) return undefined;
  const zone = match[3] ?? 'Z';
  const seconds = Date.parse(`${match[1]}${zone}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = (match[2] ?? '').padEnd(6, '0').slice(0, 6);
  return seconds * 1000 + Number(fraction);
}

/** Whether `YYYY-MM-DDTHH:MM:SS` names a real day of its month and a time of day (ISO 8601 calendar, proleptic Gregorian). */
function isCalendarTime(dateTime: string): boolean {
  const [year, month, day, hour, minute, second] = dateTime.split(/[-T:]/).map(Number);
  // day 0 of the next month is the last day of this one
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
}

/** Difference of two microsecond times in milliseconds, keeping microsecond precision (3 decimals). */
export function elapsedMs(fromUs: number, toUs: number): number {
  return Math.round(toUs - fromUs) / 1000;
}
