/** Narrowing a finished analysis to one user (`--user`): the calls, findings and revocations that concern it. */
import type { AnalysisResult } from './types.js';

/**
 * Keeps the calls owned by `username` (credential username, else caller's From user), the findings attributed to
 * it and its revocation entry. The summary keeps the capture's message counts; `summary.calls` counts the calls
 * kept. Duration statistics are left as computed over the whole capture (the drain window is a property of the
 * service, not of one user).
 */
export function filterByUser(result: AnalysisResult, username: string): AnalysisResult {
  const calls = result.calls.filter((call) => call.owner === username || call.username === username);
  return {
    ...result,
    summary: { ...result.summary, calls: calls.length },
    calls,
    findings: result.findings.filter((finding) => finding.username === username),
    revocations: result.revocations.filter((revocation) => revocation.username === username),
  };
}
