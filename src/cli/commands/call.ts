/**
 * `sipscope call SIP-URI`: a test call (INVITE, digest, PRACK, ACK, refreshes, BYE) that reports every transaction
 * and tells a mid-call revocation (a refresh answered 403) from a healthy call; and a load mode.
 * Exit codes as register (src/cli/exit.ts callExitCode); --nagios: the monitoring state's.
 */
import { writeFile } from 'node:fs/promises';
import type { CallOptions } from '../../client/call.js';
import type { CallLoadResult } from '../../client/call-load.js';
import type { CallResult } from '../../client/call-result.js';
import { withoutPassword } from '../../client/target.js';
import { defineCommand } from '../command.js';
import { CHECK_OPTIONS, headerFieldValues, parseDuration, parseHeaderOption, refuseControlCharacters, refuseSingleCheckOutputs, targetOptionsOf, thresholdsOf, traceTo } from '../check-options.js';
import { reportCheckError, reportUnwritableJUnit } from '../check-output.js';
import { readCredentials } from '../credentials.js';
import { badArgument, callExitCode, callLoadExitCode, MONITORING_EXIT } from '../exit.js';
import type { CliIO } from '../io.js';
import type { ArgumentsOf } from '../option-table.js';
import { countOf } from '../../report/count.js';

// a call's monitoring line has no RTT thresholds (its states: docs/call-serve.md): --warn-rtt / --crit-rtt are not
// offered, so that giving them is an unknown argument rather than a threshold silently ignored
const { 'warn-rtt': _warnRtt, 'crit-rtt': _critRtt, ...CALL_CHECK_OPTIONS } = CHECK_OPTIONS;

const CALL_OPTIONS = {
  ...CALL_CHECK_OPTIONS,
  duration: { type: 'string', default: '10', describe: 'hold the call this long after the answer: seconds, or with a unit: 500ms, 2s, 1m' },
  refresh: { type: 'string', describe: 'send a refresh every this long (seconds or with a unit; default: only when Session-Expires asks)' },
  'refresh-method': { type: 'string', choices: ['reinvite', 'update'], default: 'reinvite', describe: 'refresh with re-INVITE or UPDATE (RFC 3311)' },
  'answer-timeout': { type: 'string', describe: 'once a provisional response came, CANCEL when no final answer came this long after the INVITE (default 30 s); with no response at all, --timeout ends the INVITE' },
  'session-expires': { type: 'number', describe: 'ask for this session interval in seconds (RFC 4028)' },
  count: { type: 'number', describe: 'load mode: number of calls (users from --user with %d)' },
  rate: { type: 'number', default: 10, describe: 'load mode: calls started per second' },
  concurrent: { type: 'number', default: 100, describe: 'load mode: calls up at once, at most' },
  'user-start': { type: 'number', default: 1, describe: 'load mode: first number put into %d' },
} as const;

type CallArguments = ArgumentsOf<typeof CALL_OPTIONS>;

/** A bare number is seconds here ("60", "1.5"); with a unit as parseDuration reads it ("500ms", "2s"). */
function secondsOrDuration(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) {
    const ms = Number(text) * 1000;
    if (!(ms > 0)) throw badArgument(`${what} must be more than 0`);
    return ms;
  }
  return parseDuration(text, what);
}

export async function callOptionsOf(args: CallArguments, io: CliIO): Promise<CallOptions> {
  const target = await targetOptionsOf(args, args.verbose ? traceTo(io) : undefined);
  const { sessionExpires } = args;
  if (sessionExpires !== undefined && (!Number.isInteger(sessionExpires) || sessionExpires < 1)) throw badArgument('--session-expires must be a whole number of seconds');
  thresholdsOf(args); // a bad --warn-retrans or --warn-token-ttl is refused before the call is placed
  refuseControlCharacters(headerFieldValues(args));
  const credentials = await readCredentials(args, io);
  return {
    ...target,
    ...credentials,
    durationMs: secondsOrDuration(args.duration, '--duration')!,
    refreshMs: secondsOrDuration(args.refresh, '--refresh'),
    refreshMethod: args.refreshMethod,
    answerTimeoutMs: secondsOrDuration(args.answerTimeout, '--answer-timeout'),
    sessionExpires,
    contact: args.contact,
    headers: args.header.map(parseHeaderOption),
    userAgent: args.userAgent,
  };
}

export const callCommand = defineCommand({
  command: 'call <uri>',
  describe: 'place a test call: INVITE with SDP, digest, PRACK, ACK, re-INVITE/UPDATE refreshes, BYE; detects mid-call revocation (403)',
  options: CALL_OPTIONS,
  examples: [
    ['$0 call sip:bob@example.com --user alice --password-env P --duration 60 --refresh 10', 'a one-minute call refreshed every 10 s'],
    ['$0 call sip:bob@127.0.0.1:5060 --user alice --password-env P --count 100 --rate 20 --duration 2', 'load mode'],
  ],
  async run(args, io) {
    const options = await callOptionsOf(args, io);
    if (args.count !== undefined) return runLoad(args, args.count, options, io);
    const { runCall } = await import('../../client/call.js');
    return emitCall(await runCall(options), args, io);
  },
  reportError: reportCheckError,
});

async function emitCall(result: CallResult, args: CallArguments, io: CliIO): Promise<number> {
  const report = await import('../../report/call-report.js');
  const target = withoutPassword(args.uri);
  if (args.junit !== undefined) {
    try {
      await writeFile(args.junit, report.renderCallJUnit(result, target));
    } catch (error) {
      return reportUnwritableJUnit(args.junit, error, args, io);
    }
  }
  const thresholds = thresholdsOf(args);
  if (args.json) io.out(JSON.stringify(report.callJson(result), null, 2));
  else if (args.nagios) io.out(report.renderCallMonitoring(result, thresholds, target));
  else io.out(report.renderCallText(result, io.style));
  if (args.nagios) return MONITORING_EXIT[report.callMonitoringState(result, thresholds)];
  return callExitCode(result);
}

async function runLoad(args: CallArguments, count: number, options: CallOptions, io: CliIO): Promise<number> {
  refuseSingleCheckOutputs(args);
  const { MAX_CALL_COUNT, runCallLoad } = await import('../../client/call-load.js');
  const { rate, concurrent, userStart } = args;
  if (!Number.isInteger(count) || count < 1 || count > MAX_CALL_COUNT) throw badArgument(`--count must be a whole number in 1..${MAX_CALL_COUNT}`);
  if (!(rate > 0) || rate > 10_000) throw badArgument('--rate must be in (0, 10000] per second');
  if (!Number.isInteger(concurrent) || concurrent < 1) throw badArgument('--concurrent must be a whole number >= 1');
  if (!Number.isInteger(userStart) || userStart < 0) throw badArgument('--user-start must be a whole number');
  const result = await runCallLoad({ ...options, count, rate, concurrent, userStart });
  io.out(args.json ? JSON.stringify(result, null, 2) : renderLoad(result));
  return callLoadExitCode(result);
}

function renderLoad(result: CallLoadResult): string {
  const lines = [
    `calls: ${result.count}, ok ${result.ok}, failed ${result.failed}${result.revoked ? ` (revoked ${result.revoked})` : ''}`,
    `elapsed ${(result.elapsedMs / 1000).toFixed(3)} s, ${result.callsPerSec.toFixed(1)} calls/s started, ${countOf(result.retransmissions, 'retransmission')}`,
  ];
  if (result.setupMs) {
    const { min, p50, p90, p95, p99, max } = result.setupMs;
    lines.push(`setup ms: min ${min.toFixed(1)}, p50 ${p50.toFixed(1)}, p90 ${p90.toFixed(1)}, p95 ${p95.toFixed(1)}, p99 ${p99.toFixed(1)}, max ${max.toFixed(1)}`);
  }
  lines.push(`INVITE final statuses: ${Object.entries(result.statusCounts).map(([status, n]) => `${status}: ${n}`).join(', ')}`);
  lines.push(`ended by: ${Object.entries(result.endedBy).map(([how, n]) => `${how}: ${n}`).join(', ')}`);
  if (result.error) lines.push(`could not start: ${result.error.code}: ${result.error.message}`);
  return lines.join('\n');
}
