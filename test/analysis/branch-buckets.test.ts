/**
 * BranchBuckets (the transaction table's index by branch): against a model of one newest-first list per hash, through
 * inserts, unlinks and the doublings of its buckets, with hashes that collide (several transactions of one branch)
 * and hashes that share a bucket without being equal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BranchBuckets } from '../../src/analysis/branch-buckets.js';
import { NO_SLOT, TransactionSlots } from '../../src/analysis/transaction-slots.js';

/** The slots of a chain whose hash is `hash`, in chain order. */
function chainOf(buckets: BranchBuckets, slots: TransactionSlots, hash: number): number[] {
  const found: number[] = [];
  for (let slot = buckets.first(hash); slot !== NO_SLOT; slot = slots.nextSameKey[slot]) if (slots.branchHash[slot] === hash) found.push(slot);
  return found;
}

describe('BranchBuckets', () => {
  it('finds every linked slot under its hash, newest first, through inserts, unlinks and growth (model)', () => {
    // inserts four times as often as unlinks: past 512 linked slots the buckets double (at least once a run)
    const operation = fc.oneof(
      // few hashes: many slots per hash, as transactions of one branch (methods, sent-bys)
      { arbitrary: fc.record({ insert: fc.constant(true), hash: fc.integer({ min: -8, max: 8 }) }), weight: 2 },
      // any 32-bit hash: different hashes in one bucket
      { arbitrary: fc.record({ insert: fc.constant(true), hash: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }), weight: 2 },
      { arbitrary: fc.record({ insert: fc.constant(false), pick: fc.nat() }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1000, maxLength: 3000 }), (operations) => {
        const slots = new TransactionSlots();
        const buckets = new BranchBuckets(slots);
        const model = new Map<number, number[]>();
        const linked: number[] = [];
        for (const op of operations) {
          if ('hash' in op) {
            const slot = slots.take();
            buckets.insert(slot, op.hash);
            model.set(op.hash, [slot, ...(model.get(op.hash) ?? [])]);
            linked.push(slot);
          } else if (linked.length > 0) {
            const slot = linked.splice(op.pick % linked.length, 1)[0];
            const hash = slots.branchHash[slot];
            buckets.unlink(slot);
            slots.release(slot);
            model.set(hash, model.get(hash)!.filter((other) => other !== slot));
          }
        }
        for (const [hash, expected] of model) expect(chainOf(buckets, slots, hash)).toEqual(expected);
      }),
      // no shrinking of runs of thousands of operations: the first failing one is reported as it is
      { numRuns: 40, endOnFailure: true },
    );
  });

  it('forgets every slot when cleared', () => {
    const slots = new TransactionSlots();
    const buckets = new BranchBuckets(slots);
    for (let i = 0; i < 2000; i++) buckets.insert(slots.take(), i % 7);
    buckets.clear();
    for (let hash = 0; hash < 7; hash++) expect(buckets.first(hash)).toBe(NO_SLOT);
  });
});
