/** Narrowing a finished analysis to one user (`--user`): the calls, findings and revocations that concern it. */
import type { AnalysisResult, CallSummary } from './types.js';

/**
 * A call concerns `username` when it is its owner: the credential username the call authenticated with
 * (CallRecord.credential), else, for a call that carried no credential at all, the user part of the caller's From
 * URI. The one test of --user for calls, streamed or not, and for the calls the duration statistics are taken
 * over.
 */
export function callOfUser(call: Pick<CallSummary, 'owner'>, username: string): boolean {
  return call.owner === username;
}

/**
 * Keeps the calls of `username` (callOfUser), the findings attributed to it and its revocation entry, and says so
 * in `user`. The summary keeps the message counts of everything analysed (a REGISTER or OPTIONS is not a call's);
 * `summary.calls` counts the calls kept. The duration statistics are not narrowed here, a result does not say
 * which calls they came from: the analysis takes them over the user's calls (AnalyzerOptions.durationsUser).
 */
export function filterByUser(result: AnalysisResult, username: string): AnalysisResult {
  const calls = result.calls.filter((call) => callOfUser(call, username));
  return {
    ...result,
    user: username,
    summary: { ...result.summary, calls: calls.length },
    calls,
    findings: result.findings.filter((finding) => finding.username === username),
    revocations: result.revocations.filter((revocation) => revocation.username === username),
  };
}
