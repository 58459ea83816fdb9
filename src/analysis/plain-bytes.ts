/**
 * The bytes the plain reading of a message (plain-message.ts, plain-values.ts) works on: the byte values and
 * classes its scans test, its text of a range, and the one thing it keeps per message: whether the message is ASCII
 * (a value's text is then its bytes; else UTF-8 decoded, as the parser decodes it, RFC 3261 §25.1).
 */
import { isAscii } from 'node:buffer';
import { isTokenChar, latin1, utf8FromLatin1 } from '../sip/index.js';

export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const HT = 0x09;
export const COLON = 0x3a;
export const SEMICOLON = 0x3b;

/** bytes[start, end) as text (ASCII here, or latin1 before valueText decodes it). */
export const text = latin1;

/** Whether the message being read is ASCII: unknown until a value's text needs it (valueText). */
const ASCII_UNKNOWN = 0;
const ASCII_YES = 1;
const ASCII_NO = 2;
let messageAscii = ASCII_UNKNOWN;

/** A header value's text as the parser gives it: UTF-8 decoded in a message that is not ASCII (RFC 3261 §25.1). */
export function valueText(bytes: Uint8Array, start: number, end: number): string {
  if (messageAscii === ASCII_UNKNOWN) messageAscii = isAscii(bytes) ? ASCII_YES : ASCII_NO;
  return messageAscii === ASCII_NO ? utf8FromLatin1(text(bytes, start, end)) : text(bytes, start, end);
}

export function isAsciiRange(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

/**
 * Byte classes for the scans of the plain reading, one table lookup per byte (a Uint8Array of all 256 bytes: no range check).
 * TOKEN: token char (RFC 3261 §25.1, isTokenChar); PARAM_VALUE: what paramRange takes in a value (token, ':', '[',
 * ']'); URI_STOP: ends or spoils a bracketed URI (nameAddrAt: '>', controls, SP, DEL and above, '"', '\\');
 * ADDR_SPEC_STOP: ends or spoils an addr-spec (';' and, as URI_STOP, '?', ',', '<', '>'); VIA_STOP: spoils a plain
 * Via ('"', '<', controls, bytes >= 0x80) or ends its first element (',').
 */
export const TOKEN = 1;
export const PARAM_VALUE = 2;
export const URI_STOP = 4;
export const ADDR_SPEC_STOP = 8;
export const VIA_STOP = 16;
export const BYTE_CLASS = (() => {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++) {
    let classes = 0;
    if (isTokenChar(code)) classes |= TOKEN | PARAM_VALUE;
    if (code === COLON || code === 0x5b || code === 0x5d) classes |= PARAM_VALUE;
    const uriSpoiler = code <= SP || code >= 0x7f || code === 0x22 || code === 0x5c;
    if (uriSpoiler || code === 0x3e) classes |= URI_STOP;
    if (uriSpoiler || code === SEMICOLON || code === 0x3f || code === 0x2c || code === 0x3e || code === 0x3c) classes |= ADDR_SPEC_STOP;
    if (code === 0x22 || code === 0x3c || code < SP || code >= 0x80 || code === 0x2c) classes |= VIA_STOP;
    table[code] = classes;
  }
  return table;
})();

/** Starts a message: whether it is ASCII is known only once a value's text needs it (valueText). */
export function beginPlainMessage(): void {
  messageAscii = ASCII_UNKNOWN;
}

export function startsWith(bytes: Uint8Array, start: number, end: number, prefix: string): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[start + i] !== prefix.charCodeAt(i)) return false;
  return true;
}
