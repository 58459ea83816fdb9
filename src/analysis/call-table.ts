/**
 * The calls being followed, by Call-ID (sngrep's call list, but streaming): an INVITE of a new Call-ID starts one
 * (CallRecord, calls.ts), later messages of the Call-ID are routed to it, a finished call is dropped (its Call-ID
 * remembered for 64*T1, so a late retransmission of its INVITE starts nothing), and a call held with nothing going
 * on is parked as one string (parked-call.ts) until its next message.
 */
import { CallRecord, callStartOf, DEFAULT_CALL_LIMITS, type CallLimits } from './calls.js';
import type { ObservedMessage } from './observed.js';
import { BoundedSet } from './outcome.js';
import { ParkedCall } from './parked-call.js';
import { TimedQueue } from './timed-queue.js';
import { TRANSACTION_LIFETIME_US } from './timers.js';

/** Calls by Call-ID, bounded by `maxCalls`. */
export class CallTable {
  /**
   * Held calls by Call-ID: followed (CallRecord) or parked (ParkedCall, a quiet call as one string); and the
   * Call-IDs of calls finished in the last 64*T1, with the time they finished (a number): a retransmission of their
   * INVITE must not start a new call. One map for both: finishing a call replaces its entry instead of moving its
   * Call-ID from one map to another (two lookups fewer per call).
   */
  private readonly calls = new Map<string, CallRecord | ParkedCall | number>();
  /** Calls held (entries of `calls` that are not a finished Call-ID). */
  private heldCount = 0;
  /** Call-IDs of INVITEs not tracked because `maxCalls` was reached. */
  dropped = 0;
  private started = 0;
  /** Call-IDs dropped at the limit: their later INVITEs (re-INVITEs) do not start a call either. */
  private readonly droppedIds = new BoundedSet();
  /** The finished Call-IDs of `calls`, at the time they finished (in that order). */
  private readonly finishedExpiry = new TimedQueue<string>();

  constructor(private readonly limits: CallLimits = DEFAULT_CALL_LIMITS) {}

  /** The call of a Call-ID, brought back first if it was parked. */
  get(callId: string): CallRecord | undefined {
    const held = this.calls.get(callId);
    if (held === undefined || typeof held === 'number') return undefined;
    return held instanceof ParkedCall ? this.unpark(callId, held) : held;
  }

  /** The owner of a Call-ID's call (CallRecord.owner), without bringing it back if it is parked. */
  ownerOf(callId: string): string | undefined {
    const held = this.calls.get(callId);
    if (held === undefined || typeof held === 'number') return undefined;
    return held instanceof ParkedCall ? held.owner : held.owner();
  }

  /** Keeps a held call with nothing going on as one string (CallRecord.park) until a message of it comes. */
  park(call: CallRecord): void {
    if (this.calls.get(call.callId) === call) this.calls.set(call.callId, call.park());
  }

  /**
   * Routes a message to its call; an INVITE of an unknown Call-ID starts one. Returns the call, if any.
   * `linked`: the call of the message's open transaction (its CallLink), if any: while that call is followed it is
   * the one held under its Call-ID (a call is parked or dropped only once no open transaction links to it), so a
   * message of the same Call-ID goes to it without a lookup.
   */
  observe(message: ObservedMessage, retransmission: boolean, linked?: CallRecord): CallRecord | undefined {
    if (linked !== undefined && !linked.finished && message.fields.callIdIs(linked.callId)) {
      linked.observe(message, retransmission);
      return linked;
    }
    const callId = message.fields.callId;
    const held = this.calls.get(callId);
    let call = held === undefined || typeof held === 'number' ? undefined : held instanceof ParkedCall ? this.unpark(callId, held) : held;
    if (!call && message.kind === 'request' && message.method === 'INVITE') {
      // a number: the Call-ID of a call finished in the last 64*T1
      if (held !== undefined || (this.dropped > 0 && this.droppedIds.has(callId))) return undefined;
      if (this.heldCount >= this.limits.maxCalls) {
        this.dropped++;
        this.droppedIds.add(callId);
        return undefined;
      }
      call = new CallRecord(callId, callStartOf(message), this.limits, this.started++);
      this.calls.set(callId, call);
      this.heldCount++;
    }
    call?.observe(message, retransmission);
    return call;
  }

  /**
   * The calls still held, in the order they began, each brought back when it is its turn (finishing them one by
   * one never has every parked call back at once).
   */
  *held(): Generator<CallRecord> {
    for (const [callId, held] of this.calls) {
      if (typeof held !== 'number') yield held instanceof ParkedCall ? this.unpark(callId, held) : held;
    }
  }

  /** Drops a finished call at capture time `nowUs`: later messages of its Call-ID are no longer routed to it. */
  remove(call: CallRecord, nowUs: number): void {
    const held = this.calls.get(call.callId);
    if (held === call) this.heldCount--;
    // another call held under its Call-ID stays (its own end will be remembered when it finishes)
    if (held === call || held === undefined || typeof held === 'number') this.calls.set(call.callId, nowUs);
    this.finishedExpiry.push(call.callId, nowUs);
  }

  /** Forgets the calls finished more than 64*T1 before `nowUs`. */
  expireFinished(nowUs: number): void {
    const dueUs = nowUs - TRANSACTION_LIFETIME_US;
    for (let callId = this.finishedExpiry.takeNextDue(dueUs); callId !== undefined; callId = this.finishedExpiry.takeNextDue(dueUs)) {
      if (this.calls.get(callId) === this.finishedExpiry.takenUs) this.calls.delete(callId);
    }
  }

  get size(): number {
    return this.heldCount;
  }

  private unpark(callId: string, parked: ParkedCall): CallRecord {
    const call = CallRecord.unpark(callId, parked, this.limits);
    this.calls.set(callId, call);
    return call;
  }
}
