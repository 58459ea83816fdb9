/**
 * TimerQueue: entries fire at their exact due times, in due order (ties in scheduling order), once; cancel and
 * reschedule work from inside a firing; one global timer at most, none when nothing is scheduled. An entry made with
 * an early tolerance also fires with an expiry up to that many ms before its due time, never earlier and never alone.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { STALL_MS, TimerEntry, TimerQueue } from '../../src/client/timer-queue.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('TimerQueue', () => {
  test('fires each entry at its due time, in due order, with one global timer', () => {
    const queue = new TimerQueue();
    const start = Date.now();
    const fired: [string, number][] = [];
    const entry = (name: string) => new TimerEntry(() => fired.push([name, Date.now() - start]));
    const delays: [string, number][] = [['c', 300], ['a', 100], ['d', 300], ['b', 200], ['e', 50]];
    for (const [name, delay] of delays) queue.schedule(entry(name), delay);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([['e', 50], ['a', 100], ['b', 200], ['c', 300], ['d', 300]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('cancel removes an entry (head, middle or last); cancelling everything leaves no timer', () => {
    const queue = new TimerQueue();
    const fired: string[] = [];
    const entries = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => new TimerEntry(() => fired.push(name)));
    entries.forEach((entry, index) => queue.schedule(entry, 100 * (index + 1)));
    queue.cancel(entries[0]);
    queue.cancel(entries[3]);
    queue.cancel(entries[5]);
    queue.cancel(entries[5]);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['b', 'c', 'e']);
    const lone = new TimerEntry(() => fired.push('lone'));
    queue.schedule(lone, 100);
    queue.cancel(lone);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('rescheduling from inside its own firing repeats it (doubling intervals, like Timer E)', () => {
    const queue = new TimerQueue();
    const start = Date.now();
    const times: number[] = [];
    let interval = 500;
    const entry: TimerEntry = new TimerEntry(() => {
      times.push(Date.now() - start);
      interval = Math.min(2 * interval, 4000);
      if (times.length < 6) queue.schedule(entry, interval);
    });
    queue.schedule(entry, interval);
    vi.advanceTimersByTime(20_000);
    expect(times).toEqual([500, 1500, 3500, 7500, 11500, 15500]);
  });

  test('an earlier entry scheduled later re-arms the timer; a firing entry can cancel another one due at once', () => {
    const queue = new TimerQueue();
    const start = Date.now();
    const fired: [string, number][] = [];
    const late = new TimerEntry(() => fired.push(['late', Date.now() - start]));
    queue.schedule(late, 1000);
    const victim = new TimerEntry(() => fired.push(['victim', Date.now() - start]));
    const killer = new TimerEntry(() => {
      fired.push(['killer', Date.now() - start]);
      queue.cancel(victim);
    });
    queue.schedule(killer, 200);
    queue.schedule(victim, 200);
    vi.advanceTimersByTime(2000);
    expect(fired).toEqual([['killer', 200], ['late', 1000]]);
  });

  test('an entry with earlyMs fires with an expiry at most that much before its due time; without, it waits', () => {
    const queue = new TimerQueue();
    const start = Date.now();
    const fired: [string, number][] = [];
    const entry = (name: string, earlyMs?: number) => new TimerEntry(() => fired.push([name, Date.now() - start]), earlyMs);
    queue.schedule(entry('first'), 100);
    queue.schedule(entry('tolerant', 2), 102); // within 2 ms of the expiry at 100: goes with it
    queue.schedule(entry('too-far', 2), 103); // 3 ms: waits for its own time
    queue.schedule(entry('exact'), 104); // no tolerance: at its own time
    const lone = entry('lone', 2);
    queue.schedule(lone, 200); // nothing fires before it: at its own time, not earlier
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([['first', 100], ['tolerant', 100], ['too-far', 103], ['exact', 104], ['lone', 200]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('after a stall (the timer fired over STALL_MS late), due entries fire after the reads of the event loop (setImmediate); one cancelled or rescheduled meanwhile does not', async () => {
    const queue = new TimerQueue();
    const fired: string[] = [];
    const kept = new TimerEntry(() => fired.push('kept'));
    const cancelled = new TimerEntry(() => fired.push('cancelled'));
    const rescheduled = new TimerEntry(() => fired.push('rescheduled'));
    for (const entry of [kept, cancelled, rescheduled]) queue.schedule(entry, 100);
    // the clock moves on while the loop is held up: the timer runs STALL_MS + 1 ms after the entries' due time
    vi.setSystemTime(Date.now() + STALL_MS + 1);
    vi.advanceTimersByTime(100);
    // taken as due, not fired yet: what the loop reads now (an answer) may still cancel them
    expect(fired).toEqual([]);
    queue.cancel(cancelled);
    queue.schedule(rescheduled, 500);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toEqual(['kept']);
    // on time, an entry fires at once
    vi.advanceTimersByTime(500);
    expect(fired).toEqual(['kept', 'rescheduled']);
  });
});
