/**
 * Load mode: REGISTER many users over one transport (one UDP socket or one stream connection), started at a fixed
 * rate, each with its own Call-ID and digest round. Bounded: at most `count` registrations, each bounded by the
 * per-registration timeout, and the whole run by count/rate + timeout.
 */
import { exchange } from './exchange.js';
import { buildRegister, type RegisterOptions } from './register.js';
import { checkErrorOf, connectToTarget, type TargetConnection } from './target-connection.js';
import type { CheckError } from './result.js';

export interface LoadOptions extends RegisterOptions {
  count: number;
  /** Registrations started per second. */
  rate: number;
  /** `%d` in user, authUser and password is replaced by the user number. */
  userStart: number;
}

export interface LoadResult {
  count: number;
  ok: number;
  failed: number;
  /** Failed with a final response (not 2xx). */
  rejected: number;
  /** Failed by timeout or transport error. */
  errored: number;
  elapsedMs: number;
  ratePerSec: number;
  statusCounts: Record<string, number>;
  errors: Record<string, number>;
  retransmissions: number;
  /** Round-trip time of the whole registration (all rounds), ms. */
  latencyMs: { min: number; median: number; p95: number; max: number } | null;
  /** Set when the run could not start (resolution, connection). */
  error?: CheckError;
}

export const MAX_LOAD_COUNT = 1_000_000;

const fill = (pattern: string | undefined, n: number): string | undefined => pattern?.replace(/%d/g, String(n));

export async function runRegisterLoad(options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = {
    count: options.count, ok: 0, failed: 0, rejected: 0, errored: 0, elapsedMs: 0, ratePerSec: 0,
    statusCounts: {}, errors: {}, retransmissions: 0, latencyMs: null,
  };
  const started = Date.now();
  let connection: TargetConnection | undefined;
  try {
    connection = await connectToTarget({ ...options, receiveBufferBytes: 4 * 1024 * 1024 }, started + options.timeoutMs);
  } catch (error) {
    result.error = checkErrorOf(error);
    result.failed = options.count;
    return result;
  }
  const latencies: number[] = [];
  try {
    await pace(options, started, (number) => registerOne(connection!, options, number, result, latencies));
  } finally {
    await connection.close();
  }
  result.elapsedMs = Date.now() - started;
  result.ratePerSec = result.elapsedMs > 0 ? (result.ok * 1000) / result.elapsedMs : 0;
  if (latencies.length > 0) {
    latencies.sort((a, b) => a - b);
    const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    result.latencyMs = { min: latencies[0], median: at(0.5), p95: at(0.95), max: latencies[latencies.length - 1] };
  }
  return result;
}

/**
 * Launch ticks are at least this far apart, ms: above 200 per second a tick starts the few that are due (at 400/s,
 * two). A tick for each one cost a wake-up of the process each (load mode's CPU per call is mostly such per-event
 * costs of Node, not SIP work); starting two calls 2.5 ms late changes neither the rate nor what a call does.
 */
const MIN_TICK_MS = 5;

/**
 * Starts `options.count` registrations at `options.rate` per second from `started`: one timer tick sends every
 * registration that is due (a small burst per tick: ticks are MIN_TICK_MS apart at least), and a completion frees a
 * slot at once. Nothing spins: between ticks the event loop only reads responses.
 */
export function pace(
  options: { count: number; rate: number; userStart: number; maxInFlight?: number },
  started: number,
  registerNumber: (number: number) => Promise<void>,
): Promise<void> {
  const intervalMs = 1000 / options.rate;
  // like SIPp -l: a bounded number in flight (rate/5, 20..200). Past what we or the peer can process, more in flight
  // only means queueing beyond T1, retransmissions, and a collapse of the rate (measured against Kamailio)
  const maxInFlight = options.maxInFlight ?? Math.min(200, Math.max(20, Math.ceil(options.rate / 5)));
  let index = 0;
  let inFlight = 0;
  let tick: ReturnType<typeof setTimeout> | undefined;
  return new Promise<void>((resolve, reject) => {
    const settled = () => {
      inFlight--;
      if (index < options.count) launchDue();
      else if (inFlight === 0) resolve();
    };
    const launchDue = () => {
      const due = Math.min(options.count, Math.floor((Date.now() - started) / intervalMs) + 1);
      while (index < due && inFlight < maxInFlight) {
        inFlight++;
        registerNumber(options.userStart + index).then(settled, reject);
        index++;
      }
      // the next tick when the next registration is due; a full window waits for a completion instead
      if (tick === undefined && index < options.count && inFlight < maxInFlight) {
        tick = setTimeout(() => {
          tick = undefined;
          launchDue();
        }, Math.max(MIN_TICK_MS, started + index * intervalMs - Date.now()));
      }
    };
    launchDue();
  });
}

async function registerOne(connection: TargetConnection, options: LoadOptions, number: number, result: LoadResult, latencies: number[]): Promise<void> {
  const user = fill(options.user ?? connection.target.user, number) ?? `user${number}`;
  // load mode loads the registrar: its bindings are kept (DEFAULT_EXPIRES), not removed as a single check removes its own
  const request = buildRegister(connection, { ...options, keep: true }, user);
  const outcome = await exchange(
    connection.layer,
    request,
    { username: fill(options.authUser, number) ?? user, password: fill(options.password, number) },
    Date.now() + options.timeoutMs,
  );
  result.retransmissions += outcome.transactions.reduce((sum, record) => sum + record.retransmissions, 0);
  if (outcome.error) {
    result.failed++;
    result.errored++;
    result.errors[outcome.error.code] = (result.errors[outcome.error.code] ?? 0) + 1;
    return;
  }
  const status = outcome.final?.status ?? 0;
  result.statusCounts[status] = (result.statusCounts[status] ?? 0) + 1;
  if (status >= 200 && status < 300) {
    result.ok++;
    latencies.push(outcome.transactions.reduce((sum, record) => sum + (record.rttMs ?? 0), 0));
  } else {
    result.failed++;
    result.rejected++;
  }
}
