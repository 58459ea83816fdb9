/** `sipscope register SIP-URI`: REGISTER check with digest auth (the sipsak replacement), and a load mode. */
import type { RegisterMode, RegisterOptions } from '../../client/register.js';
import type { LoadResult } from '../../client/load.js';
import { defineCommand } from '../command.js';
import { CHECK_OPTIONS, headerFieldValues, parseHeaderOption, refuseControlCharacters, refuseSingleCheckOutputs, targetOptionsOf, thresholdsOf, traceTo } from '../check-options.js';
import { reportCheckError } from '../check-output.js';
import { readCredentials } from '../credentials.js';
import { badArgument, loadExitCode } from '../exit.js';
import type { CliIO } from '../io.js';
import { printable } from '../../report/printable.js';
import type { ArgumentsOf } from '../option-table.js';
import { countOf } from '../../report/count.js';

const REGISTER_OPTIONS = {
  ...CHECK_OPTIONS,
  expires: { type: 'number', describe: 'requested registration lifetime in seconds (default 3600 with --keep; 60 for a check that removes its binding)' },
  keep: {
    type: 'boolean',
    default: false,
    describe: 'keep the binding: without it, the check removes its own binding again (Expires: 0) once it has read the bindings; a kept one is replaced on the next run (stable +sip.instance)',
  },
  unregister: { type: 'boolean', default: false, describe: 'remove the binding (Expires: 0)' },
  all: { type: 'boolean', default: false, describe: 'with --unregister: remove every binding (Contact: *)' },
  query: { type: 'boolean', default: false, describe: 'send no Contact: list the bindings the registrar holds' },
  count: { type: 'number', describe: 'load mode: number of registrations (users from --user with %d)' },
  rate: { type: 'number', default: 10, describe: 'load mode: registrations started per second' },
  'user-start': { type: 'number', default: 1, describe: 'load mode: first number put into %d' },
} as const;

type RegisterArguments = ArgumentsOf<typeof REGISTER_OPTIONS>;

function modeOf(args: RegisterArguments): RegisterMode {
  if (args.unregister && args.query) throw badArgument('--unregister and --query exclude each other');
  if (args.all && !args.unregister) throw badArgument('--all goes with --unregister');
  if (args.keep && (args.unregister || args.query)) throw badArgument('--keep goes with a registration, not with --unregister or --query');
  if (args.query) return 'query';
  if (args.unregister) return args.all ? 'unregister-all' : 'unregister';
  return 'register';
}

export async function registerOptionsOf(args: RegisterArguments, io: CliIO): Promise<RegisterOptions> {
  const target = await targetOptionsOf(args, args.verbose ? traceTo(io) : undefined, io.env);
  const { expires } = args;
  if (expires !== undefined && (!Number.isInteger(expires) || expires < 0)) {
    throw badArgument('--expires must be a whole number of seconds');
  }
  thresholdsOf(args); // bad --warn-rtt / --crit-rtt are refused before the check runs
  refuseControlCharacters(headerFieldValues(args));
  const credentials = await readCredentials(args, io);
  return {
    ...target,
    ...credentials,
    mode: modeOf(args),
    expires,
    keep: args.keep,
    contact: args.contact,
    headers: args.header.map(parseHeaderOption),
    userAgent: args.userAgent,
  };
}

export const registerCommand = defineCommand({
  command: 'register <uri>',
  describe: 'REGISTER with digest auth over UDP/TCP/TLS/WS and report status, auth, RTT, retransmissions, bindings',
  options: REGISTER_OPTIONS,
  examples: [
    ['$0 register sip:alice@example.com --password-env SIP_PASSWORD', "register alice, read the bindings, remove the check's own binding again"],
    ['$0 register sip:alice@example.com --password-env SIP_PASSWORD --keep --expires 300', 'register alice and keep the binding for 5 minutes'],
    ["$0 register sip:127.0.0.1:5060 --user 'user%d' --count 1000 --rate 200 --password-env P", 'load mode'],
  ],
  async run(args, io) {
    const options = await registerOptionsOf(args, io);
    if (args.count !== undefined) return runLoad(args, args.count, options, io);
    // loaded on use: the client and its transports cost start-up time for every other command
    const [{ runRegister }, { emitCheckResult }] = await Promise.all([import('../../client/register.js'), import('../check-output.js')]);
    return emitCheckResult(await runRegister(options), args, io);
  },
  reportError: reportCheckError,
});

async function runLoad(args: RegisterArguments, count: number, options: RegisterOptions, io: CliIO): Promise<number> {
  refuseSingleCheckOutputs(args);
  const { MAX_LOAD_COUNT, runRegisterLoad } = await import('../../client/load.js');
  const { rate, userStart } = args;
  if (!Number.isInteger(count) || count < 1 || count > MAX_LOAD_COUNT) throw badArgument(`--count must be a whole number in 1..${MAX_LOAD_COUNT}`);
  if (!(rate > 0) || rate > 100_000) throw badArgument('--rate must be in (0, 100000] per second');
  if (!Number.isInteger(userStart) || userStart < 0) throw badArgument('--user-start must be a whole number');
  if (!options.user?.includes('%d')) throw badArgument('load mode needs --user with %d (e.g. --user "user%d")');
  const result = await runRegisterLoad({ ...options, count, rate, userStart });
  if (args.json) io.out(JSON.stringify(result, null, 2));
  else io.out(renderLoad(result));
  return loadExitCode(result);
}

function renderLoad(result: LoadResult): string {
  const lines = [
    `registrations: ${result.count}, ok ${result.ok}, failed ${result.failed} (rejected ${result.rejected}, errors ${result.errored})`,
    `elapsed ${(result.elapsedMs / 1000).toFixed(3)} s, ${result.ratePerSec.toFixed(1)} registrations/s, ${countOf(result.retransmissions, 'retransmission')}`,
  ];
  if (result.latencyMs) {
    const { min, median, p95, max } = result.latencyMs;
    lines.push(`latency ms: min ${min.toFixed(1)}, median ${median.toFixed(1)}, p95 ${p95.toFixed(1)}, max ${max.toFixed(1)}`);
  }
  const statuses = Object.entries(result.statusCounts).map(([status, n]) => `${status}: ${n}`).join(', ');
  if (statuses) lines.push(`final statuses: ${statuses}`);
  const errors = Object.entries(result.errors).map(([code, n]) => `${code}: ${n}`).join(', ');
  if (errors) lines.push(`errors: ${errors}`);
  if (result.error) lines.push(`could not start: ${result.error.code}: ${printable(result.error.message)}`);
  return lines.join('\n');
}
