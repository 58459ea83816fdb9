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
  /** Held calls by Call-ID: followed (CallRecord) or parked (ParkedCall, a quiet call as one string). */
  private readonly calls = new Map<string, CallRecord | ParkedCall>();
  /** Call-IDs of INVITEs not tracked because `maxCalls` was reached. */
  dropped = 0;
  private started = 0;
  /** Call-IDs dropped at the limit: their later INVITEs (re-INVITEs) do not start a call either. */
  private readonly droppedIds = new BoundedSet();
  /**
   * Call-IDs of calls finished in the last 64*T1, with the time they finished (in that order): a retransmission
   * of their INVITE must not start a new call.
   */
  private readonly recentlyFinished = new Map<string, number>();
  private readonly finishedExpiry = new TimedQueue<string>();

  constructor(private readonly limits: CallLimits = DEFAULT_CALL_LIMITS) {}

  /** The call of a Call-ID, brought back first if it was parked. */
  get(callId: string): CallRecord | undefined {
    const held = this.calls.get(callId);
    return held instanceof ParkedCall ? this.unpark(callId, held) : held;
  }

  /** The owner of a Call-ID's call (CallRecord.owner), without bringing it back if it is parked. */
  ownerOf(callId: string): string | undefined {
    const held = this.calls.get(callId);
    return held instanceof ParkedCall ? held.owner : held?.owner();
  }

  /** Keeps a held call with nothing going on as one string (CallRecord.park) until a message of it comes. */
  park(call: CallRecord): void {
    if (this.calls.get(call.callId) === call) this.calls.set(call.callId, call.park());
  }

  /** Routes a message to its call; an INVITE of an unknown Call-ID starts one. Returns the call, if any. */
  observe(message: ObservedMessage, retransmission: boolean): CallRecord | undefined {
    const callId = message.fields.callId;
    let call = this.get(callId);
    if (!call && message.kind === 'request' && message.method === 'INVITE') {
      if (this.recentlyFinished.has(callId) || this.droppedIds.has(callId)) return undefined;
      if (this.calls.size >= this.limits.maxCalls) {
        this.dropped++;
        this.droppedIds.add(callId);
        return undefined;
      }
      call = new CallRecord(callId, callStartOf(message), this.limits, this.started++);
      this.calls.set(callId, call);
    }
    call?.observe(message, retransmission);
    return call;
  }

  /**
   * The calls still held, in the order they began, each brought back when it is its turn (finishing them one by
   * one never has every parked call back at once).
   */
  *held(): Generator<CallRecord> {
    for (const [callId, held] of this.calls) yield held instanceof ParkedCall ? this.unpark(callId, held) : held;
  }

  /** Drops a finished call at capture time `nowUs`: later messages of its Call-ID are no longer routed to it. */
  remove(call: CallRecord, nowUs: number): void {
    if (this.calls.get(call.callId) === call) this.calls.delete(call.callId);
    this.recentlyFinished.set(call.callId, nowUs);
    this.finishedExpiry.push(call.callId, nowUs);
  }

  /** Forgets the calls finished more than 64*T1 before `nowUs`. */
  expireFinished(nowUs: number): void {
    if (!this.finishedExpiry.hasDue(nowUs - TRANSACTION_LIFETIME_US)) return;
    this.finishedExpiry.takeDue(nowUs - TRANSACTION_LIFETIME_US, (callId, finishedUs) => {
      if (this.recentlyFinished.get(callId) === finishedUs) this.recentlyFinished.delete(callId);
    });
  }

  get size(): number {
    return this.calls.size;
  }

  private unpark(callId: string, parked: ParkedCall): CallRecord {
    const call = CallRecord.unpark(callId, parked, this.limits);
    this.calls.set(callId, call);
    return call;
  }
}
