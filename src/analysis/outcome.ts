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
 * Outcomes already judged (request identity and status, as outcomeIdentity), bounded and forgetting the oldest as
 * BoundedSet does, but found by Call-ID: the Call-ID is the transaction's own string, whose hash V8 computed when
 * it was first looked up, so no identity string is built and hashed per final response.
 */
export class JudgedOutcomes {
  /** Per Call-ID: CSeq number, method and status of each outcome, in the order judged. */
  private readonly byCallId = new Map<string, Array<number | string>>();
  /** Call-ID of each outcome, in the order judged (a ring once full). */
  private readonly order: string[] = [];
  /**
   * The list each outcome of `order` went into: the one under its Call-ID until its last outcome is forgotten (a
   * list is dropped only then), so forgetting needs no lookup of the Call-ID.
   */
  private readonly orderLists: Array<Array<number | string>> = [];
  private oldest = 0;
  constructor(private readonly capacity = 50_000) {}

  /** Adds; returns false when it was already there. */
  add(outcome: RequestOutcome): boolean {
    const { callId, cseqNumber, method, status } = outcome;
    let list = this.byCallId.get(callId);
    if (list === undefined) {
      // a literal: exactly three slots (an empty array pushed to reserves 17)
      list = [cseqNumber, method, status];
      this.byCallId.set(callId, list);
    } else {
      for (let i = 0; i < list.length; i += 3) if (list[i] === cseqNumber && list[i + 1] === method && list[i + 2] === status) return false;
      list.push(cseqNumber, method, status);
    }
    if (this.order.length < this.capacity) {
      this.order.push(callId);
      this.orderLists.push(list);
    } else {
      const evictedList = this.orderLists[this.oldest];
      // its oldest outcome is its first three entries
      if (evictedList.length <= 3) {
        this.byCallId.delete(this.order[this.oldest]);
      } else {
        evictedList.copyWithin(0, 3);
        evictedList.length -= 3;
      }
      this.order[this.oldest] = callId;
      this.orderLists[this.oldest] = list;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
    return true;
  }
}

/** Packets of an outcome, request first. */
export function outcomePackets(outcome: RequestOutcome): number[] {
  return outcome.requestPacket !== undefined ? [outcome.requestPacket, outcome.responsePacket] : [outcome.responsePacket];
}
