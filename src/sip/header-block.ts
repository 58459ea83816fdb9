/**
 * Header block reading (RFC 3261 §7.3, §7.3.1), shared by the message parser and multipart body parts: in a module
 * of its own so that headers/multipart.ts need not import the parser that validates through it.
 */
import type { Defect, HeaderField } from './message.js';
import { cachedHeaderName, knownHeaderName } from './header-names.js';
import { isWhite } from './syntax.js';

const CR = 13;

/** latin1 text -> the UTF-8 it encodes, when it holds any byte >= 0x80 (RFC 3261 §25.1: TEXT-UTF8). */
export function utf8FromLatin1(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) >= 0x80) return Buffer.from(text, 'latin1').toString('utf8');
  }
  return text;
}

/** Length of the valid UTF-8 sequence at bytes[i] (RFC 3629 §4: no overlongs, no surrogates, <= U+10FFFF), or 0. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i];
  const cont = (at: number, low = 0x80, high = 0xbf) => at < bytes.length && bytes[at] >= low && bytes[at] <= high;
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const second = lead === 0xe0 ? cont(i + 1, 0xa0) : lead === 0xed ? cont(i + 1, 0x80, 0x9f) : cont(i + 1);
    return second && cont(i + 2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const second = lead === 0xf0 ? cont(i + 1, 0x90) : lead === 0xf4 ? cont(i + 1, 0x80, 0x8f) : cont(i + 1);
    return second && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

/**
 * Bytes as UTF-8 where they are valid UTF-8, and each byte that is not as `\xNN`: unlike U+FFFD replacement,
 * two different byte strings never give the same text (a key for values such as Call-ID that must stay apart).
 */
export function utf8WithByteEscapes(bytes: Uint8Array): string {
  let text = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += Buffer.from(bytes.buffer, bytes.byteOffset + runStart, i - runStart).toString('utf8') + '\\x' + bytes[i].toString(16).padStart(2, '0');
    runStart = ++i;
  }
  return text + Buffer.from(bytes.buffer, bytes.byteOffset + runStart, bytes.length - runStart).toString('utf8');
}

/**
 * The value of a parsed header field read again from the message's raw bytes (unfolded and trimmed as the parser
 * does) with utf8WithByteEscapes instead of U+FFFD; undefined when the field's position is not known.
 */
export function byteFaithfulValue(raw: Uint8Array, field: HeaderField): string | undefined {
  if (field.offset === undefined || field.length === undefined) return undefined;
  const text = Buffer.from(raw.buffer, raw.byteOffset + field.offset, field.length).toString('latin1');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return utf8WithByteEscapes(Buffer.from(unfold(text, colon + 1, text.length), 'latin1'));
}

/** Result of reading a header block: fields, and the offset just past the blank line (or -1 if none). */
export interface HeaderBlock {
  headers: HeaderField[];
  /** Offset of the first body byte, or -1 when the block has no terminating empty line. */
  bodyStart: number;
}

/**
 * Reads header fields from latin1 `text` starting at `pos` up to the empty line (RFC 3261 §7.3). Folded lines
 * (§7.3.1: CRLF followed by SP/HT) become one SP. Used for messages and for multipart body parts.
 * `utf8` says whether values may hold bytes >= 0x80 to decode. With `only` (canonical names), the other fields
 * are stepped over without reading their values (a reader that needs a few fields of many messages).
 */
export function readHeaderBlock(text: string, pos: number, utf8: boolean, defects: Defect[], only?: ReadonlySet<string>): HeaderBlock {
  const headers: HeaderField[] = [];
  const length = text.length;
  while (pos < length) {
    let newline = text.indexOf('\n', pos);
    if (newline < 0) newline = length;
    let lineEnd = newline;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
    if (lineEnd === pos) return { headers, bodyStart: newline + 1 > length ? length : newline + 1 };
    // Continuation lines (RFC 3261 §7.3.1) start with whitespace.
    let fieldEnd = lineEnd;
    let next = newline + 1;
    let folded = false;
    while (next < length && isWhite(text.charCodeAt(next))) {
      folded = true;
      newline = text.indexOf('\n', next);
      if (newline < 0) newline = length;
      fieldEnd = newline > next && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      next = newline + 1;
    }
    // Bounded to this field, so lines without a colon cannot make the scan quadratic.
    let colon = pos;
    while (colon < fieldEnd && text.charCodeAt(colon) !== 0x3a) colon++;
    if (colon >= fieldEnd) {
      defects.push({ code: 'bad-header-line', message: `header line without a colon: ${JSON.stringify(utf8FromLatin1(text.slice(pos, Math.min(lineEnd, pos + 60))))}`, offset: pos });
      pos = next;
      continue;
    }
    let nameEnd = colon;
    while (nameEnd > pos && isWhite(text.charCodeAt(nameEnd - 1))) nameEnd--;
    if (nameEnd === pos || isWhite(text.charCodeAt(pos))) {
      defects.push({ code: 'bad-header-line', message: `header line without a field name: ${JSON.stringify(utf8FromLatin1(text.slice(pos, Math.min(lineEnd, pos + 60))))}`, offset: pos });
      pos = next;
      continue;
    }
    const known = knownHeaderName(text, pos, nameEnd);
    let rawName: string;
    let name: string;
    if (known !== undefined) {
      rawName = known.spelling;
      name = known.name;
    } else {
      rawName = utf8 ? utf8FromLatin1(text.slice(pos, nameEnd)) : text.slice(pos, nameEnd);
      name = cachedHeaderName(rawName);
    }
    if (only !== undefined && !only.has(name)) {
      pos = next;
      continue;
    }
    let value = folded ? unfold(text, colon + 1, fieldEnd) : trimmedSlice(text, colon + 1, fieldEnd);
    if (utf8) value = utf8FromLatin1(value);
    headers.push({ name, rawName, value, offset: pos, length: fieldEnd - pos });
    pos = next;
  }
  return { headers, bodyStart: -1 };
}

function trimmedSlice(text: string, start: number, end: number): string {
  while (start < end && isWhite(text.charCodeAt(start))) start++;
  while (end > start && isWhite(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** Joins folded lines of text[start, end): each line break plus surrounding whitespace becomes one SP. */
export function unfold(text: string, start: number, end: number): string {
  let value = '';
  let lineStart = start;
  while (lineStart <= end) {
    let newline = text.indexOf('\n', lineStart);
    if (newline < 0 || newline > end) newline = end;
    const lineEnd = newline > lineStart && text.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
    const part = trimmedSlice(text, lineStart, lineEnd);
    if (part.length > 0) value = value.length > 0 ? value + ' ' + part : part;
    lineStart = newline + 1;
  }
  return value;
}
