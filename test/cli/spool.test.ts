import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { TextSpool } from '../../src/cli/spool.js';

const spoolDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('sipscope-spool-'));

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

  it('spills past 1 MiB to a temporary file, gives every line back in order (multi-byte text across reads), removes the file', () => {
    const before = new Set(spoolDirs());
    const spool = new TextSpool();
    const wanted: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const line = `call ${i} é ☎ ${'x'.repeat(i % 50)}`;
      wanted.push(line);
      spool.add(`${line}\n`);
    }
    const made = spoolDirs().filter((name) => !before.has(name));
    expect(made.length).toBe(1);
    const lines: string[] = [];
    spool.replayLines((line) => lines.push(line));
    expect(lines).toEqual(wanted);
    spool.close();
    expect(existsSync(`${tmpdir()}/${made[0]}`)).toBe(false);
  });
});
