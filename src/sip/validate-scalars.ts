/** Checks of numeric and date header fields (RFC 3261 §20.19 Expires, §20.22 Max-Forwards, §20.33 Retry-After, §20.17 Date, §20.43 Warning). */
import type { Defect, HeaderField } from './message.js';
import { splitHeaderList } from './headers/list.js';

/**
 * delta-seconds / Max-Forwards = 1*DIGIT within `max`. With `allowTrailer`, a comment or parameters may follow
 * (Retry-After, §20.33). Overflow gets 'scalar-overflow'; other syntax errors 'bad-<header>'.
 */
export function checkScalar(field: HeaderField, max: number, defects: Defect[], allowTrailer = false): void {
  const value = field.value;
  let end = 0;
  while (end < value.length && value.charCodeAt(end) >= 0x30 && value.charCodeAt(end) <= 0x39) end++;
  const trailer = value.slice(end).trim();
  if (end === 0 || (trailer.length > 0 && !(allowTrailer && (trailer.startsWith('(') || trailer.startsWith(';'))))) {
    defects.push({ code: `bad-${field.name}`, header: field.name, message: `${field.rawName} ${JSON.stringify(value)} is not a number`, offset: field.offset });
    return;
  }
  const digits = value.slice(0, end);
  if (Number(digits) > max) {
    defects.push({ code: 'scalar-overflow', header: field.name, message: `${field.rawName} ${digits.length > 24 ? digits.slice(0, 24) + '...' : digits} exceeds its largest value ${max}`, offset: field.offset });
  }
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3261 §20.17, §25.1: Date = rfc1123-date, always in GMT ("Sat, 13 Nov 2010 23:29:00 GMT"). */
export function checkDate(field: HeaderField, defects: Defect[]): void {
  const parts = field.value.split(' ');
  const [weekday, day, month, year, time, zone] = parts;
  const ok = parts.length === 6 && weekday.length === 4 && weekday.endsWith(',') && WEEKDAYS.includes(weekday.slice(0, 3))
    && /^\d\d$/.test(day) && MONTHS.includes(month) && /^\d{4}$/.test(year) && /^\d\d:\d\d:\d\d$/.test(time);
  if (!ok) {
    defects.push({ code: 'bad-date', header: 'date', message: `Date ${JSON.stringify(field.value)} is not an RFC 1123 date (RFC 3261 §20.17)`, offset: field.offset });
  } else if (zone !== 'GMT') {
    defects.push({ code: 'bad-date', header: 'date', message: `Date ${JSON.stringify(field.value)} uses time zone ${zone}; RFC 3261 §20.17 requires GMT`, offset: field.offset });
  }
}

/** RFC 3261 §20.43: warning-value = warn-code SP warn-agent SP warn-text, warn-code = 3DIGIT. */
export function checkWarning(field: HeaderField, defects: Defect[]): void {
  for (const element of splitHeaderList(field.value)) {
    const match = /^(\S+) (\S+) "(?:[^"\\]|\\.)*"$/.exec(element);
    if (!match) {
      defects.push({ code: 'bad-warning', header: 'warning', message: `Warning ${JSON.stringify(element)} is not warn-code SP warn-agent SP "warn-text"`, offset: field.offset });
    } else if (!/^\d{3}$/.test(match[1])) {
      defects.push({ code: 'bad-warning', header: 'warning', message: `Warning code ${match[1]} is not three digits (RFC 3261 §20.43)`, offset: field.offset });
    }
  }
}
