/**
 * The damaged captures of fixtures/captures/damaged/ are still what make-damaged.mjs makes of the recorded fixtures,
 * and tshark still reads them as their NAME.tshark.tsv / NAME.tshark.stderr say (those files are tshark's output,
 * never sipscope's). What sipscope must read of each is checked in damaged-tcp, damaged-udp and damaged-captures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damagedCaptures, tsharkReading } from '../../fixtures/captures/damaged/make-damaged.mjs';

const folder = join(import.meta.dirname, '../../fixtures/captures/damaged');

describe('fixtures/captures/damaged', () => {
  for (const [name, [what, bytes]] of Object.entries(damagedCaptures())) {
    it(`${name} (${what}): the bytes make-damaged.mjs makes, read by tshark as recorded`, () => {
      const path = join(folder, name);
      expect(readFileSync(path).equals(bytes)).toBe(true);
      const reading = tsharkReading(path);
      expect(reading.fields).toBe(readFileSync(`${path}.tshark.tsv`, 'utf8'));
      expect(reading.stderr).toBe(existsSync(`${path}.tshark.stderr`) ? readFileSync(`${path}.tshark.stderr`, 'utf8') : '');
    });
  }
});
