/** A binary min-heap for the k-way merge of capture files: earliest packet first, ties to the earlier input. */

export interface MergeSource {
  /** Position of the input on the command line. */
  index: number;
  /** Capture time of the source's current packet. */
  currentTimeUs(): number;
  /** Nanoseconds past it (0..999) when the capture has finer resolution. */
  currentTimeExtraNs(): number;
}

export class MergeHeap<T extends MergeSource> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  /** The source whose current packet is earliest. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Call after the top source moved to its next packet. */
  topChanged(): void {
    this.down(0);
  }

  /** Removes the top source (it has no more packets). */
  pop(): T | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length > 0 && last !== undefined) {
      this.items[0] = last;
      this.down(0);
    }
    return top;
  }

  private before(a: T, b: T): boolean {
    const timeA = a.currentTimeUs();
    const timeB = b.currentTimeUs();
    if (timeA !== timeB) return timeA < timeB;
    const extraA = a.currentTimeExtraNs();
    const extraB = b.currentTimeExtraNs();
    // as mergecap: the earlier timestamp first, equal ones in input order
    return extraA < extraB || (extraA === extraB && a.index < b.index);
  }

  private up(at: number): void {
    const items = this.items;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.before(items[at], items[parent])) return;
      [items[at], items[parent]] = [items[parent], items[at]];
      at = parent;
    }
  }

  private down(at: number): void {
    const items = this.items;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let smallest = at;
      if (left < items.length && this.before(items[left], items[smallest])) smallest = left;
      if (right < items.length && this.before(items[right], items[smallest])) smallest = right;
      if (smallest === at) return;
      [items[at], items[smallest]] = [items[smallest], items[at]];
      at = smallest;
    }
  }
}
