/**
 * Call load mode: `count` calls started at `rate` per second over one transport, at most `concurrent` up at once,
 * each a full test call (INVITE, challenge, ACK, hold with refreshes, BYE). Reports per-status counts, how the calls
 * ended, and setup-time percentiles (nearest rank).
 */
import { placeCall, type CallOptions } from './call.js';
import { bindMediaPort, type MediaPort } from './call-media.js';
import type { CallResult } from './call-result.js';
import { CallRouter } from './call-router.js';
import { pace } from './load.js';
import type { CheckError } from './result.js';
import { checkErrorOf, connectToTarget, type TargetConnection } from './target-connection.js';

export interface CallLoadOptions extends CallOptions {
  count: number;
  rate: number;
  /** Calls up at the same time, at most. */
  concurrent: number;
  /** `%d` in user, authUser and password is replaced by the call number. */
  userStart: number;
}

export interface CallLoadResult {
  count: number;
  ok: number;
  failed: number;
  elapsedMs: number;
  /** Calls started per second (achieved). */
  callsPerSec: number;
  /** Final answers to the INVITEs ('none' when there was none). */
  statusCounts: Record<string, number>;
  endedBy: Record<string, number>;
  revoked: number;
  retransmissions: number;
  setupMs: { min: number; p50: number; p90: number; p95: number; p99: number; max: number } | null;
  error?: CheckError;
}

export const MAX_CALL_COUNT = 100_000;

const fill = (pattern: string | undefined, n: number): string | undefined => pattern?.replace(/%d/g, String(n));

/** Nearest-rank percentile of sorted values: v[ceil(p/100 * n) - 1]. */
function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function runCallLoad(options: CallLoadOptions): Promise<CallLoadResult> {
  const result: CallLoadResult = { count: options.count, ok: 0, failed: 0, elapsedMs: 0, callsPerSec: 0, statusCounts: {}, endedBy: {}, revoked: 0, retransmissions: 0, setupMs: null };
  const started = Date.now();
  let connection: TargetConnection;
  try {
    connection = await connectToTarget({ ...options, receiveBufferBytes: 4 * 1024 * 1024 }, started + options.timeoutMs);
  } catch (error) {
    result.error = checkErrorOf(error);
    result.failed = options.count;
    return result;
  }
  const router = new CallRouter(connection.layer);
  const setups: number[] = [];
  let launched = 0;
  // one real RTP port offered by every call (RTP is told apart by SSRC and source, RFC 3550): a socket per call
  // would cost a bind and a close each, and thousands of ports at high concurrency
  let media: MediaPort | undefined;
  try {
    media = await bindMediaPort(connection.transport.local.address);
    const sharedMedia = media;
    await pace({ count: options.count, rate: options.rate, userStart: options.userStart, maxInFlight: options.concurrent }, started, async (number) => {
      launched++;
      const user = fill(options.user ?? connection.target.user, number);
      const call = await placeCall(connection, router, options, user, { username: fill(options.authUser, number) ?? user ?? '', password: fill(options.password, number) }, sharedMedia);
      tally(result, call, setups);
    });
  } finally {
    await media?.close();
    await connection.close();
  }
  result.elapsedMs = Date.now() - started;
  result.callsPerSec = result.elapsedMs > 0 ? (launched * 1000) / result.elapsedMs : 0;
  if (setups.length > 0) {
    setups.sort((a, b) => a - b);
    result.setupMs = {
      min: setups[0], p50: nearestRank(setups, 50), p90: nearestRank(setups, 90), p95: nearestRank(setups, 95), p99: nearestRank(setups, 99), max: setups[setups.length - 1],
    };
  }
  return result;
}

function tally(result: CallLoadResult, call: CallResult, setups: number[]): void {
  const status = call.status === undefined ? 'none' : String(call.status);
  result.statusCounts[status] = (result.statusCounts[status] ?? 0) + 1;
  result.endedBy[call.endedBy] = (result.endedBy[call.endedBy] ?? 0) + 1;
  result.retransmissions += call.retransmissions;
  if (call.revocation) result.revoked++;
  if (call.setupMs !== undefined) setups.push(call.setupMs);
  if (call.ok) result.ok++;
  else result.failed++;
}
