/**
 * `sipscope call SIP-URI`: a test call (INVITE, digest, PRACK, ACK, refreshes, BYE) that reports every transaction
 * and tells a mid-call revocation (a refresh answered 403) from a healthy call; and a load mode.
 * Exit codes as register: 0 the call went through, 1 it did not (rejected, revoked, ended early), 2 local error,
 * 3 remote error (no answer, transport failure); --nagios: monitoring-plugins codes.
 */
import { writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import type { CallOptions } from '../../client/call.js';
import type { CallResult } from '../../client/call-result.js';
import type { CallLoadResult } from '../../client/call-load.js';
import { withoutPassword } from '../../client/target.js';
import { MONITORING_EXIT_CODES } from '../../report/monitoring.js';
import type { CliCommand } from '../command.js';
import { addCheckOptions, CliArgumentError, EXIT, NAGIOS, parseDuration, parseHeaderOption, sessionOptionsOf, traceTo } from '../check-options.js';
import { emitLocalError } from '../check-output.js';
import type { CliIO } from '../io.js';
import { PasswordSourceError, readPassword } from '../password.js';

/** Seconds as a number ("60", "1.5") or with a unit ("500ms", "2s"), as milliseconds. */
function seconds(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const ms = Number(text) * 1000;
    if (!(ms > 0)) throw new CliArgumentError(`${what} must be more than 0`);
    return ms;
  }
  return parseDuration(text, what);
}

export async function callOptionsOf(argv: Record<string, unknown>, io: CliIO): Promise<CallOptions> {
  const session = await sessionOptionsOf(argv, argv.verbose === true ? traceTo(io) : undefined);
  const password = await readPassword(
    { passwordEnv: argv['password-env'] as string | undefined, passwordFile: argv['password-file'] as string | undefined,
      passwordStdin: argv['password-stdin'] === true, password: argv.password as string | undefined },
    io.env, io.stdin, (text) => io.err(text),
  );
  const method = argv['refresh-method'];
  if (method !== undefined && method !== 'reinvite' && method !== 'update') throw new CliArgumentError('--refresh-method is reinvite or update');
  const sessionExpires = argv['session-expires'];
  if (sessionExpires !== undefined && (typeof sessionExpires !== 'number' || !Number.isInteger(sessionExpires) || sessionExpires < 1)) {
    throw new CliArgumentError('--session-expires must be a whole number of seconds');
  }
  return {
    ...session,
    user: argv.user as string | undefined,
    authUser: argv['auth-user'] as string | undefined,
    password,
    durationMs: seconds(argv.duration ?? 10, '--duration')!,
    refreshMs: seconds(argv.refresh, '--refresh'),
    refreshMethod: (method as 'reinvite' | 'update' | undefined) ?? 'reinvite',
    answerTimeoutMs: seconds(argv['answer-timeout'], '--answer-timeout'),
    sessionExpires: sessionExpires as number | undefined,
    contact: argv.contact as string | undefined,
    headers: ((argv.header as string[] | undefined) ?? []).map(parseHeaderOption),
    userAgent: argv['user-agent'] as string | undefined,
  };
}

export const callCommand: CliCommand = {
  command: 'call <uri>',
  describe: 'place a test call: INVITE with SDP, digest, PRACK, ACK, re-INVITE/UPDATE refreshes, BYE; detects mid-call revocation (403)',
  builder: (yargs: Argv) =>
    addCheckOptions(yargs)
      .option('duration', { type: 'string', describe: 'hold the call this long after the answer: seconds, or 500ms / 2s (default 10)' })
      .option('refresh', { type: 'string', describe: 'send a refresh every this long (seconds; default: only when Session-Expires asks)' })
      .option('refresh-method', { type: 'string', choices: ['reinvite', 'update'], describe: 'refresh with re-INVITE (default) or UPDATE (RFC 3311)' })
      .option('answer-timeout', { type: 'string', describe: 'CANCEL when no final answer came after this long (default 30 s)' })
      .option('session-expires', { type: 'number', describe: 'ask for this session interval in seconds (RFC 4028)' })
      .option('count', { type: 'number', describe: 'load mode: number of calls (users from --user with %d)' })
      .option('rate', { type: 'number', default: 10, describe: 'load mode: calls started per second' })
      .option('concurrent', { type: 'number', default: 100, describe: 'load mode: calls up at once, at most' })
      .option('user-start', { type: 'number', default: 1, describe: 'load mode: first number put into %d' })
      // given twice, the last value counts (as for register's options)
      .coerce(['duration', 'refresh', 'refresh-method', 'answer-timeout', 'session-expires', 'count', 'rate', 'concurrent', 'user-start'],
        (value: unknown) => (Array.isArray(value) ? value[value.length - 1] : value))
      .example('$0 call sip:bob@example.com --user alice --password-env P --duration 60 --refresh 10', 'a one-minute call refreshed every 10 s')
      .example('$0 call sip:bob@127.0.0.1:5060 --user alice --password-env P --count 100 --rate 20 --duration 2', 'load mode'),
  async run(argv, io) {
    let options: CallOptions;
    try {
      options = await callOptionsOf(argv, io);
    } catch (error) {
      if (error instanceof CliArgumentError || error instanceof PasswordSourceError) return emitLocalError(error.code, error.message, argv, io);
      throw error;
    }
    if (argv.count !== undefined) return runLoad(argv, options, io);
    const { runCall } = await import('../../client/call.js');
    return emitCall(await runCall(options), argv, io);
  },
};

async function emitCall(result: CallResult, argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const report = await import('../../report/call-report.js');
  const nagios = argv.nagios === true;
  const warnRetrans = typeof argv['warn-retrans'] === 'number' ? argv['warn-retrans'] : 0;
  const target = withoutPassword(String(argv.uri));
  if (typeof argv.junit === 'string') {
    try {
      await writeFile(argv.junit, report.renderCallJUnit(result, target));
    } catch (error) {
      io.err(`sipscope: --junit ${argv.junit}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return nagios ? NAGIOS.unknown : EXIT.local;
    }
  }
  if (argv.json === true) io.out(JSON.stringify(report.callJson(result), null, 2));
  else if (nagios) io.out(report.renderCallMonitoring(result, warnRetrans, target));
  else io.out(report.renderCallText(result, io.style));
  if (nagios) return MONITORING_EXIT_CODES[report.callMonitoringState(result, warnRetrans)];
  return callExitCode(result);
}

/** register's codes: 0 ok; 1 a final answer that is not success (rejected, revoked, ended early); 2 local; 3 remote. */
export function callExitCode(result: CallResult): number {
  if (result.ok) return EXIT.ok;
  const answered = result.transactions.some((record) => record.step === 'setup' && record.status !== undefined);
  if (result.error && !answered) return result.error.remote ? EXIT.remote : EXIT.local;
  if (result.error && result.endedBy === 'error') return result.error.remote ? EXIT.remote : EXIT.local;
  return EXIT.finalFailure;
}

async function runLoad(argv: Record<string, unknown>, options: CallOptions, io: CliIO): Promise<number> {
  const { MAX_CALL_COUNT, runCallLoad } = await import('../../client/call-load.js');
  const { count, rate, concurrent } = argv;
  const userStart = argv['user-start'];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_CALL_COUNT) {
    return emitLocalError('bad-argument', `--count must be a whole number in 1..${MAX_CALL_COUNT}`, argv, io);
  }
  if (typeof rate !== 'number' || !(rate > 0) || rate > 10_000) return emitLocalError('bad-argument', '--rate must be in (0, 10000] per second', argv, io);
  if (typeof concurrent !== 'number' || !Number.isInteger(concurrent) || concurrent < 1) return emitLocalError('bad-argument', '--concurrent must be a whole number >= 1', argv, io);
  if (typeof userStart !== 'number' || !Number.isInteger(userStart) || userStart < 0) return emitLocalError('bad-argument', '--user-start must be a whole number', argv, io);
  const result = await runCallLoad({ ...options, count, rate, concurrent, userStart });
  if (argv.json === true) io.out(JSON.stringify(result, null, 2));
  else io.out(renderLoad(result));
  if (result.error) return result.error.remote ? EXIT.remote : EXIT.local;
  return result.failed > 0 ? EXIT.finalFailure : EXIT.ok;
}

function renderLoad(result: CallLoadResult): string {
  const lines = [
    `calls: ${result.count}, ok ${result.ok}, failed ${result.failed}${result.revoked ? ` (revoked ${result.revoked})` : ''}`,
    `elapsed ${(result.elapsedMs / 1000).toFixed(3)} s, ${result.callsPerSec.toFixed(1)} calls/s started, ${result.retransmissions} retransmissions`,
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
