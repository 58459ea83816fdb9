/**
 * The analysis model: what src/analysis builds from decoded SIP messages and hands to the renderers
 * (src/report/analysis-*.ts). Times are microseconds since the Unix epoch, as in SipPayload.timeUs.
 */
import type { Endpoint } from '../capture/types.js';

export type Severity = 'error' | 'warning' | 'info';

export const FINDING_KINDS = [
  'reinvite-forbidden',
  'register-forbidden',
  'auth-failure-loop',
  'auth-rejected',
  'invite-timeout',
  'server-error',
  'no-ack',
  'orphan-call',
  'retransmission-storm',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** Severity of each finding kind: one place, so `--fail-on` and the docs agree. */
export const FINDING_SEVERITY: Readonly<Record<FindingKind, Severity>> = {
  'reinvite-forbidden': 'error',
  'register-forbidden': 'error',
  'server-error': 'error',
  'auth-failure-loop': 'warning',
  'auth-rejected': 'warning',
  'invite-timeout': 'warning',
  'no-ack': 'warning',
  'retransmission-storm': 'warning',
  'orphan-call': 'info',
};

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  callId?: string;
  username?: string;
  /** When it happened (the response or the moment that shows the problem). */
  timeUs: number;
  /** Packet numbers (tshark frame numbers) that prove it, ascending. */
  packets: number[];
  /** One line, no trailing period. */
  message: string;
}

/** The username and realm of an Authorization or Proxy-Authorization header (RFC 3261 §22.2, §22.3). */
export interface Credential {
  username: string;
  realm?: string;
}

/**
 * Call states. While the capture is read a call is attempted -> ringing -> answered; at the end an answered call
 * without BYE is reported `active` (still up when the capture stopped).
 */
export type CallState =
  | 'attempted'
  | 'ringing'
  | 'answered'
  | 'ended'
  | 'failed'
  | 'cancelled'
  | 'torn-down'
  | 'active';

/** Who sent the BYE, relative to the INVITE that set the call up. */
export type CallSide = 'caller' | 'callee';

/** What a call begins with: its first INVITE's (calls.ts callStartOf), or a parked call's (parked-call.ts). */
export interface CallStart {
  from: string;
  to: string;
  callerTag?: string;
  callerUser?: string;
  startUs: number;
  /** The first INVITE seen was already inside a dialog: the call began before the capture. */
  startedBeforeCapture: boolean;
}

/** One message as the analysis keeps it for display (ladder, evidence), without its bytes. */
export interface MessageSummary {
  packetNumber: number;
  timeUs: number;
  src: Endpoint;
  dst: Endpoint;
  /** Request line or status line. */
  firstLine: string;
  kind: 'request' | 'response';
  method?: string;
  status?: number;
  cseqMethod?: string;
  retransmission: boolean;
}

export interface CallSummary {
  callId: string;
  /** From / To URI of the first INVITE (addr-spec, without display name and tag). */
  from: string;
  to: string;
  /**
   * Credential username the call authenticated with (CallRecord.credential): of its initial INVITE accepted with a
   * 2xx, else the first Authorization / Proxy-Authorization username any of its requests carried.
   */
  username?: string;
  /** The username the call is attributed to: `username`, else the user part of the caller's From URI. */
  owner?: string;
  startUs: number;
  endUs?: number;
  durationMs?: number;
  /**
   * Set when the call's INVITE came before what was analysed (the capture, or --since: the first INVITE seen was
   * already inside a dialog): `startUs` is then its first message seen and `durationMs` a lower bound; such calls
   * are left out of the duration statistics.
   */
  startedBeforeCapture?: true;
  /**
   * Set when the call is one the duration statistics (DurationStats) are taken over: answered (its 2xx seen) and
   * ended by BYE (`ended`, `torn-down`), begun in what was analysed, and with --user one of that user's calls.
   * Decided once, where the statistics take it (Analyzer.finishCall), so every view of durations (the HTML
   * histogram) counts the same calls.
   */
  inDurations?: true;
  state: CallState;
  /** Distinct re-INVITE transactions (INVITEs sent inside the dialog, To tag present), counted once over all hops. */
  reinvites: number;
  /** Number of dialogs the INVITE created (more than one when a proxy forked it, RFC 3261 §12.1, §13.2.2.4). */
  dialogs: number;
  endedBy?: CallSide;
  /** Time of the 403 (or other failure) answering a re-INVITE/UPDATE, when there was one. */
  reinviteFailureUs?: number;
  /** Every frame that carried a message of this call, ascending (capped, see `packetsTruncated`). */
  packets: number[];
  packetsTruncated: boolean;
}

export interface Revocation {
  username: string;
  lastSuccessUs: number;
  firstForbiddenUs: number;
  /** Call-IDs of this credential's calls that were up at `firstForbiddenUs`. */
  activeCalls: string[];
  /** Call-IDs of this credential's calls whose re-INVITE/UPDATE was refused at or after `firstForbiddenUs`. */
  damagedCalls: string[];
  /** The drain window that would have saved every damaged call: longest start-to-refusal time among them. */
  damagedWindowMs?: number;
  /**
   * A damaged call began before what was analysed (the capture, or --since): its start is not seen, so the window
   * is a lower bound.
   */
  damagedWindowAtLeast?: boolean;
  /**
   * With damagedWindowAtLeast, when --since left earlier messages out: its time, before which that call began (its
   * INVITE was cut by --since, or came before the capture, which began before --since). Unset: the capture began
   * after the call's start.
   */
  damagedWindowSinceUs?: number;
}

export interface DurationStats {
  /** Number of calls the statistics are taken over (answered calls that ended with BYE). */
  count: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  drainWindowMs?: number;
}

/** A problem of the analysis itself (not of the SIP traffic): limits hit, unparsable messages. */
export interface AnalysisIssue {
  code: string;
  message: string;
  file?: string;
  packetNumber?: number;
}

export interface AnalysisSummary {
  files: number;
  packets: number;
  /** SIP messages analysed (mirror copies not included). */
  sipMessages: number;
  /** Mirror copies set aside: a HEP copy of a message also seen on the wire, or a second HEP copy (mirror-copies.ts). */
  mirrorCopies: number;
  calls: number;
  requests: Record<string, number>;
  responses: Record<string, number>;
  decodeErrors: number;
  /**
   * Inputs given that could not be read (missing, a directory, empty, not a capture), each also among the
   * decodeErrors: the summary is of the other inputs only. Absent when every input was read.
   */
  unusableInputs?: string[];
}

export interface AnalysisResult {
  summary: AnalysisSummary;
  calls: CallSummary[];
  findings: Finding[];
  revocations: Revocation[];
  durations: DurationStats;
  issues: AnalysisIssue[];
  /** Time of the first and last SIP message analysed. */
  firstTimeUs?: number;
  lastTimeUs?: number;
  /**
   * The user the result was narrowed to (--user, filter.ts): its calls, findings, revocations and durations are
   * that user's; the summary's message counts are everyone's.
   */
  user?: string;
}
