/**
 * The nonces a server issued, each with the highest nonce count (nc) accepted with it, so that an answer is taken
 * once: RFC 7616 §3.4 (nc lets the server "detect request replays by maintaining its own copy of this count -- if
 * the same nc-value is seen twice, then the request is a replay") and §5.5 (replay attacks). Bounded: past `capacity` nonces the oldest issued is
 * forgotten, and an answer on a forgotten nonce is for the caller to treat as stale (a fresh nonce, no new password).
 */
export class NonceCountTable {
  /** nonce -> highest nc accepted (0: issued, none accepted yet); Map order is issue order, oldest first. */
  private readonly highest = new Map<string, number>();

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError('nonce table capacity must be a positive integer');
  }

  get size(): number {
    return this.highest.size;
  }

  /** A nonce just issued; forgets the oldest ones beyond the capacity. */
  remember(nonce: string): void {
    this.highest.set(nonce, 0);
    for (const oldest of this.highest.keys()) {
      if (this.highest.size <= this.capacity) break;
      this.highest.delete(oldest);
    }
  }

  /** The highest nc accepted with this nonce (0 when none yet), or undefined for a nonce not (or no longer) held. */
  lastCount(nonce: string): number | undefined {
    return this.highest.get(nonce);
  }

  /** Records an accepted nc (only ever raises it, and only for a nonce still held). */
  accept(nonce: string, nonceCount: number): void {
    const last = this.highest.get(nonce);
    if (last !== undefined && nonceCount > last) this.highest.set(nonce, nonceCount);
  }
}
