/**
 * Every exit code sipscope returns and the one error type a command throws for a local problem, in one module
 * (sipexer's `SIPExerExit`): a command returns one of these codes, or throws a CliError that src/cli/index.ts turns
 * into a message and EXIT.local. Nothing else in the CLI names a number.
 */
import { AnalysisError } from '../analysis/errors.js';
import { CaptureError } from '../capture/errors.js';
import type { CheckResult } from '../client/result.js';
import type { LoadResult } from '../client/load.js';
import type { CallResult } from '../client/call-result.js';
import type { CallLoadResult } from '../client/call-load.js';
import { MONITORING_EXIT_CODES, type MonitoringState } from '../report/monitoring.js';
import { tokenRunsOut } from '../report/monitoring-summary.js';

/**
 * sipsak's exit codes, which every command keeps:
 * - ok 0: a 2xx final response; nothing at or above --fail-on found; every message valid;
 * - failed 1: another final response (401/407 after answering included); a finding at or above --fail-on; an
 *   invalid message (lint);
 * - local 2: a local error (bad argument, no password, unreadable file or capture, cannot write a report);
 * - remote 3: a remote or network error (timeout, unreachable, connection refused or reset, TLS failure).
 * And one more, for pipelines:
 * - brokenPipe 141: the reader of stdout (or stderr) went away (`sipscope decode big.pcap | head`): the run stops
 *   at once and prints nothing, with the status a C tool (tshark, grep) has when SIGPIPE ends it, 128 + 13.
 */
export const EXIT = { ok: 0, failed: 1, local: 2, remote: 3, brokenPipe: 141 } as const;

/**
 * With --nagios the exit code is the monitoring state's (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN): the table is the
 * guidelines' and lives beside the line it goes with, in src/report/monitoring.ts.
 */
export const MONITORING_EXIT = MONITORING_EXIT_CODES;

/**
 * A problem the user can fix, found before or while a command runs: a bad argument, a missing password, an
 * unreadable file. `code` is stable (bad-argument; password-missing, key-missing, token-missing from
 * secret-source.ts; unreadable-file; or the code of the capture or analysis error it stands for); the message
 * says what and where. The command exits EXIT.local.
 */
export class CliError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}

/**
 * The exit code of a run that read only some of its capture files: EXIT.local when any was unusable (missing, a
 * directory, empty, not a capture), whatever the readable ones gave, as its output stands for those only (lint
 * does the same for a file it cannot read); else the run's own code.
 */
export function exitAfterInputs(code: number, unusableInputs: readonly string[] | undefined): number {
  return unusableInputs !== undefined && unusableInputs.length > 0 ? EXIT.local : code;
}

/** A bad option value or combination. */
export function badArgument(message: string): CliError {
  return new CliError('bad-argument', message);
}

/**
 * Positional arguments that `usage` does not take: counted, never shown, as one may be a secret pasted on the
 * command line (a key after `--key-env NAME`, a password after `--password-env NAME`).
 */
export function unexpectedArguments(count: number, usage: string): CliError {
  const what = count === 1 ? 'an unexpected argument (not shown: it may be a secret)' : `${count} unexpected arguments (not shown: they may be secrets)`;
  return badArgument(`${usage}: ${what}`);
}

/** The CliError an error stands for, keeping the code of a capture or analysis error; undefined for a bug. */
export function asCliError(error: unknown): CliError | undefined {
  if (error instanceof CliError) return error;
  if (error instanceof CaptureError || error instanceof AnalysisError) return new CliError(error.code, error.message, { cause: error });
  return undefined;
}

/**
 * --warn-retrans, --warn-rtt and --crit-rtt (RTT in ms: the sum over the check's transactions), and for ws/wss the
 * seconds a handshake token must have left (--warn-token-ttl).
 */
export interface MonitoringThresholds {
  warnRetrans: number;
  warnRttMs?: number;
  critRttMs?: number;
  warnTokenS?: number;
}

/**
 * The monitoring-plugin state of a finished register/options check (guidelines "Plugin Return Codes"): CRITICAL
 * for a failed check or an RTT above --crit-rtt; WARNING for more retransmissions than --warn-retrans, an RTT above
 * --warn-rtt, a binding the check made but could not remove again, or a ws/wss handshake token with less than
 * `warnTokenS` seconds left.
 */
export function monitoringStateOf(result: CheckResult, thresholds: MonitoringThresholds): MonitoringState {
  if (result.error) return result.error.remote ? 'CRITICAL' : 'UNKNOWN';
  if (!result.ok) return 'CRITICAL';
  const rtt = result.rttMs ?? 0;
  if (thresholds.critRttMs !== undefined && rtt > thresholds.critRttMs) return 'CRITICAL';
  if (thresholds.warnRttMs !== undefined && rtt > thresholds.warnRttMs) return 'WARNING';
  if (result.removal && !result.removal.ok) return 'WARNING';
  if (tokenRunsOut(result.handshake, thresholds.warnTokenS)) return 'WARNING';
  return result.retransmissions > thresholds.warnRetrans ? 'WARNING' : 'OK';
}

/**
 * Exit code of a finished register/options check: sipsak's, or the monitoring state's with --nagios. A binding the
 * check made but could not remove again fails it (EXIT.failed): the registrar was not left as it was found. A
 * WebSocket upgrade answered 401/403 (`websocket-rejected`: the gateway refused the handshake token) is a refusal
 * like a SIP 401/403: EXIT.failed.
 */
export function checkExitCode(result: CheckResult, nagios: boolean, thresholds: MonitoringThresholds): number {
  if (nagios) return MONITORING_EXIT[monitoringStateOf(result, thresholds)];
  if (result.error?.code === 'websocket-rejected') return EXIT.failed;
  if (result.error) return result.error.remote ? EXIT.remote : EXIT.local;
  if (result.ok && result.removal && !result.removal.ok) return EXIT.failed;
  return result.ok ? EXIT.ok : EXIT.failed;
}

/** Exit code of a local error in a register/options check: EXIT.local, or UNKNOWN with --nagios. */
export function checkLocalErrorExitCode(nagios: boolean): number {
  return nagios ? MONITORING_EXIT.UNKNOWN : EXIT.local;
}

/** Exit code of a load run: 3 when any registration met a transport error, else 1 when any was refused. */
export function loadExitCode(result: LoadResult): number {
  if (result.error) return result.error.remote ? EXIT.remote : EXIT.local;
  if (result.errored > 0) return EXIT.remote;
  return result.failed > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * Exit code of a finished test call (register's codes): 0 held and ended by our BYE; 1 a final answer that is not
 * success (rejected, revoked mid-call, ended early, a refresh refused); 2 local, 3 remote error without an answer.
 */
export function callExitCode(result: CallResult): number {
  if (result.ok) return EXIT.ok;
  // the gateway refused the WebSocket upgrade (its token): a refusal, as for register and options
  if (result.error?.code === 'websocket-rejected') return EXIT.failed;
  if (result.error && (result.status === undefined || result.endedBy === 'error')) return result.error.remote ? EXIT.remote : EXIT.local;
  return EXIT.failed;
}

/** Exit code of a call load run: a start-up error as its kind; else 1 when any call failed. */
export function callLoadExitCode(result: CallLoadResult): number {
  if (result.error) return result.error.remote ? EXIT.remote : EXIT.local;
  return result.failed > 0 ? EXIT.failed : EXIT.ok;
}
