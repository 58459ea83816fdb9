/** Capture times as text: ISO 8601, UTC, with microseconds (e.g. 2024-05-01T12:00:00.123456Z). */
export function formatTimeUs(timeUs: number): string {
  const milliseconds = Math.floor(timeUs / 1000);
  const microseconds = timeUs - milliseconds * 1000;
  const iso = new Date(milliseconds).toISOString();
  return `${iso.slice(0, 23)}${String(Math.floor(microseconds)).padStart(3, '0')}Z`;
}
