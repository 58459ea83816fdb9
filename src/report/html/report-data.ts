/**
 * The adapter from the analysis result (and the gathered messages) to the data the page's script reads: compact rows
 * (arrays, not objects: 100k calls) and times as µs offsets from the first message. Every string here may come from
 * a capture; the page only ever puts it into the DOM as text.
 */
import type { AnalysisIssue, AnalysisSummary, CallState, DurationStats } from '../../analysis/types.js';
import { redactCredentials } from '../../sip/digest/redact.js';
import { detailBlockOf } from './detail-blocks.js';
import { histogramData, type HistogramData } from './histogram-data.js';
import type { DecodeIssue } from '../../capture/types.js';
import type { HtmlReportInput } from './model.js';
import { timelineData, type TimelineData } from './timeline-data.js';

/**
 * callId, from, to, username, start offset µs, duration ms | null, state, re-INVITEs, findings, has detail (0/1),
 * began before what was analysed (0/1: the duration is a lower bound).
 */
export type CallRow = [string, string, string, string, number, number | null, CallState, number, number, 0 | 1, 0 | 1];
/** severity, kind, time offset µs, Call-ID, username, packets, message. */
export type FindingRow = [string, string, number, string, string, number[], string];

export interface ReportData {
  generator: string;
  files: string[];
  filters: string[];
  /**
   * The --user the analysis was narrowed to (its calls, findings, revocations and durations; the message counts
   * stay everyone's), or null.
   */
  user: string | null;
  showSecrets: boolean;
  /** Time of the first message (µs since the epoch); every other time is an offset from it. */
  originUs: number;
  summary: AnalysisSummary;
  states: Array<[string, number]>;
  /** kind, severity, count. */
  findingKinds: Array<[string, string, number]>;
  issues: AnalysisIssue[];
  decodeIssues: DecodeIssue[];
  durations: DurationStats;
  histogram: HistogramData;
  timeline: TimelineData;
  calls: CallRow[];
  findings: FindingRow[];
  revocations: Array<{
    username: string;
    lastSuccessUs: number;
    firstForbiddenUs: number;
    activeCalls: string[];
    damagedCalls: string[];
    damagedWindowMs: number | null;
    /** The window is a lower bound: a damaged call began before what was analysed. */
    damagedWindowAtLeast: boolean;
  }>;
  callsWithoutDetail: number;
  /** Call-ID and block number (in the details element) of every embedded call detail. */
  detailCalls: Array<[string, number]>;
}

export function reportData(input: HtmlReportInput): ReportData {
  const { result } = input;
  const originUs = result.firstTimeUs ?? 0;
  const uri = (text: string) => (input.showSecrets ? text : redactCredentials(text));
  const findingsPerCall = new Map<string, number>();
  for (const finding of result.findings) {
    if (finding.callId !== undefined) findingsPerCall.set(finding.callId, (findingsPerCall.get(finding.callId) ?? 0) + 1);
  }
  const states = new Map<string, number>();
  for (const call of result.calls) states.set(call.state, (states.get(call.state) ?? 0) + 1);
  const kinds = new Map<string, [string, string, number]>();
  for (const finding of result.findings) {
    const entry = kinds.get(finding.kind) ?? [finding.kind, finding.severity, 0];
    entry[2]++;
    kinds.set(finding.kind, entry);
  }
  return {
    generator: input.generator,
    files: input.files,
    filters: input.filters,
    user: result.user ?? null,
    showSecrets: input.showSecrets,
    originUs,
    summary: result.summary,
    states: [...states.entries()],
    findingKinds: [...kinds.values()],
    issues: result.issues,
    decodeIssues: [...input.decodeIssues],
    durations: result.durations,
    histogram: histogramData(result.calls),
    timeline: timelineData(result, input.credentials, originUs),
    calls: result.calls.map((call) => [
      call.callId,
      uri(call.from),
      uri(call.to),
      // the user column of every output: the credential username (CallRecord.credential), none without one
      call.username ?? '',
      call.startUs - originUs,
      call.durationMs ?? null,
      call.state,
      call.reinvites,
      findingsPerCall.get(call.callId) ?? 0,
      input.details.has(call.callId) ? 1 : 0,
      call.startedBeforeCapture ? 1 : 0,
    ]),
    findings: result.findings.map((finding) => [
      finding.severity,
      finding.kind,
      finding.timeUs - originUs,
      finding.callId ?? '',
      finding.username ?? '',
      finding.packets,
      finding.message,
    ]),
    revocations: result.revocations.map((revocation) => ({
      username: revocation.username,
      lastSuccessUs: revocation.lastSuccessUs - originUs,
      firstForbiddenUs: revocation.firstForbiddenUs - originUs,
      activeCalls: revocation.activeCalls,
      damagedCalls: revocation.damagedCalls,
      damagedWindowMs: revocation.damagedWindowMs ?? null,
      damagedWindowAtLeast: revocation.damagedWindowAtLeast ?? false,
    })),
    callsWithoutDetail: input.callsWithoutDetail,
    detailCalls: [...input.details.keys()].map((callId, index) => [callId, detailBlockOf(index)]),
  };
}
