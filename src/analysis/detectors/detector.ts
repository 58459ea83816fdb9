/**
 * What an analysis rule is: a Detector watches the analysis through up to three hooks and returns findings.
 * The analyzer calls every detector of the list in detectors/index.ts at each hook, in list order; a detector
 * implements only the hooks it needs and keeps whatever state it needs between calls (bounded: it lives as long
 * as the analysis). Adding a rule = one file implementing this + one line in that list.
 */
import type { CallRecord } from '../calls.js';
import type { ObservedResponse } from '../observed.js';
import type { RequestOutcome } from '../outcome.js';
import type { Transaction } from '../transactions.js';
import type { CallSummary, Finding } from '../types.js';

export interface Detector {
  /**
   * A final response seen for the first time (one outcome per request and status over all hops: the first
   * frame that carried it), attributed to a username where one is known.
   */
  onFinalResponse?(outcome: RequestOutcome, response: ObservedResponse): Finding | undefined;
  /** A transaction closed (64*T1 after its last message, or at the end of the capture). */
  onTransactionClosed?(transaction: Transaction, username: string | undefined): Finding | undefined;
  /**
   * A call finished: over and quiet, or still open when the capture ended. `judgedAtUs` is the capture time it
   * is judged at: the end of the capture (or of a live run) for a call still open then.
   */
  onCallFinished?(call: CallRecord, summary: CallSummary, judgedAtUs: number): Finding[];
}
