/**
 * The analysis pipeline stage (sngrep's "call storage"): decoded SIP payloads in, in capture order; transactions,
 * calls, findings, the revocation timeline and duration statistics out. Streaming: per message it keeps only the
 * fields it needs, transactions are closed 64*T1 after their last message, and calls are capped (CallLimits).
 */
import type { DecodeStats, SipPayload } from '../capture/types.js';
import { parseMessage, type SipMessage } from '../sip/index.js';
import { CallTable, DEFAULT_CALL_LIMITS, type CallLimits, type CallRecord } from './calls.js';
import { AuthFailureLoopDetector } from './detectors/auth-failure-loop.js';
import { AuthRejectedDetector } from './detectors/auth-rejected.js';
import { detectInviteTimeout } from './detectors/invite-timeout.js';
import { detectNoAck } from './detectors/no-ack.js';
import { detectOrphanCall } from './detectors/orphan-call.js';
import { RegisterForbiddenDetector } from './detectors/register-forbidden.js';
import { detectReinviteForbidden } from './detectors/reinvite-forbidden.js';
import { detectRetransmissionStorm } from './detectors/retransmission-storm.js';
import { ServerErrorDetector } from './detectors/server-error.js';
import { uriUser } from './fields.js';
import { observe, type ObservedMessage } from './observed.js';
import { BoundedSet, requestIdentity, type RequestOutcome } from './outcome.js';
import { durationStats } from './stats.js';
import { RevocationTimeline } from './timeline.js';
import { TransactionTable, type Transaction } from './transactions.js';
import type { AnalysisIssue, AnalysisResult, AnalysisSummary, CallSummary, Finding } from './types.js';

export interface AnalyzerOptions {
  /** Messages before this time (µs since the epoch) are skipped. */
  sinceUs?: number;
  /** Messages after this time are skipped. */
  untilUs?: number;
  limits?: Partial<CallLimits>;
  maxOpenTransactions?: number;
  /** Sees every usable message with its retransmission flag (flow diagrams, extraction). */
  observer?(message: ObservedMessage, retransmission: boolean): void;
}

/** Most analysis issues listed one by one (all are counted). */
const MAX_ISSUES_LISTED = 100;
const SWEEP_EVERY_MESSAGES = 1024;

export class Analyzer {
  private readonly transactions: TransactionTable;
  private readonly calls: CallTable;
  private readonly timeline = new RevocationTimeline();
  private readonly registerForbidden = new RegisterForbiddenDetector();
  private readonly authRejected = new AuthRejectedDetector();
  private readonly authLoop = new AuthFailureLoopDetector();
  private readonly serverErrors = new ServerErrorDetector();
  /** Final responses already judged (one outcome per request and status over all hops: the first frame). */
  private readonly judged = new BoundedSet();
  private readonly findings: Finding[] = [];
  private readonly issues: AnalysisIssue[] = [];
  private readonly requests: Record<string, number> = {};
  private readonly responses: Record<string, number> = {};
  private sipMessages = 0;
  private unusableMessages = 0;
  private firstTimeUs?: number;
  private lastTimeUs?: number;
  private readonly closeTransaction = (transaction: Transaction): void => this.onTransactionClosed(transaction);

  constructor(private readonly options: AnalyzerOptions = {}) {
    this.transactions = new TransactionTable({ maxOpen: options.maxOpenTransactions });
    this.calls = new CallTable({ ...DEFAULT_CALL_LIMITS, ...options.limits });
  }

  /** Takes one decoded SIP message; returns what the analysis read from it (undefined when skipped or unusable). */
  add(payload: SipPayload): ObservedMessage | undefined {
    if (this.options.sinceUs !== undefined && payload.timeUs < this.options.sinceUs) return undefined;
    if (this.options.untilUs !== undefined && payload.timeUs > this.options.untilUs) return undefined;
    let message: SipMessage;
    try {
      message = parseMessage(payload.bytes, { datagram: payload.transport === 'udp' });
    } catch (error) {
      this.unusable(payload, 'unparsable-message', `not a SIP message: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    this.count(message, payload.timeUs);
    const observed = observe(payload, message);
    if (!observed) {
      this.unusable(payload, 'missing-call-id-or-cseq', 'SIP message without a readable Call-ID or CSeq: left out of calls and transactions');
      return undefined;
    }
    const { transaction, retransmission } = this.transactions.observe(observed, this.closeTransaction);
    const call = this.calls.observe(observed, retransmission);
    this.options.observer?.(observed, retransmission);
    if (observed.kind === 'response' && !retransmission && transaction.final === observed) {
      this.onFinalResponse(observed, transaction, call);
    }
    if (this.sipMessages % SWEEP_EVERY_MESSAGES === 0) this.transactions.sweep(observed.timeUs, this.closeTransaction);
    return observed;
  }

  /** Closes what is still open and computes calls, findings, revocations and statistics. */
  finish(decode?: DecodeStats): AnalysisResult {
    this.transactions.closeAll(this.closeTransaction);
    const captureEndUs = this.lastTimeUs ?? 0;
    const records = this.calls.all();
    const calls: CallSummary[] = [];
    const timelineCalls = [];
    const durations: number[] = [];
    for (const record of records) {
      const summary = record.summarize();
      calls.push(summary);
      this.findings.push(...callFindings(record, summary, captureEndUs));
      timelineCalls.push({ summary, owner: record.owner(), answerUs: record.answerUs, firstForbiddenModificationUs: firstForbiddenModification(record) });
      const complete = summary.state === 'ended' || summary.state === 'torn-down';
      if (complete && record.answerUs !== undefined && !record.startedBeforeCapture && summary.durationMs !== undefined) {
        durations.push(summary.durationMs);
      }
    }
    this.limitIssues();
    calls.sort((a, b) => a.startUs - b.startUs || a.callId.localeCompare(b.callId));
    const findings = this.findings.sort((a, b) => a.timeUs - b.timeUs || a.kind.localeCompare(b.kind));
    return {
      summary: this.summary(decode, calls.length),
      calls,
      findings,
      revocations: this.timeline.revocations(timelineCalls),
      durations: durationStats(durations),
      issues: this.issues,
      firstTimeUs: this.firstTimeUs,
      lastTimeUs: this.lastTimeUs,
    };
  }

  private count(message: SipMessage, timeUs: number): void {
    this.sipMessages++;
    if (message.kind === 'request') this.requests[message.method] = (this.requests[message.method] ?? 0) + 1;
    else this.responses[String(message.status)] = (this.responses[String(message.status)] ?? 0) + 1;
    this.firstTimeUs = Math.min(this.firstTimeUs ?? timeUs, timeUs);
    this.lastTimeUs = Math.max(this.lastTimeUs ?? timeUs, timeUs);
  }

  private onFinalResponse(response: ObservedMessage, transaction: Transaction, call: CallRecord | undefined): void {
    const outcome = outcomeOf(response, transaction, call);
    if (!this.judged.add(`${requestIdentity(outcome)} ${outcome.status}`)) return;
    this.timeline.observe(outcome);
    for (const found of [
      this.registerForbidden.observe(outcome),
      this.authRejected.observe(outcome),
      this.authLoop.observe(outcome),
      this.serverErrors.observe(outcome, response.reason ?? ''),
    ]) {
      if (found) this.findings.push(found);
    }
  }

  private onTransactionClosed(transaction: Transaction): void {
    const username = transaction.request?.fields.credential?.username ?? this.calls.get(transaction.callId)?.owner();
    const storm = detectRetransmissionStorm(transaction, username);
    if (storm) this.findings.push(storm);
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
      calls,
      requests: sortedRecord(this.requests),
      responses: sortedRecord(this.responses),
      decodeErrors: (decode?.decodeErrors ?? 0) + this.unusableMessages,
    };
  }
}

function callFindings(record: CallRecord, summary: CallSummary, captureEndUs: number): Finding[] {
  return [
    ...detectReinviteForbidden(record),
    ...detectInviteTimeout(record, captureEndUs),
    ...detectNoAck(record, captureEndUs),
    ...detectOrphanCall(record, summary, captureEndUs),
  ];
}

function firstForbiddenModification(record: CallRecord): number | undefined {
  let first: number | undefined;
  for (const session of record.sessions.values()) {
    if (session.inDialog && session.confirmedDialog && session.forbiddenTimeUs !== undefined) {
      first = Math.min(first ?? session.forbiddenTimeUs, session.forbiddenTimeUs);
    }
  }
  return first;
}

/**
 * Who a final response concerns: the credential the request carried (on any hop: a proxy may strip it when it
 * forwards); else, for a request of a call, the call's owner; for a REGISTER, its To user (the address-of-record,
 * RFC 3261 §10.2); else the From user.
 */
function outcomeOf(response: ObservedMessage, transaction: Transaction, call: CallRecord | undefined): RequestOutcome {
  const request = transaction.request;
  const credential = request?.fields.credential ?? call?.sessionCredential(response.fields.fromTag, transaction.cseqNumber, transaction.method);
  const fields = request?.fields ?? response.fields;
  const method = transaction.method;
  const username = credential?.username ?? (call ? call.owner() : method === 'REGISTER' ? uriUser(fields.toUri) : uriUser(fields.fromUri));
  return {
    username,
    credentialSent: credential !== undefined,
    method,
    callId: transaction.callId,
    cseqNumber: transaction.cseqNumber,
    status: response.status!,
    stale: response.fields.staleChallenge,
    timeUs: response.timeUs,
    requestPacket: request?.packetNumber,
    responsePacket: response.packetNumber,
    inDialog: Boolean(request?.fields.toTag),
  };
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
