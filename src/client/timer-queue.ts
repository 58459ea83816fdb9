/**
 * One timer for all the client transactions of a layer (RFC 3261 §17.1 Timers A, B, E, F): entries sit in a binary
 * min-heap ordered by due time (ties: scheduling order), and a single global setTimeout is armed for the earliest.
 * Load mode runs hundreds of transactions at once; this replaces two timer objects and closures per transaction
 * and per retransmission by two reused entries. Times come from Date.now() and the global setTimeout, so tests can
 * drive them with fake time; an entry fires at its exact due time, as a setTimeout of its own would, unless it was
 * made with an `earlyMs` tolerance: then it also fires with an expiry up to that many ms before its due time.
 *
 * After a stall of the event loop (a loaded machine, the queue's timer more than STALL_MS late), due entries fire only
 * once the sockets are read (from setImmediate, after the loop's poll phase): Node runs expired timers before it
 * reads what arrived meanwhile, and Timer E would retransmit a request whose answer already waits in the socket
 * buffer. An entry cancelled or scheduled again by what was read does not fire. On time, they fire at once (a
 * deferral each time cost load mode ~12% more CPU: an extra turn of the loop per expiry).
 */

/** How late the queue's timer may fire before the loop counts as stalled, ms (timers are ~1 ms late when idle). */
export const STALL_MS = 20;

export class TimerEntry {
  /** Absolute due time (Date.now() clock), meaningful while scheduled. */
  due = 0;
  /** Position in the heap; -1 when not scheduled. */
  index = -1;
  /** Due, taken from the heap, and to fire once the sockets have been read (cancel or schedule clears it). */
  firing = false;
  order = 0;
  /**
   * @param earlyMs how much before its due time the entry may fire, ms: when the queue's timer fires for an earlier
   * entry, this one fires with it if it is due within `earlyMs`. 0 (the default): at its due time. A call's hold
   * uses it (test-call.ts): load mode ends hundreds of holds a second, a millisecond or so apart, and each firing
   * on its own was a wake-up of the process of its own.
   */
  constructor(
    readonly fire: () => void,
    readonly earlyMs = 0,
  ) {}

  get scheduled(): boolean {
    return this.index >= 0;
  }
}

export class TimerQueue {
  /**
   * @param afterReads after a stall, runs the firing of due entries once what arrived meanwhile has been read:
   * setImmediate (the event loop's check phase, after its poll phase).
   */
  constructor(private readonly afterReads: (fire: () => void) => void = setImmediate) {}

  private readonly heap: TimerEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedFor = Infinity;
  private scheduledCount = 0;
  /** Entries taken from the heap as due, fired by fireDue. */
  private due: TimerEntry[] = [];
  private readonly fireDue = (): void => {
    const due = this.due;
    this.due = [];
    for (const entry of due) {
      if (!entry.firing) continue;
      entry.firing = false;
      entry.fire();
    }
  };

  /** (Re)schedules `entry` to fire `delayMs` from now. */
  schedule(entry: TimerEntry, delayMs: number): void {
    entry.firing = false;
    if (entry.scheduled) this.remove(entry);
    entry.due = Date.now() + delayMs;
    entry.order = this.scheduledCount++;
    entry.index = this.heap.length;
    this.heap.push(entry);
    this.siftUp(entry.index);
    if (entry.due < this.armedFor) this.arm();
  }

  cancel(entry: TimerEntry): void {
    entry.firing = false;
    if (!entry.scheduled) return;
    this.remove(entry);
    if (this.heap.length === 0) this.disarm();
  }

  private arm(): void {
    this.disarm();
    const first = this.heap[0];
    if (first === undefined) return;
    this.armedFor = first.due;
    this.timer = setTimeout(() => this.expire(), Math.max(0, first.due - Date.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private expire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    // bounded: only entries scheduled before this expiry fire now; those scheduled while firing wait for the next
    const scheduledBefore = this.scheduledCount;
    const stalled = this.heap.length > 0 && now - this.heap[0].due > STALL_MS;
    while (this.heap.length > 0) {
      const entry = this.heap[0];
      if (entry.due > now + entry.earlyMs || entry.order >= scheduledBefore) break;
      this.remove(entry);
      if (!stalled) {
        entry.fire();
        continue;
      }
      entry.firing = true;
      if (this.due.push(entry) === 1) this.afterReads(this.fireDue);
    }
    if (this.heap.length > 0 && this.timer === undefined) this.arm();
  }

  private remove(entry: TimerEntry): void {
    const index = entry.index;
    const last = this.heap.pop()!;
    entry.index = -1;
    if (last === entry) return;
    this.heap[index] = last;
    last.index = index;
    this.siftDown(index);
    this.siftUp(last.index);
  }

  private before(a: TimerEntry, b: TimerEntry): boolean {
    return a.due < b.due || (a.due === b.due && a.order < b.order);
  }

  private siftUp(start: number): void {
    let index = start;
    const entry = this.heap[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.heap[parentIndex];
      if (!this.before(entry, parent)) break;
      this.heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    this.heap[index] = entry;
    entry.index = index;
  }

  private siftDown(start: number): void {
    let index = start;
    const entry = this.heap[index];
    const length = this.heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const child = right < length && this.before(this.heap[right], this.heap[left]) ? right : left;
      if (!this.before(this.heap[child], entry)) break;
      this.heap[index] = this.heap[child];
      this.heap[index].index = index;
      index = child;
    }
    this.heap[index] = entry;
    entry.index = index;
  }
}
