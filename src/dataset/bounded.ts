/**
 * A map that forgets its oldest entries beyond a size, in two generations: entries go to the young map; when it
 * holds half the capacity, it becomes the old one and the previous old one is dropped whole. Every operation is
 * O(1). (Deleting a Map's oldest entry one at a time is not: V8 keeps deleted entries as holes until it rehashes,
 * and `keys().next()` walks them, so evicting that way costs time quadratic in the entries: 50 s for 500k here.)
 */
export class GenerationalMap<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  has(key: string): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  set(key: string, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.capacity / 2) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
