/**
 * Stream framing (RFC 3261 §18.3): on TCP, TLS and in reassembled captures, a message ends where its
 * header block ends (blank line) plus Content-Length body bytes. Shared by src/transport (live streams)
 * and src/capture (TCP reassembly): one implementation of the rule.
 */
import { unfold, utf8FromLatin1 } from './header-block.js';

export type FrameResult =
  /** A whole message of `length` bytes starts at `start` (after `start` bytes of CRLF keep-alives, RFC 5626 §3.5.1). */
  | { kind: 'message'; start: number; length: number; contentLength: number | undefined }
  /**
   * Not enough bytes yet; `start` keep-alive bytes may be dropped. When the header block has ended and only body
   * bytes are missing, `headerEnd` (index past the blank line) and `contentLength` say how long the message is.
   */
  | { kind: 'incomplete'; start: number; headerEnd?: number; contentLength?: number }
  /** The header block has no usable Content-Length, or it is malformed; `headerEnd` is where the headers stop. */
  | { kind: 'error'; start: number; code: 'missing-content-length' | 'bad-content-length' | 'header-too-large'; headerEnd: number };

const CR = 0x0d;
const LF = 0x0a;

/** Largest header block we wait for before declaring the stream broken (bounded memory). */
export const MAX_HEADER_BYTES = 64 * 1024;

/** Index just past the blank line that ends the header block, or -1. Accepts CRLFCRLF and bare LFLF. */
export function findHeaderEnd(bytes: Uint8Array, from: number, to: number = bytes.length): number {
  for (let i = from; i < to; i++) {
    if (bytes[i] !== LF) continue;
    // i is an LF; is the next line empty?
    if (i + 1 < to && bytes[i + 1] === LF) return i + 2;
    if (i + 2 < to && bytes[i + 1] === CR && bytes[i + 2] === LF) return i + 3;
  }
  return -1;
}

/**
 * Reads Content-Length (or its compact form `l`, RFC 3261 §7.3.3) from a header block, by bytes, without
 * building a message. Returns undefined when absent, NaN when present but not a number.
 */
export function readContentLength(bytes: Uint8Array, start: number, end: number): number | undefined {
  let lineStart = start;
  while (lineStart < end) {
    let lineEnd = lineStart;
    while (lineEnd < end && bytes[lineEnd] !== LF) lineEnd++;
    // RFC 3261 §7.3.1: a line starting with SP/HT continues the field (a folded "Content-Length:\r\n 5").
    while (lineEnd + 1 < end && (bytes[lineEnd + 1] === 0x20 || bytes[lineEnd + 1] === 0x09)) {
      lineEnd++;
      while (lineEnd < end && bytes[lineEnd] !== LF) lineEnd++;
    }
    const value = contentLengthOfLine(bytes, lineStart, lineEnd);
    if (value !== undefined) return value;
    lineStart = lineEnd + 1;
  }
  return undefined;
}

/** Does the line at `at` name Content-Length or `l` (name, optional SP/HT, colon), as contentLengthOfLine reads it? */
function isContentLengthName(bytes: Uint8Array, at: number, to: number): boolean {
  if (at >= to) return false;
  let i = at + 1;
  const first = bytes[at] | 0x20;
  if (first === 0x63 /* c */) {
    if (at + 14 > to) return false;
    for (let j = 1; j < 14; j++) if ((bytes[at + j] | 0x20) !== CONTENT_LENGTH.charCodeAt(j)) return false;
    i = at + 14;
  } else if (first !== 0x6c /* l */) {
    return false;
  }
  while (i < to && (bytes[i] === 0x20 || bytes[i] === 0x09)) i++;
  return i < to && bytes[i] === 0x3a;
}

const CONTENT_LENGTH = 'content-length';

/** End (LF index, or `end`) of the logical line at `lineStart`, continuation lines included (RFC 3261 §7.3.1). */
function logicalLineEnd(bytes: Uint8Array, lineStart: number, end: number): number {
  let lineEnd = lineStart;
  while (lineEnd < end && bytes[lineEnd] !== LF) lineEnd++;
  while (lineEnd + 1 < end && (bytes[lineEnd + 1] === 0x20 || bytes[lineEnd + 1] === 0x09)) {
    lineEnd++;
    while (lineEnd < end && bytes[lineEnd] !== LF) lineEnd++;
  }
  return lineEnd;
}

/** Index of the colon that ends the field name in bytes[start..end), or -1. */
function colonOfField(bytes: Uint8Array, start: number, end: number): number {
  let colon = start;
  while (colon < end && bytes[colon] !== 0x3a) colon++;
  return colon < end ? colon : -1;
}

/** End of the field name before `colon`: RFC 3261 §7.3.1 allows whitespace between the name and the colon. */
function fieldNameEnd(bytes: Uint8Array, start: number, colon: number): number {
  let nameEnd = colon;
  while (nameEnd > start && (bytes[nameEnd - 1] === 0x20 || bytes[nameEnd - 1] === 0x09)) nameEnd--;
  return nameEnd;
}

function contentLengthOfLine(bytes: Uint8Array, start: number, end: number): number | undefined {
  const first = bytes[start] | 0x20;
  if (first !== 0x63 /* c */ && first !== 0x6c /* l */) return undefined;
  const colon = colonOfField(bytes, start, end);
  if (colon < 0) return undefined;
  const nameLength = fieldNameEnd(bytes, start, colon) - start;
  if (nameLength === 1) {
    if (first !== 0x6c) return undefined;
  } else if (nameLength === 14) {
    const name = 'content-length';
    for (let i = 0; i < 14; i++) if ((bytes[start + i] | 0x20) !== name.charCodeAt(i)) return undefined;
  } else {
    return undefined;
  }
  let value = 0;
  let digits = 0;
  for (let i = colon + 1; i < end; i++) {
    const byte = bytes[i];
    if (byte >= 0x30 && byte <= 0x39) {
      value = value * 10 + (byte - 0x30);
      digits++;
    } else if (byte === 0x20 || byte === 0x09 || byte === CR || byte === LF) {
      if (digits > 0) break;
    } else {
      return NaN;
    }
  }
  return digits === 0 ? NaN : value;
}

/**
 * Frames the next message in `bytes[from..to)`. `to` defaults to the end of the buffer. One pass finds both the
 * blank line that ends the header block (as findHeaderEnd) and the first line named Content-Length or `l`.
 */
export function frameMessage(bytes: Uint8Array, from = 0, to: number = bytes.length): FrameResult {
  let start = from;
  while (start < to && (bytes[start] === CR || bytes[start] === LF)) start++;
  if (start >= to) return { kind: 'incomplete', start: start - from };
  let contentLengthLine = isContentLengthName(bytes, start, to) ? start : -1;
  let headerEnd = -1;
  const viewEnd = Math.min(to, bytes.length);
  // LFs are found by Buffer#indexOf (memchr) on a view bounded to [start, to): a header line costs one native
  // call instead of a JS loop over its bytes.
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, viewEnd - start));
  for (let at = view.indexOf(LF); at >= 0; at = view.indexOf(LF, at + 1)) {
    const i = start + at;
    if (i + 1 >= to) break;
    const next = bytes[i + 1];
    if (next === LF) {
      headerEnd = i + 2;
      break;
    }
    if (next === CR) {
      if (i + 2 < to && bytes[i + 2] === LF) {
        headerEnd = i + 3;
        break;
      }
    } else if (contentLengthLine < 0 && isContentLengthName(bytes, i + 1, to)) {
      contentLengthLine = i + 1;
    }
  }
  if (headerEnd < 0) {
    if (to - start > MAX_HEADER_BYTES) return { kind: 'error', start: start - from, code: 'header-too-large', headerEnd: to };
    return { kind: 'incomplete', start: start - from };
  }
  const contentLength = contentLengthLine < 0 ? undefined : contentLengthOfLine(bytes, contentLengthLine, logicalLineEnd(bytes, contentLengthLine, headerEnd));
  if (contentLength === undefined) {
    return { kind: 'error', start: start - from, code: 'missing-content-length', headerEnd };
  }
  if (Number.isNaN(contentLength)) return { kind: 'error', start: start - from, code: 'bad-content-length', headerEnd };
  const messageEnd = headerEnd + contentLength;
  if (messageEnd > to) return { kind: 'incomplete', start: start - from, headerEnd, contentLength };
  return { kind: 'message', start: start - from, length: messageEnd - start, contentLength };
}

/** The parser decodes this much first and reads the header block from it when it ends there (see parser.ts). */
const PARSER_FIRST_DECODE_BYTES = 16 * 1024;
const CALL_ID = 'call-id';

/**
 * Call-ID of a message (RFC 3261 §20.8; any case, compact form `i`, §7.3.3), read from its bytes exactly as
 * parseMessage reads header fields (§7.3.1: folded lines joined by one SP, SP/HT trimmed, UTF-8 when not ASCII),
 * without building a message: `getHeader(parseMessage(bytes), 'call-id')` for every message the parser accepts.
 */
export function readCallId(bytes: Uint8Array): string | undefined {
  const total = bytes.length;
  let pos = 0;
  while (pos < total && (bytes[pos] === CR || bytes[pos] === LF)) pos++;
  const lineBreak = bytes.indexOf(LF, pos);
  if (lineBreak < 0) return undefined;
  // the parser reads the block from its first 16 KiB and again from the whole message when it does not end there
  if (total <= PARSER_FIRST_DECODE_BYTES || lineBreak >= PARSER_FIRST_DECODE_BYTES) return scanCallId(bytes, lineBreak + 1, total, true) ?? undefined;
  const first = scanCallId(bytes, lineBreak + 1, PARSER_FIRST_DECODE_BYTES, false);
  return first !== null ? first : (scanCallId(bytes, lineBreak + 1, total, true) ?? undefined);
}

/**
 * readHeaderBlock's line walk over bytes[pos..length): the first Call-ID value (undefined when none) once a blank
 * line ends the block, or as soon as it is found with `stopAtFirst`; null when bytes[pos..length) ends before the
 * blank line (and, with `stopAtFirst`, no Call-ID was found).
 */
function scanCallId(bytes: Uint8Array, pos: number, length: number, stopAtFirst: boolean): string | undefined | null {
  let found: string | undefined;
  while (pos < length) {
    let newline = indexOfLf(bytes, pos, length);
    let lineEnd = newline;
    if (lineEnd > pos && bytes[lineEnd - 1] === CR) lineEnd--;
    if (lineEnd === pos) return found;
    let fieldEnd = lineEnd;
    let next = newline + 1;
    let folded = false;
    while (next < length && (bytes[next] === 0x20 || bytes[next] === 0x09)) {
      folded = true;
      newline = indexOfLf(bytes, next, length);
      fieldEnd = newline > next && bytes[newline - 1] === CR ? newline - 1 : newline;
      next = newline + 1;
    }
    if (found === undefined) {
      found = callIdOfField(bytes, pos, fieldEnd, folded);
      if (found !== undefined && stopAtFirst) return found;
    }
    pos = next;
  }
  return null;
}

function indexOfLf(bytes: Uint8Array, from: number, length: number): number {
  const at = bytes.indexOf(LF, from);
  return at < 0 || at > length ? length : at;
}

/** The value of the field bytes[start..end) when its name is Call-ID or `i` (lower-cased as the parser does), else undefined. */
function callIdOfField(bytes: Uint8Array, start: number, end: number, folded: boolean): string | undefined {
  const first = bytes[start];
  if (first !== 0x43 && first !== 0x63 && first !== 0x49 && first !== 0x69) return undefined; // C c I i
  const colon = colonOfField(bytes, start, end);
  if (colon < 0) return undefined;
  const nameLength = fieldNameEnd(bytes, start, colon) - start;
  if (nameLength === 7) {
    for (let i = 0; i < 7; i++) {
      const wanted = CALL_ID.charCodeAt(i);
      const byte = bytes[start + i];
      // String#toLowerCase folds only A-Z here
      if (byte !== wanted && !(wanted >= 0x61 && byte === wanted - 0x20)) return undefined;
    }
  } else if (nameLength !== 1 || (first !== 0x49 && first !== 0x69)) {
    return undefined;
  }
  const text = latin1Text(bytes, colon + 1, end);
  const value = folded ? unfold(text, 0, text.length) : trimWhite(text);
  return utf8FromLatin1(value);
}

function trimWhite(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) start++;
  while (end > start && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

interface Latin1Sliceable {
  latin1Slice(start: number, end: number): string;
}

/** ISO 8859-1 text of bytes[start..end) (Node's Buffer latin1Slice accepts any Uint8Array). */
function latin1Text(bytes: Uint8Array, start: number, end: number): string {
  return (Buffer.prototype as unknown as Latin1Sliceable).latin1Slice.call(bytes, start, end);
}
