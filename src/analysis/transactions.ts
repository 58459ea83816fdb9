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
import { BRANCH_MAGIC_COOKIE } from '../sip/index.js';
import type { CallLink } from './calls.js';
import type { ObservedMessage, ObservedRequest, ObservedResponse } from './observed.js';
import { ownCopy, textHash } from './own-copy.js';
import { TimedQueue } from './timed-queue.js';

export { T1_US, TRANSACTION_LIFETIME_US } from './timers.js';
import { TRANSACTION_LIFETIME_US } from './timers.js';

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

/** The responses of a transaction before its first: shared, never written (each response makes a new list). */
const NO_RESPONSES: readonly ResponseRecord[] = Object.freeze([]);

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
  /** The call this transaction belongs to, when it was counted in the call's open transactions. */
  call?: CallLink;
  /** Still in the table. */
  isOpen: boolean;
  /** Order of opening (closeAll closes in this order). */
  sequence: number;
  /** The next open transaction with the same lookupKey (another method or sent-by on the same branch). */
  nextSameKey?: Transaction;
}

/** What observe found; one object, reused: read it before the next call. */
export interface TransactionObservation {
  transaction: Transaction;
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
 * Open transactions, found by branch (RFC 3261) or by the RFC 2543 key. Keyed by the branch alone rather than a
 * key string joined per message: the message's own branch string is hashed once, nothing is built to look up.
 */
export class TransactionTable {
  private readonly byBranch = new Map<string, Transaction>();
  private readonly byLegacyKey = new Map<string, Transaction>();
  private openCount = 0;
  private opened = 0;
  /**
   * Open transactions that are not the first of their key's chain (nextSameKey of another): while there are none,
   * every open transaction is alone under its key and remove deletes it without looking at the chain.
   */
  private chained = 0;
  /** Every message's transaction at the message's time (expiry order). */
  private readonly expiry = new TimedQueue<Transaction>();
  private readonly maxOpen: number;
  private readonly found: TransactionObservation = { transaction: undefined as unknown as Transaction, retransmission: false, created: false, firstFinal: false };
  /** Transactions closed early because of `maxOpen`. */
  evicted = 0;

  constructor(options: TransactionTableOptions = {}) {
    this.maxOpen = options.maxOpen ?? 200_000;
  }

  /**
   * Matches a message to its transaction; `closed` receives transactions pushed out by the size limit. The answer
   * is one reused object (read it before the next call).
   */
  observe(message: ObservedMessage, closed: (transaction: Transaction) => void): TransactionObservation {
    // one lookup of the branch serves the ACK's INVITE, the message's own transaction and a new one's chain
    let head = this.headOf(message);
    if (message.kind === 'request' && message.method === 'ACK') {
      const invite = this.inChain(head, message, 'INVITE');
      if (invite?.final && invite.final.status >= 300) return this.absorbAck(invite, message);
    }
    const method = message.kind === 'request' ? message.method : message.fields.cseqMethod;
    let transaction = this.inChain(head, message, method);
    if (transaction && message.kind === 'request' && transaction.request && !isSameRequest(transaction.request, message)) {
      // A different request reusing the key (a UA that repeats branches): the old transaction is over.
      this.remove(transaction);
      closed(transaction);
      transaction = undefined;
      head = this.headOf(message);
    }
    const created = !transaction;
    if (transaction) {
      this.touch(transaction, message.timeUs);
    } else {
      transaction = this.create(message, method, head);
      this.expiry.push(transaction, message.timeUs);
      this.enforceLimit(closed);
    }
    const found = this.found;
    found.transaction = transaction;
    found.created = created;
    if (message.kind === 'request') {
      found.retransmission = addRequest(transaction, message);
      found.firstFinal = false;
    } else {
      const finalBefore = transaction.final;
      found.retransmission = addResponse(transaction, message);
      found.firstFinal = finalBefore === undefined && transaction.final !== undefined;
    }
    return found;
  }

  /**
   * Closes every transaction idle for longer than 64*T1 at capture time `nowUs`, oldest first.
   */
  expire(nowUs: number, closed: (transaction: Transaction) => void): void {
    const dueUs = nowUs - TRANSACTION_LIFETIME_US - 1;
    for (let transaction = this.expiry.takeNextDue(dueUs); transaction !== undefined; transaction = this.expiry.takeNextDue(dueUs)) {
      // an entry of a transaction that saw a later message (queued again then) or closed is skipped
      if (!transaction.isOpen || nowUs - transaction.lastTimeUs <= TRANSACTION_LIFETIME_US) continue;
      this.remove(transaction);
      closed(transaction);
    }
  }

  get size(): number {
    return this.openCount;
  }

  /** Closes every open transaction, in the order they opened. */
  closeAll(closed: (transaction: Transaction) => void): void {
    const open: Transaction[] = [];
    for (const map of [this.byBranch, this.byLegacyKey]) {
      for (const first of map.values()) for (let transaction: Transaction | undefined = first; transaction; transaction = transaction.nextSameKey) open.push(transaction);
    }
    open.sort((a, b) => a.sequence - b.sequence);
    this.byBranch.clear();
    this.byLegacyKey.clear();
    this.openCount = 0;
    this.chained = 0;
    this.expiry.clear();
    for (const transaction of open) {
      transaction.isOpen = false;
      transaction.nextSameKey = undefined;
      closed(transaction);
    }
  }

  /**
   * The first open transaction under a message's key: its branch (RFC 3261 §17.2.3) when it has the magic cookie,
   * else undefined (the RFC 2543 key depends on the method: inChain looks that up).
   */
  private headOf(message: ObservedMessage): Transaction | undefined {
    const { viaBranch } = message.fields;
    return isBranchKeyed(viaBranch) ? this.byBranch.get(viaBranch) : undefined;
  }

  /** The open transaction of a message under `method`, from its branch's chain (or by the RFC 2543 key). */
  private inChain(head: Transaction | undefined, message: ObservedMessage, method: string): Transaction | undefined {
    if (!isBranchKeyed(message.fields.viaBranch)) return this.byLegacyKey.get(legacyKey(message, method));
    const sentBy = message.fields.viaSentBy ?? '';
    let transaction = head;
    while (transaction !== undefined && (transaction.method !== method || transaction.sentBy !== sentBy)) transaction = transaction.nextSameKey;
    return transaction;
  }

  /** Opens a transaction; `head` is the branch's first open one (headOf), which it goes before. */
  private create(message: ObservedMessage, method: string, head: Transaction | undefined): Transaction {
    const { viaBranch } = message.fields;
    const byBranch = isBranchKeyed(viaBranch);
    const lookupKey = byBranch ? viaBranch : legacyKey(message, method);
    const map = byBranch ? this.byBranch : this.byLegacyKey;
    const transaction: Transaction = {
      lookupKey,
      byBranch,
      sentBy: message.fields.viaSentBy ?? '',
      method,
      callId: message.fields.callId,
      cseqNumber: message.fields.cseqNumber,
      // every field in the literal, those set later too: one object shape, all fields in the object
      request: undefined,
      requestSends: 0,
      responses: NO_RESPONSES,
      final: undefined,
      acked: false,
      retransmissions: 0,
      lastTimeUs: message.timeUs,
      call: undefined,
      isOpen: true,
      sequence: this.opened++,
      nextSameKey: byBranch ? head : map.get(lookupKey),
    };
    map.set(lookupKey, transaction);
    this.openCount++;
    if (transaction.nextSameKey !== undefined) this.chained++;
    return transaction;
  }

  /** Takes a transaction out of the table. */
  private remove(transaction: Transaction): void {
    const map = transaction.byBranch ? this.byBranch : this.byLegacyKey;
    this.openCount--;
    transaction.isOpen = false;
    if (this.chained === 0) {
      // alone under its key (one lookup instead of two: a Map lookup is most of what removing costs)
      map.delete(transaction.lookupKey);
      return;
    }
    const first = map.get(transaction.lookupKey);
    if (first === transaction) {
      if (transaction.nextSameKey) {
        // its next one becomes the first
        map.set(transaction.lookupKey, transaction.nextSameKey);
        this.chained--;
      } else {
        map.delete(transaction.lookupKey);
      }
    } else {
      let before = first;
      while (before !== undefined && before.nextSameKey !== transaction) before = before.nextSameKey;
      if (before !== undefined) {
        before.nextSameKey = transaction.nextSameKey;
        this.chained--;
      }
    }
    transaction.nextSameKey = undefined;
  }

  /** A message of an open transaction: it is queued again at the message's time. */
  private touch(transaction: Transaction, timeUs: number): void {
    if (timeUs > transaction.lastTimeUs) transaction.lastTimeUs = timeUs;
    this.expiry.push(transaction, timeUs);
  }

  private absorbAck(invite: Transaction, ack: ObservedRequest): TransactionObservation {
    this.touch(invite, ack.timeUs);
    const found = this.found;
    found.transaction = invite;
    found.created = false;
    found.firstFinal = false;
    if (invite.acked) {
      invite.retransmissions++;
      found.retransmission = true;
    } else {
      invite.acked = true;
      found.retransmission = false;
    }
    return found;
  }

  /**
   * Beyond maxOpen, the least recently active transaction is closed early (a rare case: the expiry queue's first
   * entry that is its transaction's latest).
   */
  private enforceLimit(closed: (transaction: Transaction) => void): void {
    while (this.openCount > this.maxOpen) {
      const entry = this.expiry.shift();
      if (entry === undefined) return;
      const [transaction, timeUs] = entry;
      if (!transaction.isOpen || timeUs < transaction.lastTimeUs) continue;
      this.remove(transaction);
      this.evicted++;
      closed(transaction);
    }
  }
}

/** Whether a top Via branch has RFC 3261's magic cookie: matched by branch (else by the RFC 2543 key). */
function isBranchKeyed(viaBranch: string | undefined): viaBranch is string {
  return viaBranch !== undefined && viaBranch.startsWith(BRANCH_MAGIC_COOKIE);
}

/**
 * The RFC 2543 fallback key (RFC 3261 §17.2.3, a branch without the magic cookie): Call-ID, From tag, CSeq number,
 * top Via sent-by and method. Joined, not a template: kept as a Map key for 64*T1, a flat string of its own.
 */
function legacyKey(message: ObservedMessage, method: string): string {
  const { callId, fromTag, cseqNumber, viaSentBy } = message.fields;
  return ['2543', callId, fromTag ?? '', cseqNumber, viaSentBy ?? '', method].join(' ');
}

function isSameRequest(first: RequestRef, next: ObservedRequest): boolean {
  if (first.startLineHash !== textHash(next.firstLine)) return false;
  const rfc2543 = !(next.fields.viaBranch ?? '').startsWith(BRANCH_MAGIC_COOKIE);
  // RFC 2543 matching includes the To tag for non-INVITE requests (§17.2.3).
  return !(rfc2543 && next.method !== 'INVITE' && first.toTagHash !== tagHash(next.fields.toTag));
}

/** textHash of a tag, 0 for none (an empty tag counts as none nowhere: it hashes to FNV's offset basis). */
function tagHash(tag: string | undefined): number {
  return tag === undefined ? 0 : textHash(tag);
}

function addRequest(transaction: Transaction, request: ObservedRequest): boolean {
  transaction.requestSends++;
  if (!transaction.request) {
    const toTag = request.fields.toTag;
    const username = request.fields.credential?.username;
    transaction.request = {
      packetNumber: request.packetNumber,
      timeUs: request.timeUs,
      startLineHash: textHash(request.firstLine),
      toTagHash: tagHash(toTag),
      inDialog: Boolean(toTag),
      credentialUsername: username === undefined ? undefined : ownCopy(username),
    };
    return false;
  }
  transaction.retransmissions++;
  return true;
}

/**
 * A new list of exactly its size: a transaction has one to three responses, and an array that is pushed to (or
 * spread into) reserves room for 17 or more, which 64*T1 of open transactions would hold for nothing.
 */
function withRecord(responses: readonly ResponseRecord[], record: ResponseRecord): ResponseRecord[] {
  if (responses.length === 0) return [record];
  if (responses.length === 1) return [responses[0], record];
  if (responses.length === 2) return [responses[0], responses[1], record];
  const list = new Array<ResponseRecord>(responses.length + 1);
  for (let i = 0; i < responses.length; i++) list[i] = responses[i];
  list[responses.length] = record;
  return list;
}

function addResponse(transaction: Transaction, response: ObservedResponse): boolean {
  const status = response.status;
  const toTagHash = tagHash(response.fields.toTag);
  const responses = transaction.responses;
  for (let i = 0; i < responses.length; i++) {
    const known = responses[i];
    if (known.status === status && known.toTagHash === toTagHash) {
      known.sends++;
      transaction.retransmissions++;
      return true;
    }
  }
  const record: ResponseRecord = { status, packetNumber: response.packetNumber, timeUs: response.timeUs, toTagHash, sends: 1 };
  transaction.responses = withRecord(responses, record);
  if (status >= 200 && !transaction.final) transaction.final = record;
  return false;
}
