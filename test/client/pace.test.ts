/**
 * pace (load mode's launcher, src/client/load.ts) on fake time: the rate is held and never run ahead of, and above
 * 200 per second the launches come in ticks at least 5 ms apart (a few per tick), not in a tick of their own each.
 */
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { pace } from '../../src/client/load.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

test('1000/s: 40 launches in ticks 5 ms apart, none before its time (number n at n ms), all within 40 ms', async () => {
  const started = Date.now();
  const launchedAt: number[] = [];
  const done = pace({ count: 40, rate: 1000, userStart: 0, maxInFlight: 100 }, started, async () => {
    launchedAt.push(Date.now() - started);
  });
  await vi.advanceTimersByTimeAsync(100);
  await done;
  expect(launchedAt).toHaveLength(40);
  launchedAt.forEach((at, number) => expect(at).toBeGreaterThanOrEqual(number));
  const ticks = [...new Set(launchedAt)];
  for (let index = 1; index < ticks.length; index++) expect(ticks[index] - ticks[index - 1]).toBeGreaterThanOrEqual(5);
  expect(launchedAt.at(-1)).toBeLessThanOrEqual(40);
});

test('100/s: one launch per tick, 10 ms apart, as before', async () => {
  const started = Date.now();
  const launchedAt: number[] = [];
  const done = pace({ count: 10, rate: 100, userStart: 0, maxInFlight: 100 }, started, async () => {
    launchedAt.push(Date.now() - started);
  });
  await vi.advanceTimersByTimeAsync(200);
  await done;
  expect(launchedAt).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
});
