/**
 * Text set aside while a streaming analysis runs and read back at its end: TextSpool in order, once (the calls of
 * `analyze --json`, whose summary must come first; the rows of the text calls table, whose widths are only known
 * at the end); RecordSpool one record at a time in any order (the findings, sorted by time only at the end).
 * Up to SPOOL_MEMORY_BYTES (TextSpool) or SPOOL_MEMORY_CHARS (RecordSpool) it stays in memory; beyond, it goes to
 * a temporary file, so memory stays bounded however many calls and findings a capture holds. The file is removed
 * by close().
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

const SPOOL_MEMORY_CHARS = 1 << 20;
/** TextSpool's memory before it spills to its file, in bytes (UTF-8). */
const SPOOL_MEMORY_BYTES = 1 << 20;
const READ_BYTES = 1 << 16;
/**
 * TextSpool encodes each text as it comes into a buffer of this size (a text too large for one is encoded alone):
 * no string is kept. Text held as strings while a busy analysis runs was copied by every scavenge it lived through
 * and then promoted, and a rope of many texts was flattened into one more copy before its encoding; a Buffer's
 * bytes are outside the heap.
 */
const BUFFER_BYTES = 1 << 16;
/** UTF-8 bytes of one UTF-16 code unit at most (a lone surrogate is written as U+FFFD, 3 bytes). */
const MAX_BYTES_PER_UNIT = 3;

export class TextSpool {
  /** Text added last, encoded (UTF-8) into buffer[0, used). */
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  /** Filled buffers while the spool has no file, in order, and their bytes in all. */
  private readonly chunks: Buffer[] = [];
  private chunkBytes = 0;
  private file?: SpoolFile;

  add(text: string): void {
    if (text.length * MAX_BYTES_PER_UNIT > BUFFER_BYTES - this.used) {
      this.setAsideBuffer();
      if (text.length * MAX_BYTES_PER_UNIT > BUFFER_BYTES) {
        this.setAside(Buffer.from(text, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  /** Text as its UTF-8 bytes (copied). */
  addBytes(bytes: Uint8Array): void {
    if (bytes.length > BUFFER_BYTES - this.used) {
      this.setAsideBuffer();
      if (bytes.length > BUFFER_BYTES) {
        this.setAside(Buffer.from(bytes));
        return;
      }
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Hands everything added, in order, to `write` in chunks (a chunk may end inside a line). */
  replay(write: (text: string) => void): void {
    if (this.file) {
      this.setAsideBuffer();
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
    if (this.used > 0) write(this.buffer.toString('utf8', 0, this.used));
  }

  /**
   * Hands everything added, in order, to `write` as its UTF-8 bytes, in chunks. A chunk is read into again only
   * when `write` answered true for it (it has written the bytes through and holds no reference to them): reading
   * the file back into a new buffer each time grew the process by the buffers the collector had not yet freed.
   */
  replayBytes(write: (bytes: Uint8Array) => boolean): void {
    if (this.file) {
      this.setAsideBuffer();
      let chunk = Buffer.allocUnsafe(READ_BYTES);
      for (let position = 0; ; ) {
        const read = readSync(this.file.fd, chunk, 0, READ_BYTES, position);
        if (read === 0) break;
        position += read;
        if (!write(chunk.subarray(0, read))) chunk = Buffer.allocUnsafe(READ_BYTES);
      }
      return;
    }
    for (const chunk of this.chunks) write(chunk);
    if (this.used > 0) write(Buffer.from(this.buffer.subarray(0, this.used)));
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

  /** The buffer's bytes set aside; the spool goes on in a new buffer (the old one is kept) or, once it has a file, the same. */
  private setAsideBuffer(): void {
    if (this.used === 0) return;
    const bytes = this.buffer.subarray(0, this.used);
    this.used = 0;
    if (this.setAside(bytes)) this.buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  }

  /** Bytes into memory until SPOOL_MEMORY_BYTES is reached, then (with all before them) to the file; true when kept in memory. */
  private setAside(bytes: Buffer): boolean {
    if (!this.file && this.chunkBytes + bytes.length < SPOOL_MEMORY_BYTES) {
      this.chunks.push(bytes);
      this.chunkBytes += bytes.length;
      return true;
    }
    if (!this.file) {
      this.file = new SpoolFile();
      for (const chunk of this.chunks) writeSync(this.file.fd, chunk);
      this.chunks.length = 0;
      this.chunkBytes = 0;
    }
    writeSync(this.file.fd, bytes);
    return false;
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
