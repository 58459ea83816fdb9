/**
 * The state of open transactions, a slot each, field by field in columns: typed arrays for the numbers, plain
 * arrays for the strings and the call link. The matching rules are in transactions.ts; this module only holds.
 *
 * Why columns: a transaction lives 64*T1 after its last message (RFC 3261 §17), about 48,000 open at once on a
 * capture of 3,000 messages a second. As objects (the transaction, its request, a record per response, the boxed
 * times in each: about 600 bytes) every one outlived two scavenges and was copied twice, then promoted. In columns
 * the numbers are written in place in arrays that live in old space; only a transaction's strings are young.
 *
 * A slot is used again once its transaction closed (free list). `sequence` (order of opening) tells a transaction
 * from an earlier one of the same slot, so the expiry queue's entries of a closed transaction are skipped.
 */
import type { CallLink } from './calls.js';

/** No slot (no transaction, no next of a chain, no response). */
export const NO_SLOT = -1;

/** Bits of `flags`. */
export const FLAG = {
  /** Matched by the RFC 3261 branch (else by the RFC 2543 key). */
  byBranch: 1,
  /** Still in the table. */
  open: 2,
  /** The capture holds its request (else only responses of it). */
  hasRequest: 4,
  /** Its request was sent inside a dialog (To tag present). */
  inDialog: 8,
  /** An ACK for a non-2xx final response was seen (RFC 3261 §17.1.1.3). */
  acked: 16,
} as const;

const FIRST_CAPACITY = 1024;

/**
 * Slots handed out and given back (a free list, used again first), and columns grown to hold them: a subclass's
 * `resize` makes each of its columns `capacity` long, keeping the values.
 */
abstract class SlotColumns {
  protected capacity = FIRST_CAPACITY;
  /** Slots used so far (the high-water mark); below it, free ones are in `free`. */
  protected used = 0;
  protected readonly free: number[] = [];

  /** A slot, from the free list or past the used ones (the columns grown when full). */
  protected nextSlot(): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.used++;
    if (slot >= this.capacity) {
      this.capacity *= 2;
      this.resize(this.capacity);
    }
    return slot;
  }

  protected abstract resize(capacity: number): void;
}

export class TransactionSlots extends SlotColumns {
  // strings and links
  /** What the table finds it by: the RFC 3261 branch, or the whole RFC 2543 key. */
  readonly lookupKey: Array<string | undefined> = new Array(FIRST_CAPACITY);
  /** Top Via sent-by of its request (RFC 3261 §17.2.3). */
  readonly sentBy: Array<string | undefined> = new Array(FIRST_CAPACITY);
  /** Method of the request (CSeq method when only responses were captured). */
  readonly method: Array<string | undefined> = new Array(FIRST_CAPACITY);
  readonly callId: Array<string | undefined> = new Array(FIRST_CAPACITY);
  /** Username of its request's Authorization / Proxy-Authorization, if any. */
  readonly credentialUsername: Array<string | undefined> = new Array(FIRST_CAPACITY);
  /** The call it belongs to, when counted in the call's open transactions. */
  readonly call: Array<CallLink | undefined> = new Array(FIRST_CAPACITY);

  // numbers
  /** Order of opening (closeAll closes in this order; tells queued entries of an earlier transaction of the slot). */
  sequence = new Float64Array(FIRST_CAPACITY);
  lastTimeUs = new Float64Array(FIRST_CAPACITY);
  cseqNumber = new Float64Array(FIRST_CAPACITY);
  /** First transmission of the request (frame and time). */
  requestPacket = new Float64Array(FIRST_CAPACITY);
  requestTimeUs = new Float64Array(FIRST_CAPACITY);
  /** textHash of the request's start line and To tag (a repeated request has the same, RFC 3261 §17.2.3). */
  startLineHash = new Int32Array(FIRST_CAPACITY);
  toTagHash = new Int32Array(FIRST_CAPACITY);
  requestSends = new Int32Array(FIRST_CAPACITY);
  /** Retransmitted requests, responses and ACKs of it. */
  retransmissions = new Int32Array(FIRST_CAPACITY);
  flags = new Uint8Array(FIRST_CAPACITY);
  /**
   * The next open transaction in its chain: of a transaction matched by branch, the next of its BranchBuckets chain
   * (branch-buckets.ts); of one matched by the RFC 2543 key, the next with the same key.
   */
  nextSameKey = new Int32Array(FIRST_CAPACITY);
  /** textHash of the branch of a transaction matched by branch (its BranchBuckets chain). */
  branchHash = new Int32Array(FIRST_CAPACITY);
  /** Its first distinct response (a ResponseSlots slot; the others follow by `next`). */
  firstResponse = new Int32Array(FIRST_CAPACITY);
  /** Its first final (>= 200) response, one of its responses. */
  finalResponse = new Int32Array(FIRST_CAPACITY);

  /**
   * A slot for a new transaction, its counters, flags and links cleared; its strings and call link are undefined
   * (never set, or let go by release), the caller sets those it has.
   */
  take(): number {
    const slot = this.nextSlot();
    this.requestSends[slot] = 0;
    this.retransmissions[slot] = 0;
    this.flags[slot] = FLAG.open;
    this.nextSameKey[slot] = NO_SLOT;
    this.firstResponse[slot] = NO_SLOT;
    this.finalResponse[slot] = NO_SLOT;
    return slot;
  }

  /** Gives a closed transaction's slot back; its strings and link are let go. */
  release(slot: number): void {
    this.flags[slot] = 0;
    this.lookupKey[slot] = undefined;
    this.sentBy[slot] = undefined;
    this.method[slot] = undefined;
    this.callId[slot] = undefined;
    this.credentialUsername[slot] = undefined;
    this.call[slot] = undefined;
    this.free.push(slot);
  }

  /** Slots whose transaction is open, in no order. */
  openSlots(): number[] {
    const open: number[] = [];
    for (let slot = 0; slot < this.used; slot++) if ((this.flags[slot] & FLAG.open) !== 0) open.push(slot);
    return open;
  }

  protected resize(capacity: number): void {
    this.sequence = grown(this.sequence, capacity);
    this.lastTimeUs = grown(this.lastTimeUs, capacity);
    this.cseqNumber = grown(this.cseqNumber, capacity);
    this.requestPacket = grown(this.requestPacket, capacity);
    this.requestTimeUs = grown(this.requestTimeUs, capacity);
    this.startLineHash = grown(this.startLineHash, capacity);
    this.toTagHash = grown(this.toTagHash, capacity);
    this.requestSends = grown(this.requestSends, capacity);
    this.retransmissions = grown(this.retransmissions, capacity);
    this.flags = grown(this.flags, capacity);
    this.nextSameKey = grown(this.nextSameKey, capacity);
    this.branchHash = grown(this.branchHash, capacity);
    this.firstResponse = grown(this.firstResponse, capacity);
    this.finalResponse = grown(this.finalResponse, capacity);
    for (const column of [this.lookupKey, this.sentBy, this.method, this.callId, this.credentialUsername, this.call]) column.length = capacity;
  }
}

/**
 * The distinct responses (status and To tag) of the open transactions, a slot each, chained per transaction in the
 * order first seen. packetNumber and timeUs are the first transmission's.
 */
export class ResponseSlots extends SlotColumns {
  status = new Int32Array(FIRST_CAPACITY);
  toTagHash = new Int32Array(FIRST_CAPACITY);
  /** Times it was seen (1 + retransmissions). */
  sends = new Int32Array(FIRST_CAPACITY);
  packetNumber = new Float64Array(FIRST_CAPACITY);
  timeUs = new Float64Array(FIRST_CAPACITY);
  /** The transaction's next response, NO_SLOT after its last. */
  next = new Int32Array(FIRST_CAPACITY);

  take(): number {
    const slot = this.nextSlot();
    this.next[slot] = NO_SLOT;
    return slot;
  }

  /** Gives back a whole chain, from its first response. */
  releaseChain(first: number): void {
    for (let slot = first; slot !== NO_SLOT; slot = this.next[slot]) this.free.push(slot);
  }

  protected resize(capacity: number): void {
    this.status = grown(this.status, capacity);
    this.toTagHash = grown(this.toTagHash, capacity);
    this.sends = grown(this.sends, capacity);
    this.packetNumber = grown(this.packetNumber, capacity);
    this.timeUs = grown(this.timeUs, capacity);
    this.next = grown(this.next, capacity);
  }
}

type Column = Float64Array | Int32Array | Uint8Array;

/** A column of `capacity` slots holding the old one's values. */
function grown<T extends Column>(column: T, capacity: number): T {
  const larger = new (column.constructor as new (length: number) => T)(capacity);
  larger.set(column);
  return larger;
}
