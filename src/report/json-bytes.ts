/**
 * JSON text written straight into bytes (UTF-8), for the entries `analyze --json` and `--jsonl` write once per call
 * of captures of hundreds of thousands: the same text JSON.stringify gives, without the strings (the pieces, the
 * joined text and its copy flattened before encoding were ~1.2 KB of garbage for a ~300-byte entry).
 * `decode`'s LineWriter (cli/commands/decode.ts) writes its lines into bytes too, unchecked into a chunk it sized
 * for the line first: rebuilt on this writer (a room check per piece) it made `decode --json` 5% slower (least CPU
 * of 8 runs 1.72 -> 1.81 s on the 247 MB SIPp capture, 2026-12-02), so it stays its own.
 */
import { formatTimeUs, readTimeUs, timeMicros, timePrefix } from '../capture/time-format.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;

export class JsonBytes {
  private buffer: Buffer;
  /** Bytes written: buffer[0, length). */
  length = 0;

  constructor(initialBytes = 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  clear(): void {
    this.length = 0;
  }

  /** What was written, as a view of the buffer (valid until the next write). */
  view(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  text(): string {
    return this.buffer.toString('utf8', 0, this.length);
  }

  /** Text known to be ASCII and to need no escaping (keys, punctuation, literals), as it is. */
  ascii(text: string): void {
    this.room(text.length);
    const buffer = this.buffer;
    let at = this.length;
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** JSON.stringify(text): quoted, escaped as it escapes (the usual ASCII text byte for byte, anything else through it). */
  string(text: string): void {
    this.room(text.length + 2);
    const buffer = this.buffer;
    const start = this.length;
    let at = start;
    buffer[at++] = QUOTE;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code === QUOTE || code === BACKSLASH || code >= 0x80) {
        // escapes, non-ASCII text (UTF-8) and lone surrogates (escaped by a well-formed JSON.stringify): its own way
        this.length = start;
        this.utf8(JSON.stringify(text));
        return;
      }
      buffer[at++] = code;
    }
    buffer[at++] = QUOTE;
    this.length = at;
  }

  /** JSON.stringify(value) of a number that may be absent: null for absent and, as JSON has it, for non-finite. */
  number(value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) this.ascii('null');
    else if (Number.isInteger(value) && value >= 0 && value <= 0x7fffffff) this.digits(value, 1);
    else this.ascii(String(value));
  }

  /** A capture time as formatTimeUs gives it, quoted. */
  timeUs(timeUs: number): void {
    if (!readTimeUs(timeUs)) {
      this.string(formatTimeUs(timeUs));
      return;
    }
    this.room(timePrefix.length + 9);
    this.buffer[this.length++] = QUOTE;
    this.ascii(timePrefix);
    this.digits(timeMicros, 6);
    this.buffer[this.length++] = 0x5a;
    this.buffer[this.length++] = QUOTE;
  }

  /** A non-negative integer below 2^31's decimal digits, at least `width` of them (zeros before): integer arithmetic. */
  private digits(value: number, width: number): void {
    let count = 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) count++;
    if (count < width) count = width;
    this.room(count);
    const buffer = this.buffer;
    let at = this.length + count;
    this.length = at;
    for (let i = 0; i < count; i++) {
      const next = (value / 10) | 0;
      buffer[--at] = ZERO + value - next * 10;
      value = next;
    }
  }

  private utf8(text: string): void {
    this.room(text.length * 3);
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** Room for `bytes` more: the buffer doubles (what was written is kept). */
  private room(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
