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
 * Expiry (64*T1 after a transaction's last message, capture time) walks a time-ordered structure, never all open
 * transactions: the open Map is kept in order of last message (a transaction touched again moves to its end), so
 * the expired ones are always at its head.
 */
import { BRANCH_MAGIC_COOKIE } from '../sip/index.js';
import type { CallRecord } from './calls.js';
import type { ObservedMessage, ObservedRequest, ObservedResponse } from './observed.js';

/** T1 default (RFC 3261 §17.1.1.1). */
export const T1_US = 500_000;
/** 64*T1 (Timer B, F, H): after this long without a message a transaction is over (RFC 3261 §17). */
export const TRANSACTION_LIFETIME_US = 64 * T1_US;

export interface ResponseRecord {
  status: number;
  toTag?: string;
  /** First transmission of this response. */
  first: ObservedResponse;
  /** Times it was seen (1 + retransmissions). */
  sends: number;
}

export interface Transaction {
  key: string;
  /** Method of the request (CSeq method when only responses were captured). */
  method: string;
  callId: string;
  cseqNumber: number;
  /** First transmission of the request; undefined when the capture holds only responses of it. */
  request?: ObservedRequest;
  requestSends: number;
  /** Distinct responses (status + To tag), in the order first seen. */
  responses: ResponseRecord[];
  /** First final (>= 200) response. */
  final?: ObservedResponse;
  /** ACK for a non-2xx final response (part of an INVITE transaction, RFC 3261 §17.1.1.3). */
  ack?: ObservedRequest;
  /** Retransmitted requests, responses and ACKs of this transaction. */
  retransmissions: number;
  lastTimeUs: number;
  /** The call this transaction belongs to, when it was counted in the call's open transactions. */
  call?: CallRecord;
}

export interface TransactionObservation {
  transaction: Transaction;
  /** The message repeats one already seen in this transaction. */
  retransmission: boolean;
  /** The message opened this transaction. */
  created: boolean;
}

export interface TransactionTableOptions {
  /** Most transactions kept open at once; the oldest are closed early beyond it. */
  maxOpen?: number;
}

export class TransactionTable {
  private readonly open = new Map<string, Transaction>();
  private readonly maxOpen: number;
  /** Transactions closed early because of `maxOpen`. */
  evicted = 0;

  constructor(options: TransactionTableOptions = {}) {
    this.maxOpen = options.maxOpen ?? 200_000;
  }

  /** Matches a message to its transaction; `closed` receives transactions pushed out by the size limit. */
  observe(message: ObservedMessage, closed: (transaction: Transaction) => void): TransactionObservation {
    if (message.kind === 'request' && message.method === 'ACK') {
      const invite = this.open.get(transactionKey(message, 'INVITE'));
      if (invite?.final && invite.final.status >= 300) return this.absorbAck(invite, message);
    }
    const method = message.kind === 'request' ? message.method : message.fields.cseqMethod;
    const key = transactionKey(message, method);
    let transaction = this.open.get(key);
    if (transaction && message.kind === 'request' && transaction.request && !isSameRequest(transaction.request, message)) {
      // A different request reusing the key (a UA that repeats branches): the old transaction is over.
      this.open.delete(key);
      closed(transaction);
      transaction = undefined;
    }
    const created = !transaction;
    if (transaction) {
      this.touch(transaction, message.timeUs);
    } else {
      transaction = {
        key,
        method,
        callId: message.fields.callId,
        cseqNumber: message.fields.cseqNumber,
        requestSends: 0,
        responses: [],
        retransmissions: 0,
        lastTimeUs: message.timeUs,
      };
      this.open.set(key, transaction);
      this.enforceLimit(closed);
    }
    return { transaction, retransmission: message.kind === 'request' ? addRequest(transaction, message) : addResponse(transaction, message), created };
  }

  /**
   * Closes every transaction idle for longer than 64*T1 at capture time `nowUs`, oldest first. Stops at the first
   * one still alive: the Map is in order of last message (see touch), so no later one can have expired.
   */
  expire(nowUs: number, closed: (transaction: Transaction) => void): void {
    for (const [key, transaction] of this.open) {
      if (nowUs - transaction.lastTimeUs <= TRANSACTION_LIFETIME_US) return;
      this.open.delete(key);
      closed(transaction);
    }
  }

  get size(): number {
    return this.open.size;
  }

  closeAll(closed: (transaction: Transaction) => void): void {
    for (const transaction of this.open.values()) closed(transaction);
    this.open.clear();
  }

  /** A message of an open transaction: it moves to the end of the expiry order. */
  private touch(transaction: Transaction, timeUs: number): void {
    if (timeUs > transaction.lastTimeUs) transaction.lastTimeUs = timeUs;
    this.open.delete(transaction.key);
    this.open.set(transaction.key, transaction);
  }

  private absorbAck(invite: Transaction, ack: ObservedRequest): TransactionObservation {
    this.touch(invite, ack.timeUs);
    if (invite.ack) {
      invite.retransmissions++;
      return { transaction: invite, retransmission: true, created: false };
    }
    invite.ack = ack;
    return { transaction: invite, retransmission: false, created: false };
  }

  private enforceLimit(closed: (transaction: Transaction) => void): void {
    if (this.open.size <= this.maxOpen) return;
    const oldest = this.open.entries().next().value;
    if (!oldest) return;
    this.open.delete(oldest[0]);
    this.evicted++;
    closed(oldest[1]);
  }
}

/** The matching key of RFC 3261 §17.2.3, or its RFC 2543 fallback. */
export function transactionKey(message: ObservedMessage, method: string): string {
  const { viaBranch, viaSentBy, callId, fromTag, cseqNumber } = message.fields;
  if (viaBranch && viaBranch.startsWith(BRANCH_MAGIC_COOKIE)) return `3261 ${viaBranch} ${viaSentBy ?? ''} ${method}`;
  return `2543 ${callId} ${fromTag ?? ''} ${cseqNumber} ${viaSentBy ?? ''} ${method}`;
}

function isSameRequest(first: ObservedRequest, next: ObservedRequest): boolean {
  if (first.firstLine !== next.firstLine) return false;
  const rfc2543 = !(next.fields.viaBranch ?? '').startsWith(BRANCH_MAGIC_COOKIE);
  // RFC 2543 matching includes the To tag for non-INVITE requests (§17.2.3).
  return !(rfc2543 && next.method !== 'INVITE' && first.fields.toTag !== next.fields.toTag);
}

function addRequest(transaction: Transaction, request: ObservedRequest): boolean {
  transaction.requestSends++;
  if (!transaction.request) {
    transaction.request = request;
    return false;
  }
  transaction.retransmissions++;
  return true;
}

function addResponse(transaction: Transaction, response: ObservedResponse): boolean {
  const status = response.status;
  const toTag = response.fields.toTag;
  const known = transaction.responses.find((record) => record.status === status && record.toTag === toTag);
  if (known) {
    known.sends++;
    transaction.retransmissions++;
    return true;
  }
  transaction.responses.push({ status, toTag, first: response, sends: 1 });
  if (status >= 200 && !transaction.final) transaction.final = response;
  return false;
}
