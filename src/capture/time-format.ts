/** Capture times as text: ISO 8601, UTC, with microseconds (e.g. 2024-05-01T12:00:00.123456Z). */

/** "YYYY-MM-DDTHH:MM:SS." of the last second formatted: consecutive packets mostly share it. */
let cachedSecond = NaN;
let cachedPrefix = '';

export function formatTimeUs(timeUs: number): string {
  if (!readTimeUs(timeUs)) return slowFormat(Math.floor(timeUs / 1000), timeUs - Math.floor(timeUs / 1000) * 1000);
  return `${timePrefix}${threeDigits(Math.floor(timeMicros / 1000))}${threeDigits(timeMicros % 1000)}Z`;
}

/**
 * formatTimeUs's parts of a time, for a writer that writes its digits itself (report/json-bytes.ts): after a true
 * answer, timePrefix is "YYYY-MM-DDTHH:MM:SS." and timeMicros the microseconds within that second (0-999,999); false
 * where formatTimeUs takes its general form (then call it).
 */
export let timePrefix = '';
export let timeMicros = 0;

export function readTimeUs(timeUs: number): boolean {
  const milliseconds = Math.floor(timeUs / 1000);
  const microseconds = timeUs - milliseconds * 1000;
  // beyond 2^53 the subtraction above is inexact: keep the general form there
  if (!Number.isSafeInteger(milliseconds) || !(microseconds >= 0 && microseconds < 1000)) return false;
  const second = Math.floor(milliseconds / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString();
    // years outside 0000-9999 use the longer extended form: no shortcut for them
    if (iso.length !== 24) return false;
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20);
  }
  timePrefix = cachedPrefix;
  timeMicros = (milliseconds - second * 1000) * 1000 + Math.floor(microseconds);
  return true;
}

function threeDigits(value: number): string {
  return value >= 100 ? String(value) : value >= 10 ? `0${value}` : `00${value}`;
}

function slowFormat(milliseconds: number, microseconds: number): string {
  const iso = new Date(milliseconds).toISOString();
  return `${iso.slice(0, 23)}${String(Math.floor(microseconds)).padStart(3, '0')}Z`;
}

/**
 * A time interval in microseconds as text: `0.491 ms` below a second, `12.345 s` from a second on, microseconds
 * kept either way (3 decimals). The one form of every interval in text output (call durations, drain windows,
 * the intervals findings name) and the same as the HTML report's below 2 minutes (report/html/browser/dom.ts
 * durationText): a call answered in half a millisecond on loopback reads `0.491 ms`, never `0.000 s`.
 */
export function formatIntervalUs(intervalUs: number): string {
  const us = Math.round(intervalUs);
  return Math.abs(us) < 1_000_000 ? `${(us / 1000).toFixed(3)} ms` : `${(us / 1e6).toFixed(3)} s`;
}
