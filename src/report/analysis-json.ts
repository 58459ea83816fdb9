/**
 * `sipscope analyze --json`: the JSON document of an analysis (its schema, and what stays stable across versions, in docs/analyze-json.md).
 * Times are ISO 8601 UTC with microseconds; absent values are null (never left out), except a finding's optional
 * `callId` and `username`, which are omitted when unknown.
 */
import type { AnalysisResult, AnalysisSummary, CallSummary, DurationStats, Finding, Revocation } from '../analysis/index.js';
import { formatTimeUs } from '../capture/time-format.js';
import { JsonBytes } from './json-bytes.js';

export interface AnalysisJson {
  /** The analysis summary as it is (copied whole, so its type is the analysis's own). */
  summary: AnalysisSummary;
  calls: Array<{
    callId: string;
    from: string;
    to: string;
    username: string | null;
    start: string;
    end: string | null;
    durationMs: number | null;
    state: string;
    reinvites: number;
    packets: number[];
  }>;
  findings: Array<{
    kind: string;
    severity: string;
    callId?: string;
    username?: string;
    time: string;
    packets: number[];
    message: string;
  }>;
  revocations: Array<{
    username: string;
    lastSuccess: string;
    firstForbidden: string;
    activeCalls: string[];
    damagedCalls: string[];
  }>;
  durations: { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null; maxMs: number | null; drainWindowMs: number | null };
}

export function analysisJson(result: AnalysisResult): AnalysisJson {
  return {
    summary: { ...result.summary },
    calls: result.calls.map(callJson),
    findings: result.findings.map(findingJson),
    revocations: result.revocations.map(revocationJson),
    durations: durationsJson(result.durations),
  };
}

export function callJson(call: CallSummary): AnalysisJson['calls'][number] {
  return {
    callId: call.callId,
    from: call.from,
    to: call.to,
    username: call.username ?? null,
    start: formatTimeUs(call.startUs),
    end: call.endUs === undefined ? null : formatTimeUs(call.endUs),
    durationMs: call.durationMs ?? null,
    state: call.state,
    reinvites: call.reinvites,
    packets: call.packets,
  };
}

/**
 * JSON.stringify(callJson(call)), written directly as bytes: `analyze --json` and `--jsonl` write one per call of
 * captures of hundreds of thousands, and the object and the generic stringify took ~7% of the analysis thread (a
 * profile of the 247 MB SIPp capture), the text built from pieces most of its garbage after that.
 * test/report/analysis-report.test.ts holds it to JSON.stringify(callJson(call)) on every fixture's calls and on
 * odd values.
 */
export function writeCallJson(call: CallSummary, out: JsonBytes): void {
  out.ascii('{"callId":');
  out.string(call.callId);
  out.ascii(',"from":');
  out.string(call.from);
  out.ascii(',"to":');
  out.string(call.to);
  out.ascii(',"username":');
  if (call.username === undefined) out.ascii('null');
  else out.string(call.username);
  out.ascii(',"start":');
  out.timeUs(call.startUs);
  out.ascii(',"end":');
  if (call.endUs === undefined) out.ascii('null');
  else out.timeUs(call.endUs);
  out.ascii(',"durationMs":');
  out.number(call.durationMs);
  out.ascii(',"state":');
  out.string(call.state);
  out.ascii(',"reinvites":');
  out.number(call.reinvites);
  out.ascii(',"packets":[');
  const packets = call.packets;
  for (let i = 0; i < packets.length; i++) {
    if (i > 0) out.ascii(',');
    out.number(packets[i]);
  }
  out.ascii(']}');
}

const scratch = new JsonBytes();

/** writeCallJson's text. */
export function callJsonText(call: CallSummary): string {
  scratch.clear();
  writeCallJson(call, scratch);
  return scratch.text();
}

export function findingJson(finding: Finding): AnalysisJson['findings'][number] {
  // Key order as documented: kind, severity, callId?, username?, time, packets, message.
  return {
    kind: finding.kind,
    severity: finding.severity,
    ...(finding.callId !== undefined ? { callId: finding.callId } : {}),
    ...(finding.username !== undefined ? { username: finding.username } : {}),
    time: formatTimeUs(finding.timeUs),
    packets: finding.packets,
    message: finding.message,
  };
}

export function revocationJson(revocation: Revocation): AnalysisJson['revocations'][number] {
  return {
    username: revocation.username,
    lastSuccess: formatTimeUs(revocation.lastSuccessUs),
    firstForbidden: formatTimeUs(revocation.firstForbiddenUs),
    activeCalls: revocation.activeCalls,
    damagedCalls: revocation.damagedCalls,
  };
}

export function durationsJson(durations: DurationStats): AnalysisJson['durations'] {
  return {
    p50Ms: durations.p50Ms ?? null,
    p95Ms: durations.p95Ms ?? null,
    p99Ms: durations.p99Ms ?? null,
    maxMs: durations.maxMs ?? null,
    drainWindowMs: durations.drainWindowMs ?? null,
  };
}

export function renderAnalysisJson(result: AnalysisResult): string {
  return `${JSON.stringify(analysisJson(result), null, 2)}\n`;
}
