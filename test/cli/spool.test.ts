import { readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { RecordSpool, TextSpool } from '../../src/cli/spool.js';

const spoolDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('sipscope-spool-'));

/**
 * Spool files this process has open (Linux: /proc/self/fd). A spill's file is removed from the directory the moment
 * it is opened, so that a run that ends any way at all leaves nothing behind: it shows as "(deleted)".
 */
function openSpoolFiles(): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (/sipscope-spool-[^/]+\/spool/.test(target)) open.push(target);
    } catch {
      // the fd of the directory listing itself, closed by now
    }
  }
  return open;
}

describe('TextSpool', () => {
  it('gives back small text in order from memory, without a file', () => {
    const before = spoolDirs().length;
    const spool = new TextSpool();
    spool.add('a\n');
    spool.add('b\nc');
    expect(spoolDirs().length).toBe(before);
    const lines: string[] = [];
    spool.replayLines((line) => lines.push(line));
    expect(lines).toEqual(['a', 'b', 'c']);
    spool.close();
  });

  it('gives back text between 64 Ki and 1 Mi characters from memory (held as bytes), in order, without a file', () => {
    const dirsBefore = spoolDirs().length;
    const filesBefore = openSpoolFiles().length;
    const spool = new TextSpool();
    const wanted: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const line = `call ${i} é ☎ ${'x'.repeat(i % 30)}`;
      wanted.push(line);
      spool.add(`${line}\n`);
    }
    expect(openSpoolFiles().length).toBe(filesBefore);
    expect(spoolDirs().length).toBe(dirsBefore);
    const lines: string[] = [];
    spool.replayLines((line) => lines.push(line));
    expect(lines).toEqual(wanted);
    spool.close();
  });

  it('spills past 1 MiB to a temporary file with no name left on disk, gives every line back in order (multi-byte text across reads), closes it', () => {
    const dirsBefore = spoolDirs().length;
    const filesBefore = openSpoolFiles().length;
    const spool = new TextSpool();
    const wanted: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const line = `call ${i} é ☎ ${'x'.repeat(i % 50)}`;
      wanted.push(line);
      spool.add(`${line}\n`);
    }
    const opened = openSpoolFiles();
    expect(opened.length).toBe(filesBefore + 1);
    expect(opened.at(-1)).toMatch(/ \(deleted\)$/);
    expect(spoolDirs().length).toBe(dirsBefore);
    const lines: string[] = [];
    spool.replayLines((line) => lines.push(line));
    expect(lines).toEqual(wanted);
    spool.close();
    expect(openSpoolFiles().length).toBe(filesBefore);
  });
});

describe('TextSpool with texts of every size', () => {
  it('keeps the order of small texts, texts that fill its buffer and texts larger than it, in memory and in its file', () => {
    for (const count of [40, 400]) {
      const spool = new TextSpool();
      const wanted: string[] = [];
      for (let i = 0; i < count; i++) {
        // sizes (code points) around the 64 KiB buffer (at 3 bytes a unit: 21,845 units fill it), multi-byte and surrogate pairs
        const size = [1, 21_000, 21_845, 21_846, 70_000, 5][i % 6] + (i % 7);
        // whole code points (a lone surrogate would come back as U+FFFD: texts here are well-formed, as JSON's are)
        const line = `${i} ${Array.from('é☎😀x'.repeat(Math.ceil(size / 4))).slice(0, size).join('')}`;
        wanted.push(line);
        spool.add(`${line}\n`);
      }
      const lines: string[] = [];
      spool.replayLines((line) => lines.push(line));
      expect(lines.length).toBe(wanted.length);
      expect(lines).toEqual(wanted);
      // and as bytes, each chunk its own (kept as handed over, none written over afterwards)
      const chunks: Uint8Array[] = [];
      spool.replayBytes((bytes) => (chunks.push(bytes), false));
      expect(Buffer.concat(chunks).toString('utf8')).toBe(`${wanted.join('\n')}\n`);
      // a writer done with each chunk (as a file is): the same text, one buffer read into again
      const copies: Buffer[] = [];
      const buffers = new Set<ArrayBufferLike>();
      spool.replayBytes((bytes) => (copies.push(Buffer.from(bytes)), buffers.add(bytes.buffer), true));
      expect(Buffer.concat(copies).toString('utf8') === `${wanted.join('\n')}\n`).toBe(true);
      if (count === 400) expect(buffers.size).toBeLessThan(4);
      spool.close();
    }
  });
});

describe('RecordSpool', () => {
  it('gives back a few records by number from memory, without a file', () => {
    const before = spoolDirs().length;
    const spool = new RecordSpool();
    spool.add('first');
    spool.add('');
    spool.add('third ☎');
    expect(spoolDirs().length).toBe(before);
    expect([spool.get(2), spool.get(0), spool.get(1)]).toEqual(['third ☎', 'first', '']);
    spool.close();
  });

  it('spills past 1 MiB to a temporary file (no name left on disk) and gives any record back by number, in any order (multi-byte, larger than a read), then closes it', () => {
    const dirsBefore = spoolDirs().length;
    const filesBefore = openSpoolFiles().length;
    const spool = new RecordSpool();
    const wanted: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const text = i === 7_000 ? `big ${'☎'.repeat(40_000)}` : `finding ${i} é ☎ ${'x'.repeat(i % 70)}`;
      wanted.push(text);
      spool.add(text);
    }
    expect(openSpoolFiles().length).toBe(filesBefore + 1);
    expect(spoolDirs().length).toBe(dirsBefore);
    expect(spool.size).toBe(30_000);
    // in order, backwards, and a fixed shuffle: every record whole and right, wherever the read window is
    const order = [...wanted.keys()];
    const shuffled = order.map((index) => (index * 7_919) % order.length);
    for (const indexes of [order, [...order].reverse(), shuffled]) {
      const got = indexes.map((index) => spool.get(index));
      expect(got).toEqual(indexes.map((index) => wanted[index]));
    }
    spool.close();
    expect(openSpoolFiles().length).toBe(filesBefore);
  });
});
