/**
 * Text set aside while a streaming analysis runs and read back once at its end (the calls of `analyze --json`,
 * whose summary must come first; the rows of the text calls table, whose widths are only known at the end).
 * Up to SPOOL_MEMORY_CHARS it stays in memory; beyond, it goes to a temporary file, so memory stays bounded
 * however many calls a capture holds. The file is removed by close().
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

const SPOOL_MEMORY_CHARS = 1 << 20;
const READ_BYTES = 1 << 16;

export class TextSpool {
  private pending = '';
  private file?: { dir: string; fd: number };

  add(text: string): void {
    this.pending += text;
    if (this.pending.length >= SPOOL_MEMORY_CHARS) this.spill();
  }

  /** Hands everything added, in order, to `write` in chunks (a chunk may end inside a line). */
  replay(write: (text: string) => void): void {
    if (this.file) {
      this.spill();
      const buffer = Buffer.allocUnsafe(READ_BYTES);
      const decoder = new StringDecoder('utf8');
      for (let position = 0; ; ) {
        const read = readSync(this.file.fd, buffer, 0, READ_BYTES, position);
        if (read === 0) break;
        position += read;
        write(decoder.write(buffer.subarray(0, read)));
      }
      const rest = decoder.end();
      if (rest) write(rest);
    } else if (this.pending) {
      write(this.pending);
    }
  }

  /** Hands every line added (without its newline) to `line`. */
  replayLines(line: (text: string) => void): void {
    let carry = '';
    this.replay((chunk) => {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop() ?? '';
      for (const text of lines) line(text);
    });
    if (carry) line(carry);
  }

  close(): void {
    if (!this.file) return;
    closeSync(this.file.fd);
    rmSync(this.file.dir, { recursive: true, force: true });
    this.file = undefined;
  }

  private spill(): void {
    if (!this.file) {
      const dir = mkdtempSync(join(tmpdir(), 'sipscope-spool-'));
      this.file = { dir, fd: openSync(join(dir, 'spool'), 'w+') };
    }
    if (this.pending) writeSync(this.file.fd, this.pending);
    this.pending = '';
  }
}
