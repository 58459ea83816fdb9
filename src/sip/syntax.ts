/** Character classes of RFC 3261 §25.1 shared by the parser and the header parsers. */

const TOKEN_CHARS = (() => {
  const table = new Uint8Array(128);
  for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~") table[ch.charCodeAt(0)] = 1;
  return table;
})();

/** Whether one char code is a token char (RFC 3261 §25.1 token). */
export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1;
}

/** Whether text[start, end) is a non-empty token (RFC 3261 §25.1). */
export function isToken(text: string, start = 0, end = text.length): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || TOKEN_CHARS[code] === 0) return false;
  }
  return true;
}

/** SP or HTAB. */
export function isWhite(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Node's Buffer has a fast latin1Slice (what toString('latin1') calls after argument checks); not in its typings. */
interface Latin1Sliceable {
  latin1Slice(start: number, end: number): string;
}

const latin1Slice = (Buffer.prototype as unknown as Latin1Sliceable).latin1Slice;

/** bytes[start, end) as a latin1 string: one char per byte, so string indexes are byte offsets (any Uint8Array). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  return latin1Slice.call(bytes, start, end);
}
