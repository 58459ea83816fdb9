/**
 * Calls: everything that happens under one Call-ID after an INVITE, over every hop of the capture.
 * States (see CallState): attempted -> ringing (18x) -> answered (2xx, dialog confirmed) -> ended (BYE);
 * failed (final >= 300 to the last initial INVITE), cancelled (CANCEL / 487), torn-down (BYE after a failed
 * re-INVITE/UPDATE, or a 481/408 to a re-INVITE, RFC 3261 §14.1), active (answered, no BYE when the capture ends).
 * A 401/407 to an initial INVITE is not a failure while the caller retries with credentials (new CSeq, §22.2).
 */
import { uriUser, type MessageFields } from './fields.js';
import { ownCopy } from './own-copy.js';
import type { ObservedMessage, ObservedRequest, ObservedResponse } from './observed.js';
import { elapsedMs } from './time.js';
import type { CallSide, CallStart, CallState, CallSummary, Credential } from './types.js';
import { endsDialog, isFailedModification, isSettledModification, newSession, recordSessionResponse, SessionTable, type MessageRef, type SessionRequest } from './dialogs.js';
import { parkState, unparkState, type ParkedCall } from './parked-call.js';

export interface CallLimits {
  /** Most calls kept; calls beyond are counted but not analysed. */
  maxCalls: number;
  /** Most packet numbers kept per call. */
  maxPacketsPerCall: number;
  /** Most INVITE/UPDATE transactions kept per call (resolved, unremarkable ones are dropped first). */
  maxSessionsPerCall: number;
}

export const DEFAULT_CALL_LIMITS: CallLimits = { maxCalls: 200_000, maxPacketsPerCall: 20_000, maxSessionsPerCall: 256 };

/**
 * What a transaction holds of its call: the call while it is followed, only its owner once it was reported (a
 * transaction lives 64*T1 after its last message; holding the whole call that long would be most of the memory).
 */
export interface CallLink {
  call?: CallRecord;
  /** Set when the call was reported. */
  owner?: string;
  /** Transactions of the call still open (64*T1 after their last message). */
  openTransactions: number;
}

/**
 * Distinct tags of a call's dialogs: an array while there are few (a call has one or two; an empty Set's table
 * alone is ~130 bytes, and answered calls may be held to the end of a capture), a Set beyond FEW_TAGS (a hostile
 * fork of thousands of tags must not make each new one a scan of all).
 */
const FEW_TAGS = 16;

export class TagSet {
  private few: string[] = [];
  private many?: Set<string>;

  get size(): number {
    return this.many?.size ?? this.few.length;
  }

  add(tag: string): void {
    if (this.many) {
      this.many.add(tag);
    } else if (!this.few.includes(tag)) {
      if (this.few.length < FEW_TAGS) this.few = this.few.length === 0 ? [tag] : this.few.concat(tag);
      else this.many = new Set([...this.few, tag]);
    }
  }

  /** Adds a message's To tag (non-empty): its string is made only when new to the set. */
  addToTag(fields: MessageFields): void {
    if (this.many === undefined) {
      const few = this.few;
      for (let i = 0; i < few.length; i++) if (fields.toTagIs(few[i])) return;
    }
    this.add(fields.toTag!);
  }

  clear(): void {
    this.few = [];
    this.many = undefined;
  }

  values(): string[] {
    return this.many ? [...this.many] : this.few.slice();
  }
}

export function callStartOf(invite: ObservedMessage): CallStart {
  // MessageFields strings are their own (not slices of the message): kept as they are
  return {
    from: invite.fields.fromUri,
    to: invite.fields.toUri,
    callerTag: invite.fields.fromTag,
    callerUser: uriUser(invite.fields.fromUri),
    startUs: invite.timeUs,
    startedBeforeCapture: Boolean(invite.fields.toTag),
  };
}

export class CallRecord {
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  readonly callerTag?: string;
  readonly callerUser?: string;
  readonly startUs: number;
  /** The first INVITE seen was already inside a dialog: the call began before the capture. */
  readonly startedBeforeCapture: boolean;
  lastUs: number;
  readonly sessions = new SessionTable();
  /** To tags of early dialogs (1xx with a tag) and of confirmed ones (2xx). */
  readonly earlyTags = new TagSet();
  readonly confirmedTags = new TagSet();
  ringing = false;
  answerUs?: number;
  cancel?: MessageRef;
  bye?: MessageRef;
  reinvites = 0;
  packets: number[] = [];
  packetsTruncated = false;
  /** Held by the call's transactions (see CallLink). */
  readonly link: CallLink = { call: this, owner: undefined, openTransactions: 0 };
  /**
   * Transactions of this call still waiting for a final response (ACKs excluded), or an INVITE transaction whose
   * non-2xx final is not yet ACKed (RFC 3261 §17.1.1.3): while one is, the call is not complete.
   */
  awaitingTransactions = 0;
  /**
   * First credential any request of the call carried (see credential()): kept apart from the sessions, which
   * drop settled re-INVITEs (the session limit, parking).
   */
  firstCredential?: Credential;
  /** Reported and dropped (see release). */
  finished = false;
  /** Queued to be reported (complete, waiting the analyzer's grace time). */
  completing = false;
  private releasedOwner?: string;

  constructor(
    callId: string,
    start: CallStart,
    private readonly limits: CallLimits,
    /** Order in which the calls began (the order of an analysis that keeps every call to the end). */
    readonly sequence = 0,
  ) {
    this.callId = callId;
    this.from = start.from;
    this.to = start.to;
    this.callerTag = start.callerTag;
    this.callerUser = start.callerUser;
    this.startUs = start.startUs;
    this.lastUs = start.startUs;
    this.startedBeforeCapture = start.startedBeforeCapture;
    if (this.startedBeforeCapture) this.answerUs = start.startUs;
  }

  /**
   * The call as one string (parked-call.ts), for a call held with nothing going on: called once its last
   * transaction has closed (64*T1 after its last message, RFC 3261 §17), when no message of its past requests can
   * come any more. Its settled re-INVITEs and UPDATEs are left out (isSettledModification: nothing its summary or
   * findings read comes from them); the first session request is kept whatever it is (a later response whose
   * request was not captured is judged in-dialog only when the call has one).
   */
  park(): ParkedCall {
    return parkState(
      {
        from: this.from,
        to: this.to,
        callerTag: this.callerTag,
        callerUser: this.callerUser,
        startUs: this.startUs,
        startedBeforeCapture: this.startedBeforeCapture,
        sequence: this.sequence,
        lastUs: this.lastUs,
        ringing: this.ringing,
        answerUs: this.answerUs,
        cancel: this.cancel,
        bye: this.bye,
        reinvites: this.reinvites,
        packets: this.packets,
        packetsTruncated: this.packetsTruncated,
        awaitingTransactions: this.awaitingTransactions,
        earlyTags: this.earlyTags.values(),
        confirmedTags: this.confirmedTags.values(),
        sessions: this.sessions.values().filter((session, index) => index === 0 || !isSettledModification(session)),
        firstCredential: this.firstCredential,
      },
      this.owner(),
    );
  }

  /** A parked call back as it was (park). */
  static unpark(callId: string, parked: ParkedCall, limits: CallLimits): CallRecord {
    const state = unparkState(parked);
    const call = new CallRecord(callId, state, limits, state.sequence);
    call.lastUs = state.lastUs;
    call.ringing = state.ringing;
    call.answerUs = state.answerUs;
    call.cancel = state.cancel;
    call.bye = state.bye;
    call.reinvites = state.reinvites;
    call.packets = state.packets;
    call.packetsTruncated = state.packetsTruncated;
    call.awaitingTransactions = state.awaitingTransactions;
    call.firstCredential = state.firstCredential;
    for (const tag of state.earlyTags) call.earlyTags.add(tag);
    for (const tag of state.confirmedTags) call.confirmedTags.add(tag);
    for (const session of state.sessions) call.sessions.add(session);
    return call;
  }

  /** Takes one message of this Call-ID; retransmissions only add their packets. */
  observe(message: ObservedMessage, retransmission: boolean): void {
    this.addPackets(message.packets);
    this.lastUs = Math.max(this.lastUs, message.timeUs);
    if (retransmission) return;
    if (message.kind === 'request') this.observeRequest(message);
    else this.observeResponse(message);
  }

  /** The frames of a mirror copy of one of its messages (mirror-copies.ts): they carry the call too. */
  addCopy(packets: number[]): void {
    this.addPackets(packets);
  }

  /**
   * The credential the call authenticated with, the one rule behind its `username` and its owner (so behind the
   * calls table, the JSON, the HTML report, --user and the findings that fall back on the owner): the
   * Authorization / Proxy-Authorization (RFC 3261 §22.2, §22.3) of its initial INVITE that a 2xx accepted; else
   * the first one any request of the call carried, on any hop. The second covers an INVITE that needed none while
   * a re-INVITE, UPDATE or BYE answered a challenge, a call not (yet) accepted, and a call whose INVITE came
   * before the capture or --since (only its later requests are seen). A caller that sent one username, was
   * refused, and then got through with another ran on the second: the accepted INVITE comes first.
   */
  credential(): Credential | undefined {
    for (const session of this.sessions.values()) {
      if (session.method === 'INVITE' && !session.inDialog && session.successTimeUs !== undefined && session.credential) return session.credential;
    }
    return this.firstCredential;
  }

  /** Credential seen on any hop of one INVITE/UPDATE of this call: the one of the message's From tag. */
  sessionCredentialOf(fields: MessageFields, cseqNumber: number, method: string): Credential | undefined {
    return this.sessions.findOf(fields, cseqNumber, method)?.credential;
  }

  /** Username used to attribute this call to a credential: the credential's, else the caller's URI user. */
  owner(): string | undefined {
    if (this.finished) return this.releasedOwner;
    return this.credential()?.username ?? this.callerUser;
  }

  /**
   * The call was reported: its per-message state goes (a transaction of it may still be open for 64*T1 and keep
   * this object), only its owner stays.
   */
  release(): void {
    this.releasedOwner = this.owner();
    this.link.owner = this.releasedOwner;
    this.link.call = undefined;
    this.finished = true;
    this.sessions.clear();
    this.earlyTags.clear();
    this.confirmedTags.clear();
    this.packets.length = 0;
  }

  /**
   * Over at once, without waiting 64*T1 for its transactions to close: a BYE ended it (RFC 3261 §15.1.2), every
   * transaction of it got its final response (ACKed where RFC 3261 §17.1.1.3 wants one) and isSettled holds. Only
   * retransmissions can follow; they are counted, not added to the call's packets. Calls that failed or were
   * cancelled wait for their transactions to close instead: the caller may retry on the same Call-ID (401/407
   * with credentials, 3xx, 503 failover).
   */
  isComplete(): boolean {
    return this.bye !== undefined && this.awaitingTransactions === 0 && this.isSettled();
  }

  /** First re-INVITE/UPDATE of the confirmed dialog that failed (final >= 300, not a challenge or 491). */
  firstFailedModification(): SessionRequest | undefined {
    let first: SessionRequest | undefined;
    for (const session of this.sessions.values()) {
      if (isFailedModification(session) && (first === undefined || session.finalTimeUs! < first.finalTimeUs!)) first = session;
    }
    return first;
  }

  /** First 403 to a re-INVITE/UPDATE of the confirmed dialog (the revocation timeline's "damaged"). */
  firstForbiddenModificationUs(): number | undefined {
    let first: number | undefined;
    for (const session of this.sessions.values()) {
      if (session.inDialog && session.confirmedDialog && session.forbiddenTimeUs !== undefined) {
        first = Math.min(first ?? session.forbiddenTimeUs, session.forbiddenTimeUs);
      }
    }
    return first;
  }

  /**
   * The call is over and nothing the rest of the capture could bring would change its summary or findings: it
   * ended (BYE, a dialog-ending re-INVITE failure), failed or was cancelled, every INVITE of it got a final
   * response (else invite-timeout waits for the capture's end) and every 2xx to an INVITE was ACKed (else
   * no-ack does). The analyzer asks this once the call's last transaction closed, 64*T1 after its last message
   * (RFC 3261 §17: no retransmission of it can come later).
   */
  isSettled(): boolean {
    for (const session of this.sessions.values()) {
      if (session.method !== 'INVITE') continue;
      if (session.finalStatus === undefined || (session.successTimeUs !== undefined && !session.acked)) return false;
    }
    const { state } = this.outcome();
    return state === 'ended' || state === 'torn-down' || state === 'failed' || state === 'cancelled';
  }

  /**
   * No response but 100 Trying came to its INVITE: the caller's Timer B (64*T1, RFC 3261 §17.1.1.2) has fired
   * once its transactions closed, so the attempt is over. A ringing call is not: it may ring for minutes.
   */
  isUnansweredAttempt(): boolean {
    return this.outcome().state === 'attempted';
  }

  /** The state and times of the call once the capture has been read to its end. */
  summarize(): CallSummary {
    const { state, endUs } = this.outcome();
    const failure = this.firstFailedModification();
    const summary: CallSummary = {
      callId: this.callId,
      from: this.from,
      to: this.to,
      startUs: this.startUs,
      state,
      reinvites: this.reinvites,
      dialogs: Math.max(this.earlyTags.size, this.confirmedTags.size, 1),
      packets: sortedUnique(this.packets),
      packetsTruncated: this.packetsTruncated,
    };
    const username = this.credential()?.username;
    if (username !== undefined) summary.username = username;
    const owner = this.owner();
    if (owner !== undefined) summary.owner = owner;
    if (endUs !== undefined) {
      summary.endUs = endUs;
      summary.durationMs = elapsedMs(this.startUs, endUs);
    }
    if (this.startedBeforeCapture) summary.startedBeforeCapture = true;
    if (this.bye) summary.endedBy = this.bye.side;
    if (failure) summary.reinviteFailureUs = failure.finalTimeUs;
    return summary;
  }

  /** Who sent a message of this call: the caller (From tag of the INVITE) or the callee. */
  sideOf(message: ObservedMessage): CallSide {
    // fromTag === callerTag: none and an empty tag differ here
    const fields = message.fields;
    return fields.hasFromTag === (this.callerTag !== undefined) && fields.fromTagIs(this.callerTag) ? 'caller' : 'callee';
  }

  private refOf(message: ObservedMessage): MessageRef {
    return { packetNumber: message.packetNumber, timeUs: message.timeUs, side: this.sideOf(message) };
  }

  private outcome(): { state: CallState; endUs?: number } {
    const failedModification = this.firstFailedModification();
    if (this.bye) return { state: failedModification ? 'torn-down' : 'ended', endUs: this.bye.timeUs };
    const sessions = this.sessions.values();
    if (this.answerUs !== undefined) {
      const ending = sessions.find(endsDialog);
      return ending ? { state: 'torn-down', endUs: ending.finalTimeUs } : { state: 'active' };
    }
    let last: SessionRequest | undefined;
    for (let i = sessions.length - 1; i >= 0 && last === undefined; i--) if (sessions[i].method === 'INVITE' && !sessions[i].inDialog) last = sessions[i];
    if (last?.finalStatus !== undefined && last.finalStatus >= 300) {
      const cancelled = this.cancel !== undefined || last.finalStatus === 487;
      return { state: cancelled ? 'cancelled' : 'failed', endUs: last.finalTimeUs };
    }
    if (this.cancel) return { state: 'cancelled', endUs: this.cancel.timeUs };
    return { state: this.ringing ? 'ringing' : 'attempted' };
  }

  private observeRequest(request: ObservedRequest): void {
    const method = request.method;
    const carried = request.fields.credential;
    if (carried && !this.firstCredential) this.firstCredential = ownCredential(carried);
    if (method === 'INVITE' || method === 'UPDATE') {
      const session = this.sessionFor(request, method);
      session.request ??= this.refOf(request);
      if (carried && !session.credential) session.credential = ownCredential(carried);
    } else if (method === 'ACK') {
      const session = this.sessions.findOf(request.fields, request.fields.cseqNumber, 'INVITE');
      if (session) session.acked = true;
    } else if (method === 'CANCEL') {
      this.cancel ??= this.refOf(request);
    } else if (method === 'BYE') {
      this.bye ??= this.refOf(request);
    }
  }

  private observeResponse(response: ObservedResponse): void {
    const method = response.fields.cseqMethod;
    if (method !== 'INVITE' && method !== 'UPDATE') return;
    const session = this.sessionFor(response, method);
    const status = response.status;
    const fields = response.fields;
    if (method === 'INVITE' && !session.inDialog) {
      if (status > 100 && status < 200 && fields.inDialog) this.earlyTags.addToTag(fields);
      if (status >= 180 && status < 200) this.ringing = true;
      if (status >= 200 && status < 300) {
        if (fields.inDialog) this.confirmedTags.addToTag(fields);
        this.answerUs ??= response.timeUs;
      }
    }
    recordSessionResponse(session, response);
  }

  private sessionFor(message: ObservedMessage, method: 'INVITE' | 'UPDATE'): SessionRequest {
    let session = this.sessions.findOf(message.fields, message.fields.cseqNumber, method);
    if (!session) {
      session = newSession(message, method, this.answerUs !== undefined);
      // A response whose request was not captured: judge by the dialog's state instead of the To tag.
      if (message.kind === 'response') session.inDialog = this.answerUs !== undefined && this.sessions.size > 0;
      if (method === 'INVITE' && session.inDialog) this.reinvites++;
      this.sessions.add(session);
      this.enforceSessionLimit();
    }
    return session;
  }

  private enforceSessionLimit(): void {
    if (this.sessions.size <= this.limits.maxSessionsPerCall) return;
    for (const session of this.sessions.values()) {
      if (isSettledModification(session)) {
        this.sessions.delete(session);
        return;
      }
    }
  }

  private addPackets(packets: number[]): void {
    for (const packet of packets) {
      if (this.packets.length >= this.limits.maxPacketsPerCall) {
        this.packetsTruncated = true;
        return;
      }
      this.packets.push(packet);
    }
  }
}

/** A credential whose strings are its own (not slices of the message they were read from). */
function ownCredential(credential: Credential): Credential {
  return { username: ownCopy(credential.username), realm: credential.realm === undefined ? undefined : ownCopy(credential.realm) };
}

/** Packet numbers in increasing order, each once (a call's are usually that already: then only copied). */
function sortedUnique(packets: readonly number[]): number[] {
  for (let i = 1; i < packets.length; i++) {
    if (packets[i] <= packets[i - 1]) return [...new Set(packets)].sort((a, b) => a - b);
  }
  return packets.slice();
}
