/**
 * The outcome of a request: its final response, attributed to a username when one is known. The analyzer builds
 * one per final response (retransmissions left out) and hands it to the timeline and the detectors that judge
 * credentials and server errors.
 */
import { hashBucket, textHash } from './own-copy.js';

export interface RequestOutcome {
  /** Credential username, else the call's owner, else a REGISTER's To user or the From user. */
  username?: string;
  /** The request carried Authorization / Proxy-Authorization for this username (it answered a challenge). */
  credentialSent: boolean;
  method: string;
  callId: string;
  cseqNumber: number;
  status: number;
  /** stale=true in a 401/407 (RFC 7616 §3.3): the nonce expired, the credentials were right. */
  stale: boolean;
  timeUs: number;
  requestPacket?: number;
  responsePacket: number;
  /** The request was sent inside a dialog (To tag present). */
  inDialog: boolean;
}

export function isChallenge(outcome: RequestOutcome): boolean {
  return outcome.status === 401 || outcome.status === 407;
}

export function isSuccess(outcome: RequestOutcome): boolean {
  return outcome.status >= 200 && outcome.status < 300;
}

/** Same request seen on several hops (or a repeated final): identifies it across hops. */
export function requestIdentity(outcome: RequestOutcome): string {
  // join, not a template: a flat string of its own (a concatenation is a tree of its pieces in V8, and the
  // Call-ID piece is a slice of the message: kept as a set entry, it would keep the message alive)
  return [outcome.callId, outcome.cseqNumber, outcome.method].join(' ');
}

/** One outcome (request identity and status): a flat string of its own, as requestIdentity. */
export function outcomeIdentity(outcome: RequestOutcome): string {
  return [outcome.callId, outcome.cseqNumber, outcome.method, outcome.status].join(' ');
}

/**
 * A set that forgets its oldest entries beyond a size: dedupe memory stays bounded. The eviction order is a ring
 * of the entries (taking a Set's first value after many deletions walks V8's deleted-entry holes every time).
 */
export class BoundedSet {
  private readonly entries = new Set<string>();
  private readonly order: string[] = [];
  private oldest = 0;
  constructor(private readonly capacity = 50_000) {}

  /** Adds; returns false when it was already there. */
  add(text: string): boolean {
    if (this.entries.has(text)) return false;
    const value = text;
    this.entries.add(value);
    if (this.order.length < this.capacity) {
      this.order.push(value);
    } else {
      this.entries.delete(this.order[this.oldest]);
      this.order[this.oldest] = value;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
    return true;
  }

  has(value: string): boolean {
    return this.entries.has(value);
  }
}

/**
 * Outcomes already judged (request identity and status, as outcomeIdentity), bounded: the last `capacity` are
 * remembered, as BoundedSet does. Held in a ring of flat slots (typed arrays; an outcome is its number in the order
 * judged, its slot that number modulo the capacity): nothing is allocated per outcome, and an outcome is forgotten
 * by being overwritten. Found by a hash table of chains over the ring, keyed by textHash of the Call-ID (each chain
 * newest first, its numbers going down, so a walk stops at the first forgotten one): no identity string is built
 * and hashed per final response, and where a Map keyed by the Call-ID compared the message's string with the keys'
 * (a cache miss each, ~50,000 keys), a chain is walked in typed arrays and a string compared only where the hash
 * matched.
 */
export class JudgedOutcomes {
  /** Per bucket (hashBucket of the Call-ID's hash): the number of the newest outcome whose Call-ID falls in it (-1: none). */
  private readonly newestInBucket: Float64Array;
  private readonly bucketBits: number;
  /** Per slot: the outcome's Call-ID and its hash, CSeq number, method and status, and the previous outcome of its bucket (-1: none). */
  private readonly callIds: string[] = [];
  private readonly callIdHashes: Int32Array;
  private readonly cseqNumbers: Float64Array;
  /** Grown to `capacity` as outcomes come (the typed arrays' pages are only touched as they are written). */
  private readonly methods: string[] = [];
  private readonly statuses: Float64Array;
  private readonly previousInBucket: Float64Array;
  /** Outcomes judged so far (the next one's number). */
  private judgedCount = 0;

  constructor(private readonly capacity = 50_000) {
    // at least twice as many buckets as outcomes remembered: chains of about one
    this.bucketBits = Math.max(4, Math.ceil(Math.log2(2 * capacity)));
    this.newestInBucket = new Float64Array(2 ** this.bucketBits).fill(-1);
    this.callIdHashes = new Int32Array(capacity);
    this.cseqNumbers = new Float64Array(capacity);
    this.statuses = new Float64Array(capacity);
    this.previousInBucket = new Float64Array(capacity);
  }

  /** Adds; returns false when it was already there. */
  add(outcome: RequestOutcome): boolean {
    const { callId, cseqNumber, method, status } = outcome;
    const capacity = this.capacity;
    const hash = textHash(callId);
    const bucket = hashBucket(hash, this.bucketBits);
    // outcomes numbered below this one are forgotten (numbers go down along a chain)
    const oldestKept = this.judgedCount - capacity;
    const newest = this.newestInBucket[bucket];
    for (let number = newest; number >= 0 && number >= oldestKept; number = this.previousInBucket[number % capacity]) {
      const slot = number % capacity;
      if (
        this.callIdHashes[slot] === hash &&
        this.cseqNumbers[slot] === cseqNumber &&
        this.statuses[slot] === status &&
        this.methods[slot] === method &&
        this.callIds[slot] === callId
      ) {
        return false;
      }
    }
    const number = this.judgedCount++;
    const slot = number % capacity;
    this.callIdHashes[slot] = hash;
    this.cseqNumbers[slot] = cseqNumber;
    this.statuses[slot] = status;
    if (slot === this.methods.length) {
      this.methods.push(method);
      this.callIds.push(callId);
    } else {
      this.methods[slot] = method;
      this.callIds[slot] = callId;
    }
    this.previousInBucket[slot] = newest;
    this.newestInBucket[bucket] = number;
    return true;
  }
}

/** Packets of an outcome, request first. */
export function outcomePackets(outcome: RequestOutcome): number[] {
  return outcome.requestPacket !== undefined ? [outcome.requestPacket, outcome.responsePacket] : [outcome.responsePacket];
}
