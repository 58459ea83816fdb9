/**
 * The timeline chart's data, binned in Node so the page draws a fixed number of points whatever the capture size:
 * calls in progress per time bin, registrations and 403s per credential, each revocation (first 403 after a
 * success), the drain window (p99 call duration) and the damaged calls. Times are µs offsets from `originUs`.
 */
import type { AnalysisResult, CallSummary } from '../../analysis/types.js';
import type { CredentialEvents } from './model.js';

export const TIMELINE_BINS = 600;
/** Credential lanes drawn; revoked credentials first, then the most refused, then the most registered. */
export const MAX_LANES = 16;
/** Damaged calls drawn one by one; more are counted. */
export const MAX_DAMAGED_BARS = 300;

export interface TimelineLane {
  username: string;
  /** [bin, count] of 2xx to REGISTER, only bins with a count. */
  registrations: Array<[number, number]>;
  /** [bin, count] of 403 responses. */
  forbidden: Array<[number, number]>;
  registrationCount: number;
  forbiddenCount: number;
  lastSuccessUs?: number;
  revokedUs?: number;
}

export interface TimelineData {
  endUs: number;
  binUs: number;
  /** Calls in progress (first INVITE to end, or to the end of the capture) at some time in each bin. */
  active: number[];
  lanes: TimelineLane[];
  lanesLeftOut: number;
  damaged: Array<{ callId: string; username: string; startUs: number; endUs: number | null; forbiddenUs: number | null }>;
  damagedLeftOut: number;
  drainWindowMs: number | null;
}

export function timelineData(result: AnalysisResult, credentials: readonly CredentialEvents[], originUs: number): TimelineData {
  const endUs = Math.max(1, (result.lastTimeUs ?? originUs) - originUs);
  const binUs = Math.max(1, Math.ceil(endUs / TIMELINE_BINS));
  const bins = Math.max(1, Math.ceil((endUs + 1) / binUs));
  const bin = (offsetUs: number) => Math.min(bins - 1, Math.max(0, Math.floor(offsetUs / binUs)));
  const damagedIds = new Set(result.revocations.flatMap((revocation) => revocation.damagedCalls));
  const damagedCalls = result.calls.filter((call) => damagedIds.has(call.callId));
  return {
    endUs,
    binUs,
    active: activeCalls(result.calls, originUs, endUs, bins, bin),
    ...lanes(result, credentials, originUs, bin),
    damaged: damagedCalls.slice(0, MAX_DAMAGED_BARS).map((call) => ({
      callId: call.callId,
      username: call.username ?? call.owner ?? '',
      startUs: call.startUs - originUs,
      endUs: call.endUs === undefined ? null : call.endUs - originUs,
      forbiddenUs: call.reinviteFailureUs === undefined ? null : call.reinviteFailureUs - originUs,
    })),
    damagedLeftOut: Math.max(0, damagedCalls.length - MAX_DAMAGED_BARS),
    drainWindowMs: result.durations.drainWindowMs ?? null,
  };
}

/** A difference array over the bins: +1 where a call starts, -1 after the bin where it ends. */
function activeCalls(calls: readonly CallSummary[], originUs: number, endUs: number, bins: number, bin: (offsetUs: number) => number): number[] {
  const change = new Array<number>(bins + 1).fill(0);
  for (const call of calls) {
    change[bin(call.startUs - originUs)]++;
    change[bin((call.endUs ?? originUs + endUs) - originUs) + 1]--;
  }
  const active: number[] = [];
  let running = 0;
  for (let index = 0; index < bins; index++) active.push((running += change[index]));
  return active;
}

function lanes(result: AnalysisResult, credentials: readonly CredentialEvents[], originUs: number, bin: (offsetUs: number) => number): Pick<TimelineData, 'lanes' | 'lanesLeftOut'> {
  const revocations = new Map(result.revocations.map((revocation) => [revocation.username, revocation]));
  const byUser = new Map(credentials.map((events) => [events.username, events]));
  for (const username of revocations.keys()) if (!byUser.has(username)) byUser.set(username, { username, registrations: [], forbidden: [] });
  const ranked = [...byUser.values()].sort(
    (a, b) =>
      rank(revocations.get(a.username)?.firstForbiddenUs) - rank(revocations.get(b.username)?.firstForbiddenUs) ||
      b.forbidden.length - a.forbidden.length ||
      b.registrations.length - a.registrations.length ||
      a.username.localeCompare(b.username),
  );
  const binned = (times: number[]) => {
    const counts = new Map<number, number>();
    for (const time of times) counts.set(bin(time - originUs), (counts.get(bin(time - originUs)) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => a[0] - b[0]);
  };
  return {
    lanes: ranked.slice(0, MAX_LANES).map((events) => {
      const revocation = revocations.get(events.username);
      return {
        username: events.username,
        registrations: binned(events.registrations),
        forbidden: binned(events.forbidden),
        registrationCount: events.registrations.length,
        forbiddenCount: events.forbidden.length,
        lastSuccessUs: revocation ? revocation.lastSuccessUs - originUs : undefined,
        revokedUs: revocation ? revocation.firstForbiddenUs - originUs : undefined,
      };
    }),
    lanesLeftOut: Math.max(0, ranked.length - MAX_LANES),
  };
}

function rank(firstForbiddenUs: number | undefined): number {
  return firstForbiddenUs ?? Number.POSITIVE_INFINITY;
}
