import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { boundingYoungGeneration, youngGenerationBounded } from '../../src/cli/heap-growth.js';

// Each test file runs in a process of its own (vitest.config.ts, pool 'forks'): the V8 flag set here stays here.
describe('boundingYoungGeneration', () => {
  it('passes every message on, looks at the new space every 1024th, and stops its growth once it is large enough', () => {
    const seen: number[] = [];
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_size;
    // a bound above the new space's size and its maximum: never reached, the growth goes on
    const unreached = boundingYoungGeneration<number>((n) => seen.push(n), 1 << 30);
    for (let n = 0; n < 4096; n++) unreached(n);
    expect(seen).toHaveLength(4096);
    expect(seen[4095]).toBe(4095);
    expect(youngGenerationBounded()).toBe(false);
    // a bound the new space already holds: stopped at the first look, the 1024th message, not before
    const reached = boundingYoungGeneration<number>(undefined, newSpace);
    for (let n = 0; n < 1023; n++) reached(n);
    expect(youngGenerationBounded()).toBe(false);
    reached(1023);
    expect(youngGenerationBounded()).toBe(true);
  });
});
