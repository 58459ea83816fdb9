/**
 * Things due at a capture time, in the order they were queued (times queued in capture order, so it is also time
 * order): a ring buffer, so taking the due ones from its head costs only them. Used for expiry (transactions,
 * finished Call-IDs) and the calls waiting to be reported. Walking a Map from its start instead is not free: V8
 * keeps deleted entries as holes until it rehashes, so every walk passes all entries deleted since.
 *
 * Entries are never removed from the middle: a consumer that re-queues an item (touched again) skips the stale
 * entry when it comes due (see the `due` callback). An entry may carry a stamp (a number the consumer gives, e.g.
 * which transaction a reused slot held when queued), read back in `takenStamp`.
 */
export class TimedQueue<T> {
  private items: Array<T | undefined> = new Array(1024);
  private times = new Float64Array(1024);
  private stamps = new Float64Array(1024);
  private head = 0;
  private count = 0;
  /** Time and stamp of the entry the last takeNextDue returned. */
  takenUs = 0;
  takenStamp = 0;

  get size(): number {
    return this.count;
  }

  push(item: T, timeUs: number, stamp = 0): void {
    if (this.count === this.items.length) this.grow();
    const at = (this.head + this.count) % this.items.length;
    this.items[at] = item;
    this.times[at] = timeUs;
    this.stamps[at] = stamp;
    this.count++;
  }

  /** Whether an entry is due at `untilUs` (lets a caller build its `due` callback only when one is). */
  hasDue(untilUs: number): boolean {
    return this.count > 0 && this.times[this.head] <= untilUs;
  }

  /** Takes every entry queued at or before `untilUs` from the head, handing each to `due` (oldest first). */
  takeDue(untilUs: number, due: (item: T, timeUs: number) => void): void {
    while (this.count > 0 && this.times[this.head] <= untilUs) {
      const item = this.items[this.head] as T;
      const timeUs = this.times[this.head];
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.items.length;
      this.count--;
      due(item, timeUs);
    }
  }

  /**
   * Takes the head entry when it is queued at or before `untilUs` and returns its item (its time in `takenUs`, its
   * stamp in `takenStamp`); undefined when none is due (with Infinity: the head entry, undefined when empty). A loop
   * over it needs no callback: no closure per call, no number boxed to pass.
   */
  takeNextDue(untilUs: number): T | undefined {
    if (this.count === 0 || this.times[this.head] > untilUs) return undefined;
    const item = this.items[this.head] as T;
    this.takenUs = this.times[this.head];
    this.takenStamp = this.stamps[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  /** Takes the head entry (item and time), whether due or not. */
  shift(): [T, number] | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head] as T;
    const timeUs = this.times[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return [item, timeUs];
  }

  clear(): void {
    this.items = new Array(1024);
    this.times = new Float64Array(1024);
    this.stamps = new Float64Array(1024);
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    const items: Array<T | undefined> = new Array(this.items.length * 2);
    const times = new Float64Array(this.items.length * 2);
    const stamps = new Float64Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) % this.items.length;
      items[i] = this.items[from];
      times[i] = this.times[from];
      stamps[i] = this.stamps[from];
    }
    this.items = items;
    this.times = times;
    this.stamps = stamps;
    this.head = 0;
  }
}
