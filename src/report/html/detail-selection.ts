/**
 * Which Call-IDs get full message detail (ladder and message text) in the report: every Call-ID named by a finding
 * or a revocation, then the first `maxOtherCalls` other calls by start time. The rest appear in the tables only;
 * that keeps a report of 100k calls small enough to open quickly.
 */
import type { AnalysisResult, Severity } from '../../analysis/types.js';

/** Default of --max-calls. */
export const DEFAULT_MAX_OTHER_CALLS = 1000;
/**
 * Call-IDs with findings embedded at most (errors first, then warnings, then info): a capture cut during a load
 * test can make every call an `orphan-call`, and the page must still open.
 */
export const MAX_FINDING_CALLS = 10_000;

export interface DetailSelection {
  callIds: Set<string>;
  /** Calls of the table whose detail is not embedded. */
  callsWithoutDetail: number;
  /** Call-IDs with findings left out beyond MAX_FINDING_CALLS. */
  findingCallsLeftOut: number;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function selectDetailCalls(result: AnalysisResult, maxOtherCalls = DEFAULT_MAX_OTHER_CALLS): DetailSelection {
  const callIds = new Set<string>();
  for (const revocation of result.revocations) for (const callId of revocation.damagedCalls) callIds.add(callId);
  const findings = result.findings.filter((finding) => finding.callId !== undefined);
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  let findingCallsLeftOut = 0;
  const named = new Set<string>();
  for (const finding of findings) {
    const callId = finding.callId!;
    if (named.has(callId)) continue;
    named.add(callId);
    if (callIds.size < MAX_FINDING_CALLS) callIds.add(callId);
    else if (!callIds.has(callId)) findingCallsLeftOut++;
  }
  let others = 0;
  for (const call of result.calls) {
    if (others >= maxOtherCalls) break;
    if (callIds.has(call.callId) || named.has(call.callId)) continue;
    callIds.add(call.callId);
    others++;
  }
  const callsWithoutDetail = result.calls.reduce((count, call) => count + (callIds.has(call.callId) ? 0 : 1), 0);
  return { callIds, callsWithoutDetail, findingCallsLeftOut };
}
