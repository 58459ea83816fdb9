/**
 * Stream framing (RFC 3261 §18.3): on TCP, TLS and in reassembled captures, a message ends where its
 * header block ends (blank line) plus Content-Length body bytes. Shared by src/transport (live streams)
 * and src/capture (TCP reassembly): one implementation of the rule.
 */

export type FrameResult =
  /** A whole message of `length` bytes starts at `start` (after `start` bytes of CRLF keep-alives, RFC 5626 §3.5.1). */
  | { kind: 'message'; start: number; length: number; contentLength: number | undefined }
  /** Not enough bytes yet; `start` keep-alive bytes may be dropped. */
  | { kind: 'incomplete'; start: number }
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

function contentLengthOfLine(bytes: Uint8Array, start: number, end: number): number | undefined {
  const first = bytes[start] | 0x20;
  if (first !== 0x63 /* c */ && first !== 0x6c /* l */) return undefined;
  let colon = start;
  while (colon < end && bytes[colon] !== 0x3a) colon++;
  if (colon >= end) return undefined;
  let nameEnd = colon;
  while (nameEnd > start && (bytes[nameEnd - 1] === 0x20 || bytes[nameEnd - 1] === 0x09)) nameEnd--;
  const nameLength = nameEnd - start;
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

/** Frames the next message in `bytes[from..to)`. `to` defaults to the end of the buffer. */
export function frameMessage(bytes: Uint8Array, from = 0, to: number = bytes.length): FrameResult {
  let start = from;
  while (start < to && (bytes[start] === CR || bytes[start] === LF)) start++;
  if (start >= to) return { kind: 'incomplete', start: start - from };
  const headerEnd = findHeaderEnd(bytes, start, to);
  if (headerEnd < 0) {
    if (to - start > MAX_HEADER_BYTES) return { kind: 'error', start: start - from, code: 'header-too-large', headerEnd: to };
    return { kind: 'incomplete', start: start - from };
  }
  const contentLength = readContentLength(bytes, start, headerEnd);
  if (contentLength === undefined) {
    return { kind: 'error', start: start - from, code: 'missing-content-length', headerEnd };
  }
  if (Number.isNaN(contentLength)) return { kind: 'error', start: start - from, code: 'bad-content-length', headerEnd };
  const messageEnd = headerEnd + contentLength;
  if (messageEnd > to) return { kind: 'incomplete', start: start - from };
  return { kind: 'message', start: start - from, length: messageEnd - start, contentLength };
}
