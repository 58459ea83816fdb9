/**
 * Several files made from one fixture capture with Wireshark's own tools, for the tests of reading several files
 * as one capture: a ring (`editcap -c`, as a capture ring buffer writes) or frames dealt to files in turn
 * (`editcap -r`, so that a message's TCP segments or IP fragments land in different files).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Frames in a capture, as capinfos counts them. */
export function frameCount(capture: string): number {
  return Number(/(\d+)\s*$/.exec(execFileSync('capinfos', ['-c', '-M', capture], { encoding: 'utf8' }))![1]);
}

/** `capture` cut into files of `perFile` frames (NAME_00000_<time>.pcap ...), in order. */
export function ringOf(capture: string, perFile: number, dir: string, name: string): string[] {
  execFileSync('editcap', ['-c', String(perFile), capture, join(dir, `${name}.pcap`)], { stdio: 'ignore' });
  return readdirSync(dir)
    .filter((entry) => entry.startsWith(`${name}_`))
    .sort()
    .map((entry) => join(dir, entry));
}

/** The frames of `capture` in blocks of `block`, dealt to `files` files in turn. */
export function dealFrames(capture: string, block: number, files: number, dir: string, name: string): string[] {
  const frames = frameCount(capture);
  const ranges: string[][] = Array.from({ length: files }, () => []);
  for (let first = 1, turn = 0; first <= frames; first += block, turn = (turn + 1) % files) {
    ranges[turn].push(`${first}-${Math.min(frames, first + block - 1)}`);
  }
  const parts = ranges.map((list, index) => {
    const part = join(dir, `${name}-${index}.pcap`);
    execFileSync('editcap', ['-r', capture, part, ...list], { stdio: 'ignore' });
    return part;
  });
  // editcap takes at most 512 selections and says so only on stderr: every frame must have been dealt
  const dealt = parts.reduce((sum, part) => sum + frameCount(part), 0);
  if (dealt !== frames) throw new Error(`editcap dealt ${dealt} of the ${frames} frames of ${capture}: use larger blocks`);
  return parts;
}
