/**
 * Text set aside while a streaming analysis runs and read back at its end: TextSpool in order, once (the calls of
 * `analyze --json`, whose summary must come first; the rows of the text calls table, whose widths are only known
 * at the end); RecordSpool one record at a time in any order (the findings, sorted by time only at the end).
 * Up to SPOOL_MEMORY_CHARS it stays in memory; beyond, it goes to a temporary file, so memory stays bounded
 * however many calls and findings a capture holds. The file is removed by close().
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

const SPOOL_MEMORY_CHARS = 1 << 20;
const READ_BYTES = 1 << 16;
/**
 * TextSpool keeps at most this much text as a string: beyond, it is encoded into a Buffer (memory) or written to
 * the file. Text held as strings while a busy analysis runs is copied by every scavenge it lives through and then
 * promoted (a 1 MiB rope of call texts lives through ~16); a Buffer's bytes are outside the young generation.
 */
const STRING_CHARS = 1 << 16;

export class TextSpool {
  private pending = '';
  /** Text encoded (UTF-8) while the spool has no file, in order, and its total length in characters. */
  private readonly chunks: Buffer[] = [];
  private chunkChars = 0;
  private file?: SpoolFile;

  add(text: string): void {
    this.pending += text;
    if (this.pending.length >= STRING_CHARS) this.setAsidePending();
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
      return;
    }
    // each chunk is whole texts encoded: it decodes back to them
    for (const chunk of this.chunks) write(chunk.toString('utf8'));
    if (this.pending) write(this.pending);
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
    this.file?.remove();
    this.file = undefined;
  }

  /** The pending string to the file, or into memory as bytes until SPOOL_MEMORY_CHARS is reached (then the file). */
  private setAsidePending(): void {
    if (!this.file && this.chunkChars + this.pending.length < SPOOL_MEMORY_CHARS) {
      this.chunks.push(Buffer.from(this.pending, 'utf8'));
      this.chunkChars += this.pending.length;
      this.pending = '';
      return;
    }
    this.spill();
  }

  private spill(): void {
    if (!this.file) {
      this.file = new SpoolFile();
      for (const chunk of this.chunks) writeSync(this.file.fd, chunk);
      this.chunks.length = 0;
      this.chunkChars = 0;
    }
    if (this.pending) writeSync(this.file.fd, this.pending);
    this.pending = '';
  }
}

/**
 * A spool's temporary file, made when the spool first spills: opened in a directory of its own, which is removed
 * at once where the system allows it (POSIX: the open file lives on without a name), so that nothing is left in
 * the temporary directory however the run ends (Ctrl-C, a closed pipe, a crash); elsewhere at remove().
 */
class SpoolFile {
  private readonly dir = mkdtempSync(join(tmpdir(), 'sipscope-spool-'));
  readonly fd = openSync(join(this.dir, 'spool'), 'w+');
  private readonly named = !removedWhileOpen(this.dir);

  remove(): void {
    closeSync(this.fd);
    if (this.named) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Removes a directory holding an open file; false where the system refuses (Windows keeps open files). */
function removedWhileOpen(dir: string): boolean {
  try {
    rmSync(dir, { recursive: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Texts set aside one by one and read back by their number (the order they were added), in any order. Keeps a
 * byte offset per record; records read in nearly the order they were written (findings are, mostly) come from
 * one 64 KiB read for many.
 */
export class RecordSpool {
  /** Byte offset of each record in the spool (file, then memory). */
  private readonly starts: number[] = [];
  /** Records not yet written to the file, from record number firstPending on. */
  private pending: string[] = [];
  private pendingChars = 0;
  private firstPending = 0;
  /** Bytes of every record added (file and memory); all of them are in the file once nothing is pending. */
  private addedBytes = 0;
  private file?: SpoolFile;
  private readonly window = Buffer.allocUnsafe(READ_BYTES);
  private windowStart = 0;
  private windowBytes = 0;

  get size(): number {
    return this.starts.length;
  }

  add(text: string): void {
    this.starts.push(this.addedBytes);
    this.addedBytes += Buffer.byteLength(text, 'utf8');
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= SPOOL_MEMORY_CHARS) this.spill();
  }

  /** Record number `index` (0 for the first added). */
  get(index: number): string {
    if (index >= this.firstPending) return this.pending[index - this.firstPending];
    const start = this.starts[index];
    // the last record in the file is the last added: nothing is pending
    const end = index + 1 < this.starts.length ? this.starts[index + 1] : this.addedBytes;
    if (start < this.windowStart || end > this.windowStart + this.windowBytes) {
      if (end - start > READ_BYTES) {
        const record = Buffer.allocUnsafe(end - start);
        readSync(this.file!.fd, record, 0, end - start, start);
        return record.toString('utf8');
      }
      this.windowStart = start;
      this.windowBytes = readSync(this.file!.fd, this.window, 0, READ_BYTES, start);
    }
    return this.window.toString('utf8', start - this.windowStart, end - this.windowStart);
  }

  close(): void {
    this.file?.remove();
    this.file = undefined;
  }

  private spill(): void {
    this.file ??= new SpoolFile();
    writeSync(this.file.fd, Buffer.from(this.pending.join(''), 'utf8'));
    this.firstPending += this.pending.length;
    this.pending = [];
    this.pendingChars = 0;
  }
}
