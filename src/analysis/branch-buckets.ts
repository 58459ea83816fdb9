/**
 * The open transactions matched by branch (RFC 3261 §17.1.3, §17.2.3), found by their top Via branch: a hash table
 * of chains over the transaction slots (transaction-slots.ts), keyed by textHash of the branch. A chain holds every
 * open transaction whose branch hashes to its bucket, newest first (so the transactions of one branch, another
 * method or sent-by, are in the order they opened, newest first, as RFC 3261 matching reads them); the caller tells
 * them apart by `branchHash` first, then by the strings.
 *
 * Why not a Map keyed by the branch: ~50,000 transactions are open at once on a busy capture (64*T1 after their
 * last message), and a Map lookup compared the message's branch with the keys' strings along a bucket's chain, a
 * cache miss for each key string it read, half the lookups being misses (every request opening a transaction).
 * Here a chain is walked in typed arrays and a string is compared only where the hash matched.
 */
import { hashBucket } from './own-copy.js';
import { NO_SLOT, type TransactionSlots } from './transaction-slots.js';

/** Buckets at first, and at most open transactions per bucket before the table doubles. */
const FIRST_BUCKETS = 1024;
const MAX_LOAD = 0.5;

export class BranchBuckets {
  private heads = new Int32Array(FIRST_BUCKETS).fill(NO_SLOT);
  private bits = Math.log2(FIRST_BUCKETS);
  private linked = 0;

  constructor(private readonly slots: TransactionSlots) {}

  /** The first transaction of the chain `hash` (a branch's textHash) is in: walk on by slots.nextSameKey. */
  first(hash: number): number {
    return this.heads[this.bucketOf(hash)];
  }

  /** Links a transaction whose branch hashes to `hash` at the front of its chain (slots.branchHash is set here). */
  insert(slot: number, hash: number): void {
    if (this.linked + 1 > this.heads.length * MAX_LOAD) this.grow();
    this.slots.branchHash[slot] = hash;
    const bucket = this.bucketOf(hash);
    this.slots.nextSameKey[slot] = this.heads[bucket];
    this.heads[bucket] = slot;
    this.linked++;
  }

  /** Unlinks a transaction inserted before. */
  unlink(slot: number): void {
    const next = this.slots.nextSameKey;
    const bucket = this.bucketOf(this.slots.branchHash[slot]);
    let at = this.heads[bucket];
    if (at === slot) {
      this.heads[bucket] = next[slot];
    } else {
      while (at !== NO_SLOT && next[at] !== slot) at = next[at];
      if (at === NO_SLOT) return;
      next[at] = next[slot];
    }
    next[slot] = NO_SLOT;
    this.linked--;
  }

  clear(): void {
    this.heads.fill(NO_SLOT);
    this.linked = 0;
  }

  private bucketOf(hash: number): number {
    return hashBucket(hash, this.bits);
  }

  /** Twice the buckets, every chain relinked (newest-first order kept within a bucket's share of each old chain). */
  private grow(): void {
    const old = this.heads;
    const next = this.slots.nextSameKey;
    const hashes = this.slots.branchHash;
    this.heads = new Int32Array(old.length * 2).fill(NO_SLOT);
    this.bits++;
    // each old chain splits in two new ones; appending at their tails keeps the order of the old chain
    const tails = new Int32Array(this.heads.length).fill(NO_SLOT);
    for (let bucket = 0; bucket < old.length; bucket++) {
      for (let slot = old[bucket]; slot !== NO_SLOT; ) {
        const following = next[slot];
        const target = this.bucketOf(hashes[slot]);
        next[slot] = NO_SLOT;
        if (tails[target] === NO_SLOT) this.heads[target] = slot;
        else next[tails[target]] = slot;
        tails[target] = slot;
        slot = following;
      }
    }
  }
}
