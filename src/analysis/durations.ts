/** Call durations kept to the end of a streaming analysis: a growing Float64Array, 8 bytes a call. */
export class DurationList {
  private values = new Float64Array(1024);
  private count = 0;

  push(durationMs: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = durationMs;
  }

  /** The durations pushed so far (a view, not a copy). */
  view(): Float64Array {
    return this.values.subarray(0, this.count);
  }
}
