/** docs/dataset.md documents every table and column of src/dataset/schema.ts with its type. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TABLE_NAMES, TABLES } from '../../src/dataset/index.js';

const doc = readFileSync('docs/dataset.md', 'utf8');

describe('docs/dataset.md', () => {
  for (const table of TABLE_NAMES) {
    it(`lists every column of ${table} with its type`, () => {
      const section = doc.split(`\n### ${table}\n`)[1]?.split('\n### ')[0] ?? '';
      const documented = [...section.matchAll(/^\| `([a-z_]+)` \| ([A-Z[\]]+) \|/gm)].map(([, name, type]) => [name, type]);
      expect(documented).toEqual(TABLES[table].map((column) => [column.name, column.type]));
    });
  }
});
