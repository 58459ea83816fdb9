/**
 * Comma-separated header values (RFC 3261 §7.3.1: a list header may be written as several fields or one
 * field with comma-separated values). Commas inside quoted strings or <...> do not separate.
 */

/** Splits a header value at top-level commas; elements are trimmed and kept even when empty. */
export function splitHeaderList(value: string): string[] {
  if (value.indexOf(',') < 0) return [value.trim()];
  const elements: string[] = [];
  let start = 0;
  let inQuotes = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (inQuotes) {
      if (code === 0x5c /* \ */) i++;
      else if (code === 0x22) inQuotes = false;
    } else if (code === 0x22) {
      inQuotes = true;
    } else if (code === 0x3c /* < */) {
      inAngle = true;
    } else if (code === 0x3e /* > */) {
      inAngle = false;
    } else if (code === 0x2c /* , */ && !inAngle) {
      elements.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  elements.push(value.slice(start).trim());
  return elements;
}
