/** Narrowing a finished analysis to one user (`--user`): the calls, findings and revocations that concern it. */
import type { AnalysisResult, CallSummary } from './types.js';

/**
 * A call concerns `username` when it is its owner: the credential username the call authenticated with
 * (CallRecord.credential), else, for a call that carried no credential at all, the user part of the caller's From
 * URI. The one test of --user for calls, streamed or not, and of the duration statistics under --user.
 */
export function callOfUser(call: Pick<CallSummary, 'owner'>, username: string): boolean {
  return call.owner === username;
}

/**
 * Keeps the calls of `username` (callOfUser), the findings attributed to it and its revocation entry. The summary
 * keeps the capture's message counts; `summary.calls` counts the calls kept. Duration statistics are left as
 * computed over the whole capture (the drain window is a property of the service, not of one user).
 */
export function filterByUser(result: AnalysisResult, username: string): AnalysisResult {
  const calls = result.calls.filter((call) => callOfUser(call, username));
  return {
    ...result,
    summary: { ...result.summary, calls: calls.length },
    calls,
    findings: result.findings.filter((finding) => finding.username === username),
    revocations: result.revocations.filter((revocation) => revocation.username === username),
  };
}
