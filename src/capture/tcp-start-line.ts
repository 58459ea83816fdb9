/**
 * Recognises a SIP start line (RFC 3261 §7.1 Request-Line, §7.2 Status-Line) by its bytes, without decoding
 * text: how a stream that began mid-way (or after a gap) finds the next message boundary, and how payloads on
 * any port are told to be SIP.
 */

/** Longest start line accepted; a longer line is not treated as one (bounds the scan). */
export const MAX_START_LINE = 8 * 1024;

export const START_LINE_NO = 0;
export const START_LINE_YES = 1;
/** The bytes so far could begin a start line but its end has not arrived yet. */
export const START_LINE_MORE = -1;

import { isTokenChar } from '../sip/syntax.js';

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const SIP_VERSION = [0x53, 0x49, 0x50, 0x2f, 0x32, 0x2e, 0x30]; // "SIP/2.0"

/**
 * RFC 3261 §25.1: Method is a token (extension-method = token, case-sensitive), so "options" or "x-ping.v2" start
 * requests too, and tshark shows them. Inside a body, a line is taken for a start line only if it also has
 * SP Request-URI SP "SIP/2.0" and its line end, which keeps false positives away without narrowing the method.
 */
function isMethodByte(byte: number): boolean {
  return isTokenChar(byte);
}

function matchesVersion(bytes: Uint8Array, at: number, end: number): number {
  for (let i = 0; i < SIP_VERSION.length; i++) {
    if (at + i >= end) return START_LINE_MORE;
    if (bytes[at + i] !== SIP_VERSION[i]) return START_LINE_NO;
  }
  return START_LINE_YES;
}

/** Is there a SIP start line at `at` in `bytes[..end)`? One of START_LINE_YES / _NO / _MORE. */
export function sipStartLineAt(bytes: Uint8Array, at: number, end: number = bytes.length): number {
  if (at >= end) return START_LINE_MORE;
  if (bytes[at] === 0x53 /* S */) {
    const version = matchesVersion(bytes, at, end);
    if (version === START_LINE_YES) return statusLineRest(bytes, at + 7, end);
    if (version === START_LINE_MORE) return START_LINE_MORE;
  }
  return requestLineAt(bytes, at, end);
}

/**
 * Is bytes[at..end) a whole request line but for its CRLF (RFC 3261 §7.1: Method SP Request-URI SP "SIP/2.0"), where
 * `end` is final (the end of a datagram), not the end of the bytes so far? sipStartLineAt answers START_LINE_MORE for
 * it; this is asked only then. A status line with its reason phrase is whole without the CRLF already; one that ends
 * at its code ("SIP/2.0 401") lacks the SP before the reason phrase (§7.2), and tshark does not take it for SIP either.
 */
export function startLineWithoutLineEnd(bytes: Uint8Array, at: number, end: number): boolean {
  if (end - at > MAX_START_LINE || matchesVersion(bytes, at, end) !== START_LINE_NO) return false;
  const terminated = new Uint8Array(end - at + 2);
  terminated.set(bytes.subarray(at, end));
  terminated[end - at] = CR;
  terminated[end - at + 1] = LF;
  return sipStartLineAt(terminated, 0, terminated.length) === START_LINE_YES;
}

/** After "SIP/2.0": SP 3DIGIT SP (RFC 3261 §7.2). */
function statusLineRest(bytes: Uint8Array, at: number, end: number): number {
  if (at + 5 > end) return START_LINE_MORE;
  if (bytes[at] !== SP) return START_LINE_NO;
  for (let i = 1; i <= 3; i++) {
    const digit = bytes[at + i];
    if (digit < 0x30 || digit > 0x39) return START_LINE_NO;
  }
  const after = bytes[at + 4];
  return after === SP || after === CR || after === LF ? START_LINE_YES : START_LINE_NO;
}

/** Method SP Request-URI SP SIP/2.0 CRLF (RFC 3261 §7.1). */
function requestLineAt(bytes: Uint8Array, at: number, end: number): number {
  let i = at;
  while (i < end && isMethodByte(bytes[i])) i++;
  if (i === end) return i - at < 32 ? START_LINE_MORE : START_LINE_NO;
  if (i === at || i - at > 32 || bytes[i] !== SP) return START_LINE_NO;
  const uriStart = ++i;
  const limit = Math.min(end, at + MAX_START_LINE);
  while (i < limit && bytes[i] !== SP && bytes[i] !== LF && bytes[i] !== CR) i++;
  if (i === limit) return limit === end && end - at < MAX_START_LINE ? START_LINE_MORE : START_LINE_NO;
  if (bytes[i] !== SP || i === uriStart) return START_LINE_NO;
  const version = matchesVersion(bytes, i + 1, end);
  if (version !== START_LINE_YES) return version;
  const tail = i + 8;
  if (tail >= end) return START_LINE_MORE;
  if (bytes[tail] === LF) return START_LINE_YES;
  if (bytes[tail] !== CR) return START_LINE_NO;
  return START_LINE_YES;
}

/**
 * First position at or after `from` where a line starts with a SIP start line, scanning line by line.
 * Returns { found } with the index, or { keep } with the index from which bytes must be kept because the
 * last line is still incomplete and may become one.
 */
export function findSipStartLine(bytes: Uint8Array, from: number, end: number): { found: number } | { keep: number } {
  let lineStart = from;
  while (lineStart < end) {
    const kind = sipStartLineAt(bytes, lineStart, end);
    if (kind === START_LINE_YES) return { found: lineStart };
    if (kind === START_LINE_MORE) return { keep: lineStart };
    const lf = bytes.indexOf(LF, lineStart);
    if (lf < 0 || lf >= end) return { keep: end };
    lineStart = lf + 1;
  }
  return { keep: end };
}
