/** Builds a Finding with the severity fixed per kind (types.ts FINDING_SEVERITY) and sorted, unique packets. */
import { isoMicros } from '../time.js';
import { FINDING_SEVERITY, type Finding, type FindingKind } from '../types.js';
import type { AnalysisBounds } from './detector.js';

export function finding(
  kind: FindingKind,
  details: { callId?: string; username?: string; timeUs: number; packets: Array<number | undefined>; message: string },
): Finding {
  const packets = [...new Set(details.packets.filter((packet): packet is number => packet !== undefined))].sort((a, b) => a - b);
  const result: Finding = { kind, severity: FINDING_SEVERITY[kind], timeUs: details.timeUs, packets, message: details.message };
  if (details.callId !== undefined) result.callId = details.callId;
  if (details.username !== undefined) result.username = details.username;
  return result;
}

/** What was analysed, as its start is named: `the capture`, or `the analysis window (--since T)` when it cut. */
export function analysisStart(bounds: AnalysisBounds): string {
  return bounds.cutSinceUs === undefined ? 'the capture' : `the analysis window (--since ${isoMicros(bounds.cutSinceUs)})`;
}

/** What was analysed, as its end is named: `the capture`, or `the analysis window (--until T)` when it cut. */
export function analysisEnd(bounds: AnalysisBounds): string {
  return bounds.cutUntilUs === undefined ? 'the capture' : `the analysis window (--until ${isoMicros(bounds.cutUntilUs)})`;
}
