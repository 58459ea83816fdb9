/**
 * The analysis pipeline stage (sngrep's "call storage"), streaming: decoded SIP payloads in, in capture order;
 * calls and findings out as soon as they are known, the revocation timeline and duration statistics at the end.
 *
 * Memory stays bounded by what is going on, not by what went before: per message only the fields the analysis
 * needs are kept, in the transaction it belongs to; a transaction closes 64*T1 after its last message (RFC 3261
 * §17, expired from a time-ordered table); a call is finished, reported and dropped when it is over and its last
 * transaction closed (CallRecord.isSettled), or at the end of the capture. What lives to the end is what the
 * output needs in aggregate: counters, the durations (8 bytes a call), the revocation timeline per credential
 * (and the few numbers it needs of that credential's calls), and, when collecting, the calls and findings.
 */
import { framesOf, type DecodeStats, type SipPayload } from '../capture/types.js';
import { parseMessage, type SipMessage } from '../sip/index.js';
import { CallTable } from './call-table.js';
import { DEFAULT_CALL_LIMITS, type CallLimits, type CallRecord } from './calls.js';
import { DETECTORS, type Detector } from './detectors/index.js';
import type { AnalysisBounds } from './detectors/detector.js';
import { DurationList } from './durations.js';
import { callOfUser } from './filter.js';
import { ANALYSIS_HEADERS, uriUser } from './fields.js';
import { MessageCounts } from './message-counts.js';
import { MirrorCopies } from './mirror-copies.js';
import { observe, observeReading, type ObservedMessage, type ObservedResponse } from './observed.js';
import { readPlainMessage, readScannedMessage } from './plain-message.js';
import { JudgedOutcomes, type RequestOutcome } from './outcome.js';
import { durationStats } from './stats.js';
import { RevocationTimeline } from './timeline.js';
import { TimedQueue } from './timed-queue.js';
import { T1_US, TransactionTable, TRANSACTION_LIFETIME_US, type TransactionId } from './transactions.js';
import type { AnalysisIssue, AnalysisResult, AnalysisSummary, CallSummary, Finding } from './types.js';

/** The order of the findings a finished analysis lists: by time, then kind. */
export function byFindingTime(a: Finding, b: Finding): number {
  return a.timeUs - b.timeUs || a.kind.localeCompare(b.kind);
}

/** Where a streaming analysis hands its results as they become known. */
export interface AnalysisSink {
  /** A finished call (in the order calls finish). */
  call?(call: CallSummary): void;
  /** A finding, when it is known (not in time order across calls). */
  finding?(finding: Finding): void;
}

export interface AnalyzerOptions {
  /** Messages before this time (µs since the epoch) are skipped. */
  sinceUs?: number;
  /** Messages after this time are skipped. */
  untilUs?: number;
  /**
   * Only this user's calls (filter.ts callOfUser) count in the duration statistics (--user): calls and findings
   * still all go to the sink, which narrows them itself (the dataset wants them all).
   */
  durationsUser?: string;
  limits?: Partial<CallLimits>;
  maxOpenTransactions?: number;
  /** Sees every usable message with its retransmission flag (flow diagrams, extraction); mirror copies are not. */
  observer?(message: ObservedMessage, retransmission: boolean): void;
  /**
   * Sees each mirror copy set aside (mirror-copies.ts: a HEP copy of a message seen on the wire, or a second HEP
   * copy) with its Call-ID when it has a readable one: its frames carry a message of that Call-ID (extraction).
   */
  mirrorCopy?(copy: SipPayload, callId: string | undefined): void;
  /** Receives calls and findings as they are known. */
  sink?: AnalysisSink;
  /**
   * A live source (`--follow`, `--hep-listen`): its capture has no end to wait for, so a call attempt that got no
   * answer is finished (and its invite-timeout reported) once its transactions closed by the clock, 64*T1 after
   * its last message, instead of at the end. Captures read from files keep that judgement for their end.
   */
  live?: boolean;
  /**
   * Keep every call and finding to return them from finish(), sorted (calls by start, findings by time).
   * Default: true without a sink, false with one.
   */
  collect?: boolean;
}

/**
 * A complete call is reported this long (capture time) after the message that completed it: copies of the same
 * frames captured on a second interface or hop, which come within microseconds, still count as its packets.
 * T1 (RFC 3261 §17.1.1.1): a retransmission comes no sooner.
 */
const COMPLETION_GRACE_US = T1_US;

/** Most usernames whose 403s are counted one by one. */
const MAX_FORBIDDEN_USERS = 10_000;

/** Most analysis issues listed one by one (all are counted). */
const MAX_ISSUES_LISTED = 100;

export class Analyzer {
  private readonly transactions: TransactionTable;
  private readonly calls: CallTable;
  private readonly timeline = new RevocationTimeline();
  private readonly detectors: Detector[] = DETECTORS.map((create) => create());
  /**
   * The detectors with each hook, in DETECTORS order: a call site then sees the few kinds that have it (a
   * polymorphic call) instead of looking the hook up on all nine (a megamorphic one) for every final response and
   * every finished call.
   */
  private readonly finalResponseDetectors = this.detectors.filter((detector) => detector.onFinalResponse !== undefined);
  private readonly callFinishedDetectors = this.detectors.filter((detector) => detector.onCallFinished !== undefined);
  private readonly transactionClosedDetectors = this.detectors.filter((detector) => detector.onTransactionClosed !== undefined);
  /** Final responses already judged (one outcome per request and status over all hops: the first frame). */
  private readonly judged = new JudgedOutcomes();
  private readonly durations = new DurationList();
  /** Complete calls (CallRecord.isComplete) and when they are finished: COMPLETION_GRACE_US later, in that order. */
  private readonly completing = new TimedQueue<CallRecord>();
  /** 403s per username (counted once per request over all hops), for a live run's metrics. */
  private readonly forbiddenByUser = new Map<string, number>();
  private readonly collected?: { calls: CallSummary[]; findings: Finding[] };
  private readonly issues: AnalysisIssue[] = [];
  private readonly mirrors = new MirrorCopies();
  private readonly messageCounts = new MessageCounts();
  private sipMessages = 0;
  private mirrorCopies = 0;
  private unusableMessages = 0;
  private finishedCalls = 0;
  private firstTimeUs?: number;
  private lastTimeUs?: number;
  /** Where --since / --until left messages out (set by the first message they skip). */
  private readonly bounds: AnalysisBounds = {};
  private readonly closeTransaction = (transaction: TransactionId): void => this.onTransactionClosed(transaction, false);
  /** The clock closing a transaction 64*T1 after its last message (not the end's closeAll, not the size limit). */
  private readonly expireTransaction = (transaction: TransactionId): void => this.onTransactionClosed(transaction, true);
  /** The transaction being closed, for closingUsername. */
  private closingTransaction: TransactionId = -1;
  /**
   * Whose the closing transaction is: its request's credential, else its call's owner (or the reported call's, or
   * the finished Call-ID's). Asked by a detector only when it reports (the owner is not free to work out).
   */
  private readonly closingUsername = (): string | undefined => {
    const transactions = this.transactions;
    const transaction = this.closingTransaction;
    const link = transactions.callOf(transaction);
    return transactions.credentialUsernameOf(transaction) ?? (link ? (link.call?.owner() ?? link.owner) : this.calls.ownerOf(transactions.callIdOf(transaction)));
  };

  constructor(private readonly options: AnalyzerOptions = {}) {
    this.transactions = new TransactionTable({ maxOpen: options.maxOpenTransactions });
    this.calls = new CallTable({ ...DEFAULT_CALL_LIMITS, ...options.limits });
    if (options.collect ?? options.sink === undefined) this.collected = { calls: [], findings: [] };
  }

  /**
   * Takes one decoded SIP message; returns what the analysis read from it (undefined when skipped, unusable or a
   * mirror copy set aside). scans: the plain scan's record of its bytes at scans[scanAt...], when another thread
   * made it (read-thread/); else the message is scanned here.
   */
  add(payload: SipPayload, scans?: Int32Array, scanAt = 0): ObservedMessage | undefined {
    if (this.options.sinceUs !== undefined && payload.timeUs < this.options.sinceUs) {
      this.bounds.cutSinceUs = this.options.sinceUs;
      return undefined;
    }
    if (this.options.untilUs !== undefined && payload.timeUs > this.options.untilUs) {
      this.bounds.cutUntilUs = this.options.untilUs;
      return undefined;
    }
    const sighting = this.mirrors.sight(payload);
    if (sighting.payload !== payload) {
      this.setAside(payload, sighting.fields?.callId);
      return undefined;
    }
    const observed = this.read(payload, scans, scanAt);
    if (!observed) return undefined;
    // a copy has the same bytes: its Call-ID is this one, not read again
    sighting.fields = observed.fields;
    const transactions = this.transactions;
    const { transaction, retransmission, created, firstFinal } = transactions.observe(observed, this.closeTransaction);
    const call = this.calls.observe(observed, retransmission, created ? undefined : transactions.callOf(transaction)?.call);
    if (created && call) {
      transactions.joinCall(transaction, call.link, call.callId);
      call.link.openTransactions++;
      if (transactions.methodOf(transaction) !== 'ACK') call.awaitingTransactions++;
    }
    this.options.observer?.(observed, retransmission);
    if (observed.kind === 'response' && firstFinal) this.onFinalResponse(observed, transaction, call);
    const followed = transactions.callOf(transaction)?.call;
    if (followed && !followed.finished) this.awaitingChanges(observed, transaction, followed, firstFinal, retransmission);
    this.clock(observed.timeUs);
    return observed;
  }

  /**
   * Moves the capture clock on without a message (a live source that went quiet): transactions idle for 64*T1
   * at `nowUs` close, and the calls they finish are reported.
   */
  advance(nowUs: number): void {
    this.clock(nowUs);
  }

  /** Time of the last message analysed (µs), if any. */
  get lastMessageUs(): number | undefined {
    return this.lastTimeUs;
  }

  /** Calls held (not finished) and transactions open: what a live run's memory is made of. */
  get open(): { calls: number; transactions: number } {
    return { calls: this.calls.size, transactions: this.transactions.size };
  }

  /** Calls finished so far. */
  get finished(): number {
    return this.finishedCalls;
  }

  /** Counters of the analysis so far (a live run's metrics). */
  counters(): { sipMessages: number; mirrorCopies: number; unusableMessages: number; callsActive: number; callsFinished: number; forbiddenByUser: ReadonlyMap<string, number> } {
    return {
      sipMessages: this.sipMessages,
      mirrorCopies: this.mirrorCopies,
      unusableMessages: this.unusableMessages,
      callsActive: this.calls.size,
      callsFinished: this.finishedCalls,
      forbiddenByUser: this.forbiddenByUser,
    };
  }

  /**
   * Ends the analysis: closes what is still open, finishes every call still held (judged at the capture's last
   * message; at --until when it left later messages out, for the capture went on to there), and returns the
   * summary, the revocation timeline and the statistics (plus calls and findings, sorted, when collecting).
   */
  finish(decode?: DecodeStats): AnalysisResult {
    this.transactions.closeAll(this.closeTransaction);
    const endUs = this.bounds.cutUntilUs ?? this.lastTimeUs ?? 0;
    for (const call of this.calls.held()) this.finishCall(call, endUs);
    this.limitIssues();
    const calls = this.collected?.calls.sort((a, b) => a.startUs - b.startUs || a.callId.localeCompare(b.callId)) ?? [];
    const findings = this.collected?.findings.sort(byFindingTime) ?? [];
    return {
      summary: this.summary(decode, this.finishedCalls),
      calls,
      findings,
      revocations: this.timeline.revocations(this.bounds.cutSinceUs),
      durations: durationStats(this.durations.view()),
      issues: this.issues,
      firstTimeUs: this.firstTimeUs,
      lastTimeUs: this.lastTimeUs,
    };
  }

  /**
   * What the analysis reads of a message: from its bytes when it is in the plain form (plain-message.ts), else
   * through the parser; counted either way. Undefined when unusable (an issue says why).
   */
  private read(payload: SipPayload, scans: Int32Array | undefined, scanAt: number): ObservedMessage | undefined {
    const plain = scans === undefined ? readPlainMessage(payload.bytes) : readScannedMessage(payload.bytes, scans, scanAt);
    if (plain) {
      this.count(plain, payload.timeUs);
      return observeReading(payload, plain);
    }
    let message: SipMessage;
    try {
      message = parseMessage(payload.bytes, { datagram: payload.transport === 'udp', only: ANALYSIS_HEADERS });
    } catch (error) {
      this.unusable(payload, 'unparsable-message', `not a SIP message: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    this.count(message, payload.timeUs);
    const observed = observe(payload, message);
    if (!observed) this.unusable(payload, 'missing-call-id-or-cseq', 'SIP message without a readable Call-ID or CSeq: left out of calls and transactions');
    return observed;
  }

  /**
   * A mirror copy: counted apart, not analysed. Its frames are the message's too, so they join its call's packets
   * (as a retransmission's do).
   */
  private setAside(copy: SipPayload, callId: string | undefined): void {
    this.mirrorCopies++;
    if (callId !== undefined) this.calls.get(callId)?.addCopy(framesOf(copy));
    this.options.mirrorCopy?.(copy, callId);
  }

  private count(message: { kind: 'request'; method: string } | { kind: 'response'; status: number }, timeUs: number): void {
    this.sipMessages++;
    this.messageCounts.add(message);
    if (this.firstTimeUs === undefined || timeUs < this.firstTimeUs) this.firstTimeUs = timeUs;
    if (this.lastTimeUs === undefined || timeUs > this.lastTimeUs) this.lastTimeUs = timeUs;
  }

  private report(finding: Finding): void {
    this.collected?.findings.push(finding);
    this.options.sink?.finding?.(finding);
  }

  private onFinalResponse(response: ObservedResponse, transaction: TransactionId, call: CallRecord | undefined): void {
    const outcome = outcomeOf(response, this.transactions, transaction, call);
    if (!this.judged.add(outcome)) return;
    if (outcome.status === 403 && outcome.username !== undefined) {
      const known = this.forbiddenByUser.get(outcome.username);
      if (known !== undefined || this.forbiddenByUser.size < MAX_FORBIDDEN_USERS) this.forbiddenByUser.set(outcome.username, (known ?? 0) + 1);
    }
    this.timeline.observe(outcome);
    for (const detector of this.finalResponseDetectors) {
      const found = detector.onFinalResponse!(outcome, response);
      if (found) this.report(found);
    }
  }

  private onTransactionClosed(transaction: TransactionId, byClock: boolean): void {
    const transactions = this.transactions;
    const link = transactions.callOf(transaction);
    this.closingTransaction = transaction;
    for (const detector of this.transactionClosedDetectors) {
      const found = detector.onTransactionClosed!(transactions.closingView(transaction), this.closingUsername);
      if (found) this.report(found);
    }
    if (!link || --link.openTransactions > 0) return;
    const call = link.call;
    if (!call || call.finished) return;
    if (call.isSettled() || (this.options.live && byClock && call.isUnansweredAttempt())) this.finishCall(call, transactions.lastTimeUsOf(transaction) + TRANSACTION_LIFETIME_US);
    // held until the capture ends or it goes on (an answered call without BYE): as one string meanwhile
    else this.calls.park(call);
  }

  /** Counts the call's transactions still waiting (CallRecord.awaitingTransactions); finishes it when complete. */
  private awaitingChanges(message: ObservedMessage, transaction: TransactionId, call: CallRecord, firstFinal: boolean, retransmission: boolean): void {
    const transactions = this.transactions;
    if (firstFinal) {
      call.awaitingTransactions--;
      // A non-2xx final to an INVITE waits for its ACK (RFC 3261 §17.1.1.3).
      if (transactions.methodOf(transaction) === 'INVITE' && transactions.finalStatus(transaction) >= 300 && !transactions.isAcked(transaction)) call.awaitingTransactions++;
    } else if (message.kind === 'request' && message.method === 'ACK' && transactions.methodOf(transaction) === 'INVITE' && !retransmission && transactions.finalStatus(transaction) !== 0) {
      call.awaitingTransactions--;
    }
    if (!call.completing && call.isComplete()) {
      call.completing = true;
      this.completing.push(call, message.timeUs + COMPLETION_GRACE_US);
    }
  }

  /** Moves the capture clock to `nowUs`: closes expired transactions, finishes calls complete for the grace time. */
  private clock(nowUs: number): void {
    this.transactions.expire(nowUs, this.expireTransaction);
    for (let call = this.completing.takeNextDue(nowUs); call !== undefined; call = this.completing.takeNextDue(nowUs)) {
      call.completing = false;
      if (!call.finished && call.isComplete()) this.finishCall(call, nowUs);
    }
    this.calls.expireFinished(nowUs);
  }

  /**
   * Whether a finished call's duration goes into the statistics: answered (a call ended by BYE whose 2xx the capture
   * missed has no known answer) and ended by BYE, its whole duration seen (not begun before the capture or --since),
   * and of the --user given.
   */
  private inDurations(call: CallRecord, summary: CallSummary): boolean {
    const complete = summary.state === 'ended' || summary.state === 'torn-down';
    const counted = this.options.durationsUser === undefined || callOfUser(summary, this.options.durationsUser);
    return complete && counted && call.answerUs !== undefined && !call.startedBeforeCapture && summary.durationMs !== undefined;
  }

  /** Summary and findings of a finished call out, its aggregates kept, its state dropped. */
  private finishCall(call: CallRecord, judgedAtUs: number): void {
    this.calls.remove(call, judgedAtUs);
    this.finishedCalls++;
    const summary = call.summarize();
    if (this.inDurations(call, summary)) summary.inDurations = true;
    this.collected?.calls.push(summary);
    this.options.sink?.call?.(summary);
    for (const detector of this.callFinishedDetectors) {
      for (const found of detector.onCallFinished!(call, summary, judgedAtUs, this.bounds)) this.report(found);
    }
    if (summary.inDurations) this.durations.push(summary.durationMs!);
    // what the timeline keeps is made only for a credential it follows (read before release drops the sessions)
    const kept = this.timeline.follows(summary.owner)
      ? {
          callId: summary.callId,
          sequence: call.sequence,
          owner: summary.owner,
          startUs: summary.startUs,
          endUs: summary.endUs,
          answerUs: call.answerUs,
          startedBeforeCapture: call.startedBeforeCapture,
          firstForbiddenModificationUs: call.firstForbiddenModificationUs(),
        }
      : undefined;
    call.release();
    if (kept) this.timeline.keep(kept);
  }

  private unusable(payload: SipPayload, code: string, message: string): void {
    this.unusableMessages++;
    if (this.issues.length < MAX_ISSUES_LISTED) this.issues.push({ code, message, file: payload.file, packetNumber: payload.packetNumber });
  }

  private limitIssues(): void {
    if (this.calls.dropped > 0) {
      this.issues.push({ code: 'call-limit', message: `call limit reached: ${this.calls.dropped} INVITEs of further Call-IDs were not analysed` });
    }
    if (this.transactions.evicted > 0) {
      this.issues.push({ code: 'transaction-limit', message: `transaction limit reached: ${this.transactions.evicted} transactions were closed early` });
    }
  }

  private summary(decode: DecodeStats | undefined, calls: number): AnalysisSummary {
    return {
      files: decode?.files ?? 0,
      packets: decode?.packets ?? 0,
      sipMessages: this.sipMessages,
      mirrorCopies: this.mirrorCopies,
      calls,
      requests: this.messageCounts.requestsByMethod(),
      responses: this.messageCounts.responsesByCode(),
      decodeErrors: (decode?.decodeErrors ?? 0) + this.unusableMessages,
      ...(decode?.unusableInputs === undefined ? {} : { unusableInputs: decode.unusableInputs }),
    };
  }
}

/**
 * Who a final response concerns: the credential the request carried (on any hop: a proxy may strip it when it
 * forwards); else, for a request of a call, the call's owner; for a REGISTER, its To user (the address-of-record,
 * RFC 3261 §10.2); else the From user.
 */
function outcomeOf(response: ObservedResponse, transactions: TransactionTable, transaction: TransactionId, call: CallRecord | undefined): RequestOutcome {
  const method = transactions.methodOf(transaction);
  const cseqNumber = transactions.cseqNumberOf(transaction);
  const credentialUsername = transactions.credentialUsernameOf(transaction) ?? call?.sessionCredentialOf(response.fields, cseqNumber, method)?.username;
  // From and To URIs of a response are its request's (RFC 3261 §8.2.6.2), so the response's are read.
  const fields = response.fields;
  const username = credentialUsername ?? (call ? call.owner() : method === 'REGISTER' ? uriUser(fields.toUri) : uriUser(fields.fromUri));
  return {
    username,
    credentialSent: credentialUsername !== undefined,
    method,
    callId: transactions.callIdOf(transaction),
    cseqNumber,
    status: response.status,
    stale: response.fields.staleChallenge,
    timeUs: response.timeUs,
    requestPacket: transactions.requestPacketOf(transaction),
    responsePacket: response.packetNumber,
    inDialog: transactions.inDialog(transaction),
  };
}
