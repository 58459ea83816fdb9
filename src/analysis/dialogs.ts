/**
 * Dialog-level bookkeeping inside one call (one Call-ID): the INVITE/UPDATE transactions that create or modify the
 * session, keyed so that the same request seen on several hops (and its retransmissions) counts once.
 *
 * RFC 3261 §12.1: a dialog is identified by Call-ID, local tag and remote tag; a 1xx with a To tag creates an early
 * dialog, a 2xx confirms it. §13.2.2.4 / §12.1: one INVITE forked by a proxy may create several early dialogs
 * (several To tags). §14: an INVITE sent inside a dialog (To tag present) is a re-INVITE; RFC 3311 UPDATE modifies
 * the session too. CSeq numbers are counted per direction (§12.2.1.1), so the key includes the From tag.
 */
import type { CallSide, Credential } from './types.js';
import type { MessageFields } from './fields.js';
import type { ObservedMessage, ObservedResponse } from './observed.js';

/**
 * What a call keeps of a message: frame, time and which side sent it. Calls outlive transactions, so they keep
 * this instead of the message's fields (bounded memory per call).
 */
export interface MessageRef {
  packetNumber: number;
  timeUs: number;
  side: CallSide;
}

/** An INVITE or UPDATE of the call (initial INVITE, re-INVITE, UPDATE), with its outcome. */
export interface SessionRequest {
  method: 'INVITE' | 'UPDATE';
  /** Sent inside a dialog: To tag present (RFC 3261 §12.2). */
  inDialog: boolean;
  /** The call's dialog was confirmed (answered) when the request was sent. */
  confirmedDialog: boolean;
  fromTag?: string;
  cseqNumber: number;
  /** First transmission seen (on any hop). */
  request?: MessageRef;
  /** First credential seen on any hop (a proxy may strip it when it forwards). */
  credential?: Credential;
  /** First final response status and when it was seen. */
  finalStatus?: number;
  finalTimeUs?: number;
  finalPacket?: number;
  /** First 2xx. */
  successTimeUs?: number;
  successPacket?: number;
  /** Every 403 answering this request (one per hop, retransmissions left out), ascending. */
  forbiddenPackets: number[];
  forbiddenTimeUs?: number;
  /** An ACK with this CSeq was seen (for a 2xx: RFC 3261 §13.2.2.4). */
  acked: boolean;
}

/** Key of a session request: direction (From tag), CSeq number, method. */
/**
 * A call's session requests in the order first seen, found by From tag, CSeq number and method (one request over
 * every hop and retransmission) with a scan: a call has a few (at most CallLimits.maxSessionsPerCall), and a scan comparing numbers
 * first costs less than building and hashing a key string for every INVITE, UPDATE, ACK and response.
 */
export class SessionTable {
  private list: SessionRequest[] = [];

  get size(): number {
    return this.list.length;
  }

  /** The session request of a message's From tag (none and empty alike), CSeq number and method. */
  findOf(fields: MessageFields, cseqNumber: number, method: string): SessionRequest | undefined {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const session = list[i];
      if (session.cseqNumber === cseqNumber && session.method === method && fields.fromTagIs(session.fromTag)) return session;
    }
    return undefined;
  }

  add(session: SessionRequest): void {
    this.list.push(session);
  }

  delete(session: SessionRequest): void {
    const at = this.list.indexOf(session);
    if (at >= 0) this.list.splice(at, 1);
  }

  clear(): void {
    this.list = [];
  }

  values(): readonly SessionRequest[] {
    return this.list;
  }
}

/** A re-INVITE or UPDATE of a confirmed dialog failed: final >= 300 other than a challenge or glare (491). */
export function isFailedModification(session: SessionRequest): boolean {
  if (!session.inDialog || !session.confirmedDialog || session.finalStatus === undefined) return false;
  const status = session.finalStatus;
  return status >= 300 && status !== 401 && status !== 407 && status !== 491;
}

/**
 * A re-INVITE or UPDATE that is over and unremarkable: answered, ACKed where a 2xx to an INVITE wants it (RFC 3261
 * §13.2.2.4), no 403, not a failed modification. Nothing a call's summary or findings read comes from it (its
 * count is the call's `reinvites`), so a call may forget it once no message of it can come any more.
 */
export function isSettledModification(session: SessionRequest): boolean {
  if (!session.inDialog || session.finalStatus === undefined) return false;
  const settled = session.acked || session.finalStatus >= 300 || session.method === 'UPDATE';
  return settled && session.forbiddenPackets.length === 0 && !isFailedModification(session);
}

/**
 * RFC 3261 §14.1 / §12.2.1.2: a 481 or 408 to a re-INVITE ends the dialog without a BYE.
 */
export function endsDialog(session: SessionRequest): boolean {
  return session.inDialog && session.method === 'INVITE' && (session.finalStatus === 481 || session.finalStatus === 408);
}

export function newSession(message: ObservedMessage, method: 'INVITE' | 'UPDATE', confirmedDialog: boolean): SessionRequest {
  // every field from the start, in the order parked-call.ts unparkState writes them: one object shape for all
  // sessions, and no property array added when a response or credential fills a field in later
  return {
    method,
    inDialog: message.fields.inDialog,
    confirmedDialog,
    fromTag: message.fields.fromTag,
    cseqNumber: message.fields.cseqNumber,
    request: undefined,
    credential: undefined,
    finalStatus: undefined,
    finalTimeUs: undefined,
    finalPacket: undefined,
    successTimeUs: undefined,
    successPacket: undefined,
    forbiddenPackets: [],
    forbiddenTimeUs: undefined,
    acked: false,
  };
}

/** Records a response (not a retransmission) on its session request. */
export function recordSessionResponse(session: SessionRequest, response: ObservedResponse): void {
  const status = response.status;
  if (status < 200) return;
  if (session.finalStatus === undefined) {
    session.finalStatus = status;
    session.finalTimeUs = response.timeUs;
    session.finalPacket = response.packetNumber;
  }
  if (status < 300 && session.successTimeUs === undefined) {
    session.successTimeUs = response.timeUs;
    session.successPacket = response.packetNumber;
  }
  if (status === 403) {
    session.forbiddenPackets.push(response.packetNumber);
    session.forbiddenTimeUs ??= response.timeUs;
  }
}
