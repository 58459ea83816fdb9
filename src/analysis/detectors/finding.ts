/** Builds a Finding with the severity fixed per kind (types.ts FINDING_SEVERITY) and sorted, unique packets. */
import { FINDING_SEVERITY, type Finding, type FindingKind } from '../types.js';

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

/** `2.132 ms` below a second, `1.234 s` from a second on, for a microsecond interval. */
export function secondsText(intervalUs: number): string {
  return intervalUs < 1e6 ? `${(intervalUs / 1000).toFixed(3)} ms` : `${(intervalUs / 1e6).toFixed(3)} s`;
}
