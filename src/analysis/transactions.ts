/**
 * Transactions rebuilt from captured messages: each request matched with its responses and retransmissions.
 *
 * RFC 3261 §17.1.3 / §17.2.3: when the top Via branch starts with the magic cookie "z9hG4bK", a response belongs
 * to the transaction whose request had the same branch and CSeq method; a request is a retransmission when branch,
 * sent-by and method equal an earlier one. CANCEL shares the INVITE's branch but is a transaction of its own (the
 * method differs); an ACK for a non-2xx final response shares the INVITE's branch and belongs to the INVITE
 * transaction (§17.1.1.3), an ACK for a 2xx has a new branch and is a transaction of its own (§13.2.2.4).
 *
 * RFC 2543 fallback (§17.2.3, branch without the cookie or missing): the key is Call-ID, From tag, CSeq number and
 * method, and the top Via sent-by; a request only counts as a retransmission when its start line, and for
 * non-INVITE requests its To tag, are the same too.
 *
 * A message seen on several hops (UAC -> proxy -> UAS) carries a different top Via on each, so every hop is a
 * transaction of its own, as RFC 3261 intends. Retransmissions are counted, never treated as new messages.
 *
 * Expiry (64*T1 after a transaction's last message, capture time) takes from a time-ordered queue (TimedQueue),
 * never a walk of all open transactions: each message queues its transaction at its time; an entry whose
 * transaction saw a later message (or closed) is skipped when it comes due.
 */
import { BranchBuckets } from './branch-buckets.js';
import type { CallLink } from './calls.js';
import type { MessageFields } from './fields.js';
import type { ObservedMessage, ObservedRequest, ObservedResponse } from './observed.js';
import { ownCopy } from './own-copy.js';
import { TimedQueue } from './timed-queue.js';
import { FLAG, NO_SLOT, ResponseSlots, TransactionSlots } from './transaction-slots.js';

export { T1_US, TRANSACTION_LIFETIME_US } from './timers.js';
import { TRANSACTION_LIFETIME_US } from './timers.js';

/** Sent-by strings TransactionTable shares among the transactions it opens (the last ones made). */
const RECENT_SENT_BY = 4;

/**
 * What a transaction keeps of a message: frame and time. A transaction lives 64*T1 after its last message, so it
 * keeps no message (and no slice of one): at a few thousand messages a second that is the analysis's memory.
 */
export interface FrameRef {
  packetNumber: number;
  timeUs: number;
}

/** The first transmission of a transaction's request, and what matching a later request against it needs. */
export interface RequestRef extends FrameRef {
  /** textHash of the start line and of the To tag (a repeated request has the same, RFC 3261 §17.2.3). */
  startLineHash: number;
  toTagHash: number;
  /** Sent inside a dialog (To tag present). */
  inDialog: boolean;
  /** Username of its Authorization / Proxy-Authorization, if any. */
  credentialUsername?: string;
}

export interface FinalRef extends FrameRef {
  status: number;
}

/** A distinct response (status and To tag) of a transaction; packetNumber and timeUs are its first transmission's. */
export interface ResponseRecord extends FinalRef {
  toTagHash: number;
  /** Times it was seen (1 + retransmissions). */
  sends: number;
}

/**
 * A transaction as a record: what detectors and tests read of one (TransactionTable.record builds it from the
 * table's columns; the table keeps no such object).
 */
export interface Transaction {
  /**
   * What the table finds it by (see legacyKey): the RFC 3261 branch, with sent-by and method told apart by
   * `sentBy` and `method`; or the whole RFC 2543 key.
   */
  lookupKey: string;
  /** Matched by the RFC 3261 branch (else by the RFC 2543 key). */
  byBranch: boolean;
  /** Top Via sent-by of its request (RFC 3261 §17.2.3). */
  sentBy: string;
  /** Method of the request (CSeq method when only responses were captured). */
  method: string;
  callId: string;
  cseqNumber: number;
  /** First transmission of the request; undefined when the capture holds only responses of it. */
  request?: RequestRef;
  requestSends: number;
  /** Distinct responses (status + To tag), in the order first seen. */
  responses: readonly ResponseRecord[];
  /** First final (>= 200) response (its record in `responses`). */
  final?: FinalRef;
  /** An ACK for a non-2xx final response was seen (part of an INVITE transaction, RFC 3261 §17.1.1.3). */
  acked: boolean;
  /** Retransmitted requests, responses and ACKs of this transaction. */
  retransmissions: number;
  lastTimeUs: number;
  /** Order of opening (closeAll closes in this order). */
  sequence: number;
}

/**
 * An open transaction: its slot in the table, valid until the transaction closes (the `closed` callback is the last
 * moment to read it; the slot then serves a later transaction).
 */
export type TransactionId = number;

/** A closing transaction as detectors see it: its retransmissions at hand, the whole record built on demand. */
export interface ClosedTransaction {
  readonly retransmissions: number;
  record(): Transaction;
}

/** What observe found; one object, reused: read it before the next call. */
export interface TransactionObservation {
  transaction: TransactionId;
  /** The message repeats one already seen in this transaction. */
  retransmission: boolean;
  /** The message opened this transaction. */
  created: boolean;
  /** The message is the transaction's first final response. */
  firstFinal: boolean;
}

export interface TransactionTableOptions {
  /** Most transactions kept open at once; the least recently active are closed early beyond it. */
  maxOpen?: number;
}

/**
 * Open transactions, found by branch (RFC 3261) or by the RFC 2543 key, their state in columns (TransactionSlots).
 * Keyed by the branch alone rather than a key string joined per message: the message's own branch string is hashed
 * once (textHash, into BranchBuckets), nothing is built to look up. `closed` callbacks receive the closing
 * transaction's id, readable until they return.
 */
export class TransactionTable {
  private readonly slots = new TransactionSlots();
  private readonly responses = new ResponseSlots();
  private readonly byBranch = new BranchBuckets(this.slots);
  private readonly byLegacyKey = new Map<string, TransactionId>();
  private openCount = 0;
  private opened = 0;
  /**
   * Open transactions of the RFC 2543 key that are not the first of their key's chain (nextSameKey of another):
   * while there are none, every one is alone under its key and remove deletes it without looking at the chain.
   */
  private chained = 0;
  /** Every message's transaction at the message's time (expiry order), stamped with the transaction's sequence. */
  private readonly expiry = new TimedQueue<TransactionId>();
  private readonly maxOpen: number;
  private readonly found: TransactionObservation = { transaction: NO_SLOT, retransmission: false, created: false, firstFinal: false };
  private readonly closing = new ClosingView(this);
  /** Transactions closed early because of `maxOpen`. */
  evicted = 0;
  /**
   * The sent-by strings of the transactions opened last, in a ring: a capture's messages come from a few UAs and
   * proxies, and a transaction keeps its sent-by for 64*T1, so one string serves many instead of one each.
   */
  private readonly recentSentBy: string[] = new Array<string>(RECENT_SENT_BY).fill('');
  private nextSentBy = 0;

  constructor(options: TransactionTableOptions = {}) {
    // at least one: the transaction a message just opened is never the one closed for room (its slot is written next)
    this.maxOpen = Math.max(1, options.maxOpen ?? 200_000);
  }

  /**
   * Matches a message to its transaction; `closed` receives transactions pushed out by the size limit. The answer
   * is one reused object (read it before the next call).
   */
  observe(message: ObservedMessage, closed: (transaction: TransactionId) => void): TransactionObservation {
    // one hash and one lookup of the branch serve the ACK's INVITE, the message's own transaction and a new one's chain
    const { fields } = message;
    const byBranch = fields.branchKeyed;
    const hash = byBranch ? fields.viaBranchHash : 0;
    const head = byBranch ? this.byBranch.first(hash) : NO_SLOT;
    if (message.kind === 'request' && message.method === 'ACK') {
      const invite = this.inChain(byBranch, head, hash, message, 'INVITE');
      if (invite !== NO_SLOT && this.finalStatus(invite) >= 300) return this.absorbAck(invite, message);
    }
    const method = message.kind === 'request' ? message.method : message.fields.cseqMethod;
    let transaction = this.inChain(byBranch, head, hash, message, method);
    if (transaction !== NO_SLOT && message.kind === 'request' && this.has(transaction, FLAG.hasRequest) && !this.isSameRequest(transaction, message)) {
      // A different request reusing the key (a UA that repeats branches): the old transaction is over.
      this.close(transaction, closed);
      transaction = NO_SLOT;
    }
    const created = transaction === NO_SLOT;
    if (created) {
      transaction = this.create(message, method, byBranch, hash);
      this.expiry.push(transaction, message.timeUs, this.slots.sequence[transaction]);
      this.enforceLimit(closed);
    } else {
      this.touch(transaction, message.timeUs);
    }
    const found = this.found;
    found.transaction = transaction;
    found.created = created;
    if (message.kind === 'request') {
      found.retransmission = this.addRequest(transaction, message);
      found.firstFinal = false;
    } else {
      const finalBefore = this.slots.finalResponse[transaction];
      found.retransmission = this.addResponse(transaction, message);
      found.firstFinal = finalBefore === NO_SLOT && this.slots.finalResponse[transaction] !== NO_SLOT;
    }
    return found;
  }

  /**
   * Closes every transaction idle for longer than 64*T1 at capture time `nowUs`, oldest first.
   */
  expire(nowUs: number, closed: (transaction: TransactionId) => void): void {
    const dueUs = nowUs - TRANSACTION_LIFETIME_US - 1;
    const { lastTimeUs } = this.slots;
    for (let transaction = this.expiry.takeNextDue(dueUs); transaction !== undefined; transaction = this.expiry.takeNextDue(dueUs)) {
      // an entry of a transaction that saw a later message (queued again then) or closed is skipped
      if (!this.isQueued(transaction) || nowUs - lastTimeUs[transaction] <= TRANSACTION_LIFETIME_US) continue;
      this.close(transaction, closed);
    }
  }

  get size(): number {
    return this.openCount;
  }

  /** Closes every open transaction, in the order they opened. */
  closeAll(closed: (transaction: TransactionId) => void): void {
    const { sequence } = this.slots;
    const open = this.slots.openSlots().sort((a, b) => sequence[a] - sequence[b]);
    this.byBranch.clear();
    this.byLegacyKey.clear();
    this.openCount = 0;
    this.chained = 0;
    this.expiry.clear();
    for (const transaction of open) {
      this.slots.flags[transaction] &= ~FLAG.open;
      closed(transaction);
      this.release(transaction);
    }
  }

  // what the analysis reads of an open (or closing) transaction

  methodOf(transaction: TransactionId): string {
    return this.slots.method[transaction]!;
  }

  callIdOf(transaction: TransactionId): string {
    return this.slots.callId[transaction]!;
  }

  cseqNumberOf(transaction: TransactionId): number {
    return this.slots.cseqNumber[transaction];
  }

  lastTimeUsOf(transaction: TransactionId): number {
    return this.slots.lastTimeUs[transaction];
  }

  /** Username of its request's Authorization / Proxy-Authorization, if any. */
  credentialUsernameOf(transaction: TransactionId): string | undefined {
    return this.slots.credentialUsername[transaction];
  }

  /** Frame of its request's first transmission; undefined when the capture holds only responses of it. */
  requestPacketOf(transaction: TransactionId): number | undefined {
    return this.has(transaction, FLAG.hasRequest) ? this.slots.requestPacket[transaction] : undefined;
  }

  /** Its request was sent inside a dialog (false when the capture holds only responses of it). */
  inDialog(transaction: TransactionId): boolean {
    return this.has(transaction, FLAG.inDialog);
  }

  /** An ACK for its non-2xx final response was seen. */
  isAcked(transaction: TransactionId): boolean {
    return this.has(transaction, FLAG.acked);
  }

  /** Status of its first final response; 0 before one. */
  finalStatus(transaction: TransactionId): number {
    const final = this.slots.finalResponse[transaction];
    return final === NO_SLOT ? 0 : this.responses.status[final];
  }

  /** The call it belongs to, when counted in the call's open transactions. */
  callOf(transaction: TransactionId): CallLink | undefined {
    return this.slots.call[transaction];
  }

  /** Counts it in a call: its Call-ID becomes the call's own string (one string for the call and its transactions). */
  joinCall(transaction: TransactionId, link: CallLink, callId: string): void {
    this.slots.call[transaction] = link;
    this.slots.callId[transaction] = callId;
  }

  /** The closing transaction for detectors (one reused view: read it within the `closed` callback). */
  closingView(transaction: TransactionId): ClosedTransaction {
    this.closing.transaction = transaction;
    return this.closing;
  }

  retransmissionsOf(transaction: TransactionId): number {
    return this.slots.retransmissions[transaction];
  }

  /** The whole record of an open (or closing) transaction, built from its columns. */
  record(transaction: TransactionId): Transaction {
    const slots = this.slots;
    const responses: ResponseRecord[] = [];
    let final: FinalRef | undefined;
    for (let response = slots.firstResponse[transaction]; response !== NO_SLOT; response = this.responses.next[response]) {
      const record: ResponseRecord = {
        status: this.responses.status[response],
        packetNumber: this.responses.packetNumber[response],
        timeUs: this.responses.timeUs[response],
        toTagHash: this.responses.toTagHash[response],
        sends: this.responses.sends[response],
      };
      responses.push(record);
      if (response === slots.finalResponse[transaction]) final = record;
    }
    const request: RequestRef | undefined = this.has(transaction, FLAG.hasRequest)
      ? {
          packetNumber: slots.requestPacket[transaction],
          timeUs: slots.requestTimeUs[transaction],
          startLineHash: slots.startLineHash[transaction],
          toTagHash: slots.toTagHash[transaction],
          inDialog: this.has(transaction, FLAG.inDialog),
          credentialUsername: slots.credentialUsername[transaction],
        }
      : undefined;
    return {
      lookupKey: slots.lookupKey[transaction]!,
      byBranch: this.has(transaction, FLAG.byBranch),
      sentBy: slots.sentBy[transaction]!,
      method: slots.method[transaction]!,
      callId: slots.callId[transaction]!,
      cseqNumber: slots.cseqNumber[transaction],
      request,
      requestSends: slots.requestSends[transaction],
      responses,
      final,
      acked: this.has(transaction, FLAG.acked),
      retransmissions: slots.retransmissions[transaction],
      lastTimeUs: slots.lastTimeUs[transaction],
      sequence: slots.sequence[transaction],
    };
  }

  private has(transaction: TransactionId, flag: number): boolean {
    return (this.slots.flags[transaction] & flag) !== 0;
  }

  /** Whether the expiry entry just taken is of the transaction now open in its slot (not of an earlier one). */
  private isQueued(transaction: TransactionId): boolean {
    return this.has(transaction, FLAG.open) && this.slots.sequence[transaction] === this.expiry.takenStamp;
  }

  /**
   * The open transaction of a message under `method`: from `head`, the first of its BranchBuckets chain (RFC 3261
   * §17.2.3), `hash` its branch's textHash; or, for a branch without the magic cookie (byBranch false), by the RFC
   * 2543 key (which depends on the method). The branch and sent-by are compared with the message's fields, which
   * need not make their strings for it (MessageFields).
   */
  private inChain(byBranch: boolean, head: TransactionId, hash: number, message: ObservedMessage, method: string): TransactionId {
    if (!byBranch) return this.byLegacyKey.get(legacyKey(message, method)) ?? NO_SLOT;
    const fields = message.fields;
    const slots = this.slots;
    let transaction = head;
    while (
      transaction !== NO_SLOT &&
      (slots.branchHash[transaction] !== hash || slots.method[transaction] !== method || !fields.viaSentByIs(slots.sentBy[transaction]!) || !fields.viaBranchIs(slots.lookupKey[transaction]!))
    ) {
      transaction = slots.nextSameKey[transaction];
    }
    return transaction;
  }

  /** Opens a transaction; one matched by branch goes first in its chain, `hash` its branch's textHash. */
  private create(message: ObservedMessage, method: string, byBranch: boolean, hash: number): TransactionId {
    const lookupKey = byBranch ? message.fields.viaBranch! : legacyKey(message, method);
    const slots = this.slots;
    const transaction = slots.take();
    slots.lookupKey[transaction] = lookupKey;
    slots.sentBy[transaction] = this.sentByOf(message.fields);
    slots.method[transaction] = method;
    slots.callId[transaction] = message.fields.callId;
    slots.cseqNumber[transaction] = message.fields.cseqNumber;
    slots.lastTimeUs[transaction] = message.timeUs;
    slots.sequence[transaction] = this.opened++;
    this.openCount++;
    if (byBranch) {
      slots.flags[transaction] |= FLAG.byBranch;
      this.byBranch.insert(transaction, hash);
      return transaction;
    }
    const next = this.byLegacyKey.get(lookupKey) ?? NO_SLOT;
    slots.nextSameKey[transaction] = next;
    this.byLegacyKey.set(lookupKey, transaction);
    if (next !== NO_SLOT) this.chained++;
    return transaction;
  }

  /** The message's sent-by ('' for none) as one of the recent strings when it is one (compared with its bytes). */
  private sentByOf(fields: MessageFields): string {
    const recent = this.recentSentBy;
    for (let i = 0; i < RECENT_SENT_BY; i++) if (fields.viaSentByIs(recent[i])) return recent[i];
    const sentBy = fields.viaSentBy ?? '';
    recent[this.nextSentBy] = sentBy;
    this.nextSentBy = (this.nextSentBy + 1) % RECENT_SENT_BY;
    return sentBy;
  }

  /** Takes a transaction out of the table, hands it to `closed`, then frees its slot. */
  private close(transaction: TransactionId, closed: (transaction: TransactionId) => void): void {
    this.remove(transaction);
    closed(transaction);
    this.release(transaction);
  }

  private release(transaction: TransactionId): void {
    this.responses.releaseChain(this.slots.firstResponse[transaction]);
    this.slots.release(transaction);
  }

  /** Takes a transaction out of the table's keys (its slot stays readable until released). */
  private remove(transaction: TransactionId): void {
    const slots = this.slots;
    this.openCount--;
    const byBranch = this.has(transaction, FLAG.byBranch);
    slots.flags[transaction] &= ~FLAG.open;
    if (byBranch) {
      this.byBranch.unlink(transaction);
      return;
    }
    const map = this.byLegacyKey;
    const key = slots.lookupKey[transaction]!;
    if (this.chained === 0) {
      // alone under its key (one lookup instead of two: a Map lookup is most of what removing costs)
      map.delete(key);
      return;
    }
    const first = map.get(key) ?? NO_SLOT;
    const next = slots.nextSameKey[transaction];
    if (first === transaction) {
      if (next !== NO_SLOT) {
        // its next one becomes the first
        map.set(key, next);
        this.chained--;
      } else {
        map.delete(key);
      }
    } else {
      let before = first;
      while (before !== NO_SLOT && slots.nextSameKey[before] !== transaction) before = slots.nextSameKey[before];
      if (before !== NO_SLOT) {
        slots.nextSameKey[before] = next;
        this.chained--;
      }
    }
    slots.nextSameKey[transaction] = NO_SLOT;
  }

  /** A message of an open transaction: it is queued again at the message's time. */
  private touch(transaction: TransactionId, timeUs: number): void {
    const { lastTimeUs, sequence } = this.slots;
    if (timeUs > lastTimeUs[transaction]) lastTimeUs[transaction] = timeUs;
    this.expiry.push(transaction, timeUs, sequence[transaction]);
  }

  private absorbAck(invite: TransactionId, ack: ObservedRequest): TransactionObservation {
    this.touch(invite, ack.timeUs);
    const found = this.found;
    found.transaction = invite;
    found.created = false;
    found.firstFinal = false;
    if (this.has(invite, FLAG.acked)) {
      this.slots.retransmissions[invite]++;
      found.retransmission = true;
    } else {
      this.slots.flags[invite] |= FLAG.acked;
      found.retransmission = false;
    }
    return found;
  }

  /**
   * Beyond maxOpen, the least recently active transaction is closed early (a rare case: the expiry queue's first
   * entry that is its transaction's latest).
   */
  private enforceLimit(closed: (transaction: TransactionId) => void): void {
    while (this.openCount > this.maxOpen) {
      const transaction = this.expiry.takeNextDue(Infinity);
      if (transaction === undefined) return;
      if (!this.isQueued(transaction) || this.expiry.takenUs < this.slots.lastTimeUs[transaction]) continue;
      this.evicted++;
      this.close(transaction, closed);
    }
  }

  private isSameRequest(first: TransactionId, next: ObservedRequest): boolean {
    if (this.slots.startLineHash[first] !== next.startLineHash) return false;
    // RFC 2543 matching includes the To tag for non-INVITE requests (§17.2.3).
    return !(!next.fields.branchKeyed && next.method !== 'INVITE' && this.slots.toTagHash[first] !== next.fields.toTagHash);
  }

  private addRequest(transaction: TransactionId, request: ObservedRequest): boolean {
    const slots = this.slots;
    if (slots.requestSends[transaction]++ > 0) {
      slots.retransmissions[transaction]++;
      return true;
    }
    const fields = request.fields;
    const username = fields.credential?.username;
    slots.requestPacket[transaction] = request.packetNumber;
    slots.requestTimeUs[transaction] = request.timeUs;
    slots.startLineHash[transaction] = request.startLineHash;
    slots.toTagHash[transaction] = fields.toTagHash;
    slots.flags[transaction] |= fields.inDialog ? FLAG.hasRequest | FLAG.inDialog : FLAG.hasRequest;
    slots.credentialUsername[transaction] = username === undefined ? undefined : ownCopy(username);
    return false;
  }

  private addResponse(transaction: TransactionId, response: ObservedResponse): boolean {
    const status = response.status;
    const toTagHash = response.fields.toTagHash;
    const responses = this.responses;
    let last = NO_SLOT;
    for (let known = this.slots.firstResponse[transaction]; known !== NO_SLOT; known = responses.next[known]) {
      if (responses.status[known] === status && responses.toTagHash[known] === toTagHash) {
        responses.sends[known]++;
        this.slots.retransmissions[transaction]++;
        return true;
      }
      last = known;
    }
    const record = responses.take();
    responses.status[record] = status;
    responses.packetNumber[record] = response.packetNumber;
    responses.timeUs[record] = response.timeUs;
    responses.toTagHash[record] = toTagHash;
    responses.sends[record] = 1;
    if (last === NO_SLOT) this.slots.firstResponse[transaction] = record;
    else responses.next[last] = record;
    if (status >= 200 && this.slots.finalResponse[transaction] === NO_SLOT) this.slots.finalResponse[transaction] = record;
    return false;
  }
}

/** The closing transaction for detectors: reads the table's columns of one slot, set before each use. */
class ClosingView implements ClosedTransaction {
  transaction: TransactionId = NO_SLOT;
  constructor(private readonly table: TransactionTable) {}

  get retransmissions(): number {
    return this.table.retransmissionsOf(this.transaction);
  }

  record(): Transaction {
    return this.table.record(this.transaction);
  }
}

/**
 * The RFC 2543 fallback key (RFC 3261 §17.2.3, a branch without the magic cookie): Call-ID, From tag, CSeq number,
 * top Via sent-by and method. Joined, not a template: kept as a Map key for 64*T1, a flat string of its own.
 */
function legacyKey(message: ObservedMessage, method: string): string {
  const { callId, fromTag, cseqNumber, viaSentBy } = message.fields;
  return ['2543', callId, fromTag ?? '', cseqNumber, viaSentBy ?? '', method].join(' ');
}
