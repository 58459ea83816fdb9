/**
 * What an analysis rule is: a Detector watches the analysis through up to three hooks and returns findings.
 * The analyzer calls every detector of the list in detectors/index.ts at each hook, in list order; a detector
 * implements only the hooks it needs and keeps whatever state it needs between calls (bounded: it lives as long
 * as the analysis). Adding a rule = one file implementing this + one line in that list.
 */
import type { CallRecord } from '../calls.js';
import type { ObservedResponse } from '../observed.js';
import type { RequestOutcome } from '../outcome.js';
import type { ClosedTransaction } from '../transactions.js';
import type { CallSummary, Finding } from '../types.js';

export interface Detector {
  /**
   * A final response seen for the first time (one outcome per request and status over all hops: the first
   * frame that carried it), attributed to a username where one is known.
   */
  onFinalResponse?(outcome: RequestOutcome, response: ObservedResponse): Finding | undefined;
  /**
   * A transaction closed (64*T1 after its last message, or at the end of the capture); `username` works out whose it
   * is (ask only when reporting: it is not free).
   */
  onTransactionClosed?(transaction: ClosedTransaction, username: () => string | undefined): Finding | undefined;
  /**
   * A call finished: over and quiet, or still open when the analysis ended. `judgedAtUs` is the capture time it
   * is judged at: for a call still open at the end, the end of the capture (or of a live run), or --until when the
   * window left later messages out. `bounds` says which of the two each end of the analysis was.
   */
  onCallFinished?(call: CallRecord, summary: CallSummary, judgedAtUs: number, bounds: AnalysisBounds): Finding[];
}

/**
 * Where what was analysed began and ended when --since / --until left messages out: a call still up at the end
 * was up when the analysis window ended (the capture went on), and a call seen from its middle began before the
 * window, not necessarily before the capture. Unset: the capture's own first or last message.
 */
export interface AnalysisBounds {
  /** --since, when it left earlier messages out. */
  cutSinceUs?: number;
  /** --until, when it left later messages out. */
  cutUntilUs?: number;
}
