/**
 * The outcome of a request: its final response, attributed to a username when one is known. The analyzer builds
 * one per final response (retransmissions left out) and hands it to the timeline and the detectors that judge
 * credentials and server errors.
 */
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
 * remembered, as BoundedSet does. Found by Call-ID (the transaction's own string, whose hash V8 computed when it was
 * first looked up: no identity string is built and hashed per final response), and held in a ring of flat slots
 * (typed arrays; an outcome is its number in the order judged, its slot that number modulo the capacity) rather
 * than an array per Call-ID: nothing is allocated per outcome, and an outcome is forgotten by being overwritten.
 */
export class JudgedOutcomes {
  /**
   * Per Call-ID: the number of its newest outcome. An entry whose outcomes are all forgotten stays until the next
   * sweep (every `capacity` outcomes), so the map holds at most twice `capacity` Call-IDs.
   */
  private readonly newestByCallId = new Map<string, number>();
  /** Per slot: the outcome's CSeq number, method and status, and the number of the previous outcome of its Call-ID (-1: none). */
  private readonly cseqNumbers: Float64Array;
  /** Grown to `capacity` as outcomes come (the typed arrays' pages are only touched as they are written). */
  private readonly methods: string[] = [];
  private readonly statuses: Float64Array;
  private readonly previousOfCallId: Float64Array;
  /** Outcomes judged so far (the next one's number). */
  private judgedCount = 0;
  private nextSweepAt: number;

  constructor(private readonly capacity = 50_000) {
    this.cseqNumbers = new Float64Array(capacity);
    this.statuses = new Float64Array(capacity);
    this.previousOfCallId = new Float64Array(capacity);
    this.nextSweepAt = capacity;
  }

  /** Adds; returns false when it was already there. */
  add(outcome: RequestOutcome): boolean {
    const { callId, cseqNumber, method, status } = outcome;
    const capacity = this.capacity;
    // outcomes numbered below this one are forgotten (numbers of one Call-ID go down along its chain)
    const oldestKept = this.judgedCount - capacity;
    const newest = this.newestByCallId.get(callId);
    for (let number = newest ?? -1; number >= 0 && number >= oldestKept; number = this.previousOfCallId[number % capacity]) {
      const slot = number % capacity;
      if (this.cseqNumbers[slot] === cseqNumber && this.methods[slot] === method && this.statuses[slot] === status) return false;
    }
    const number = this.judgedCount++;
    const slot = number % capacity;
    this.cseqNumbers[slot] = cseqNumber;
    if (slot === this.methods.length) this.methods.push(method);
    else this.methods[slot] = method;
    this.statuses[slot] = status;
    this.previousOfCallId[slot] = newest ?? -1;
    this.newestByCallId.set(callId, number);
    if (this.judgedCount >= this.nextSweepAt) this.sweep();
    return true;
  }

  /** Drops the Call-IDs whose outcomes are all forgotten. */
  private sweep(): void {
    const oldestKept = this.judgedCount - this.capacity;
    for (const [callId, newest] of this.newestByCallId) if (newest < oldestKept) this.newestByCallId.delete(callId);
    this.nextSweepAt = this.judgedCount + this.capacity;
  }
}

/** Packets of an outcome, request first. */
export function outcomePackets(outcome: RequestOutcome): number[] {
  return outcome.requestPacket !== undefined ? [outcome.requestPacket, outcome.responsePacket] : [outcome.responsePacket];
}
