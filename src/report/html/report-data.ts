/**
 * The adapter from the analysis result (and the gathered messages) to the data the page's script reads: compact rows
 * (arrays, not objects: 100k calls) and times as µs offsets from the first message. Every string here may come from
 * a capture; the page only ever puts it into the DOM as text.
 */
import type { AnalysisIssue, AnalysisSummary, CallState, DurationStats } from '../../analysis/types.js';
import { redactCredentials } from '../../sip/digest/redact.js';
import { histogramData, type HistogramData } from './histogram-data.js';
import type { CallDetail, HtmlReportInput } from './model.js';
import { timelineData, type TimelineData } from './timeline-data.js';

/** callId, from, to, username, start offset µs, duration ms | null, state, re-INVITEs, findings, has detail (0/1). */
export type CallRow = [string, string, string, string, number, number | null, CallState, number, number, 0 | 1];
/** severity, kind, time offset µs, Call-ID, username, packets, message. */
export type FindingRow = [string, string, number, string, string, number[], string];

export interface ReportData {
  generator: string;
  files: string[];
  filters: string[];
  showSecrets: boolean;
  /** Time of the first message (µs since the epoch); every other time is an offset from it. */
  originUs: number;
  summary: AnalysisSummary;
  states: Array<[string, number]>;
  /** kind, severity, count. */
  findingKinds: Array<[string, string, number]>;
  issues: AnalysisIssue[];
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
  }>;
  callsWithoutDetail: number;
}

/** Columns of the ladders: address:port and the agent seen sending from it. */
export type EndpointColumn = [string, string];
/** time offset µs, from column, to column, label, packet, retransmission (0/1), status (0 for requests), CSeq, transport, text. */
export type MessageRow = [number, number, number, string, number, 0 | 1, number, string, string, string];
/** Call-ID, endpoint columns, messages, messages left out. */
export type DetailRow = [string, EndpointColumn[], MessageRow[], number];

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
    showSecrets: input.showSecrets,
    originUs,
    summary: result.summary,
    states: [...states.entries()],
    findingKinds: [...kinds.values()],
    issues: result.issues,
    durations: result.durations,
    histogram: histogramData(result.calls),
    timeline: timelineData(result, input.credentials, originUs),
    calls: result.calls.map((call) => [
      call.callId,
      uri(call.from),
      uri(call.to),
      call.username ?? call.owner ?? '',
      call.startUs - originUs,
      call.durationMs ?? null,
      call.state,
      call.reinvites,
      findingsPerCall.get(call.callId) ?? 0,
      input.details.has(call.callId) ? 1 : 0,
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
    })),
    callsWithoutDetail: input.callsWithoutDetail,
  };
}

/** The embedded message detail, one row per Call-ID; endpoints in order of first appearance. */
export function detailRows(details: ReadonlyMap<string, CallDetail>, originUs: number): DetailRow[] {
  return [...details.values()].map((detail) => {
    const columns: EndpointColumn[] = [];
    const columnOf = new Map<string, number>();
    const column = (ip: string, port: number): number => {
      const label = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
      let index = columnOf.get(label);
      if (index === undefined) {
        columnOf.set(label, (index = columns.length));
        columns.push([label, '']);
      }
      return index;
    };
    const messages = detail.messages.map((message): MessageRow => {
      const from = column(message.src.ip, message.src.port);
      const to = column(message.dst.ip, message.dst.port);
      if (message.agent !== undefined && columns[from][1] === '') columns[from][1] = message.agent;
      return [
        message.timeUs - originUs,
        from,
        to,
        message.label,
        message.packetNumber,
        message.retransmission ? 1 : 0,
        message.status ?? 0,
        message.cseq,
        message.transport,
        message.text,
      ];
    });
    return [detail.callId, columns, messages, detail.omitted];
  });
}
