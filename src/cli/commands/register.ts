/** `sipscope register SIP-URI`: REGISTER check with digest auth (the sipsak replacement), and a load mode. */
import type { Argv } from 'yargs';
import type { RegisterMode, RegisterOptions } from '../../client/register.js';
import type { LoadResult } from '../../client/load.js';
import type { CliCommand } from '../command.js';
import { addCheckOptions, CliArgumentError, EXIT, parseHeaderOption, sessionOptionsOf, thresholdsOf, traceTo } from '../check-options.js';
import { emitLocalError } from '../check-output.js';
import type { CliIO } from '../io.js';
import { PasswordSourceError, readPassword } from '../password.js';

function modeOf(argv: Record<string, unknown>): RegisterMode {
  const unregister = argv.unregister === true;
  const query = argv.query === true;
  if (unregister && query) throw new CliArgumentError('--unregister and --query exclude each other');
  if (argv.all === true && !unregister) throw new CliArgumentError('--all goes with --unregister');
  if (argv.keep === true && (unregister || query)) throw new CliArgumentError('--keep goes with a registration, not with --unregister or --query');
  if (query) return 'query';
  if (unregister) return argv.all === true ? 'unregister-all' : 'unregister';
  return 'register';
}

export async function registerOptionsOf(argv: Record<string, unknown>, io: CliIO): Promise<RegisterOptions> {
  const session = await sessionOptionsOf(argv, argv.verbose === true ? traceTo(io) : undefined);
  thresholdsOf(argv); // refuse bad --warn-rtt / --crit-rtt before the check runs
  const expires = argv.expires;
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isInteger(expires) || expires < 0)) {
    throw new CliArgumentError('--expires must be a whole number of seconds');
  }
  const password = await readPassword(
    { passwordEnv: argv['password-env'] as string | undefined, passwordFile: argv['password-file'] as string | undefined,
      passwordStdin: argv['password-stdin'] === true, password: argv.password as string | undefined },
    io.env, io.stdin, (text) => io.err(text),
  );
  return {
    ...session,
    user: argv.user as string | undefined,
    authUser: argv['auth-user'] as string | undefined,
    password,
    mode: modeOf(argv),
    expires: expires as number | undefined,
    keep: argv.keep === true,
    contact: argv.contact as string | undefined,
    headers: ((argv.header as string[] | undefined) ?? []).map(parseHeaderOption),
    userAgent: argv['user-agent'] as string | undefined,
  };
}

function localFailure(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof CliArgumentError || error instanceof PasswordSourceError) return { code: error.code, message: error.message };
  return undefined;
}

export const registerCommand: CliCommand = {
  command: 'register <uri>',
  describe: 'REGISTER with digest auth over UDP/TCP/TLS/WS and report status, auth, RTT, retransmissions, bindings',
  builder: (yargs: Argv) =>
    addCheckOptions(yargs)
      .option('expires', { type: 'number', describe: 'requested registration lifetime in seconds (default 3600 with --keep; 60 for a check that removes its binding)' })
      .option('keep', {
        type: 'boolean',
        default: false,
        describe: 'keep the binding: without it, the check removes its own binding again (Expires: 0) once it has read the bindings; a kept one is replaced on the next run (stable +sip.instance)',
      })
      .option('unregister', { type: 'boolean', default: false, describe: 'remove the binding (Expires: 0)' })
      .option('all', { type: 'boolean', default: false, describe: 'with --unregister: remove every binding (Contact: *)' })
      .option('query', { type: 'boolean', default: false, describe: 'send no Contact: list the bindings the registrar holds' })
      .option('count', { type: 'number', describe: 'load mode: number of registrations (users from --user with %d)' })
      .option('rate', { type: 'number', default: 10, describe: 'load mode: registrations started per second' })
      .option('user-start', { type: 'number', default: 1, describe: 'load mode: first number put into %d' })
      .example('$0 register sip:alice@example.com --password-env SIP_PASSWORD', 'register alice, read the bindings, remove the check\'s own binding again')
      .example('$0 register sip:alice@example.com --password-env SIP_PASSWORD --keep --expires 300', 'register alice and keep the binding for 5 minutes')
      .example("$0 register sip:127.0.0.1:5060 --user 'user%d' --count 1000 --rate 200 --password-env P", 'load mode'),
  async run(argv, io) {
    let options: RegisterOptions;
    try {
      options = await registerOptionsOf(argv, io);
    } catch (error) {
      const failure = localFailure(error);
      if (!failure) throw error;
      return emitLocalError(failure.code, failure.message, argv, io);
    }
    if (argv.count !== undefined) return runLoad(argv, options, io);
    // loaded on use: the client and its transports cost start-up time for every other command
    const [{ runRegister }, { emitCheckResult }] = await Promise.all([import('../../client/register.js'), import('../check-output.js')]);
    return emitCheckResult(await runRegister(options), argv, io);
  },
};

async function runLoad(argv: Record<string, unknown>, options: RegisterOptions, io: CliIO): Promise<number> {
  const { MAX_LOAD_COUNT, runRegisterLoad } = await import('../../client/load.js');
  const count = argv.count;
  const rate = argv.rate;
  const userStart = argv['user-start'];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_LOAD_COUNT) {
    return emitLocalError('bad-argument', `--count must be a whole number in 1..${MAX_LOAD_COUNT}`, argv, io);
  }
  if (typeof rate !== 'number' || !(rate > 0) || rate > 100_000) return emitLocalError('bad-argument', '--rate must be in (0, 100000] per second', argv, io);
  if (typeof userStart !== 'number' || !Number.isInteger(userStart) || userStart < 0) {
    return emitLocalError('bad-argument', '--user-start must be a whole number', argv, io);
  }
  if (!options.user?.includes('%d')) {
    return emitLocalError('bad-argument', 'load mode needs --user with %d (e.g. --user "user%d")', argv, io);
  }
  const result = await runRegisterLoad({ ...options, count, rate, userStart });
  if (argv.json === true) io.out(JSON.stringify(result, null, 2));
  else io.out(renderLoad(result));
  if (result.error) return result.error.remote ? EXIT.remote : EXIT.local;
  if (result.errored > 0) return EXIT.remote;
  return result.failed > 0 ? EXIT.finalFailure : EXIT.ok;
}

function renderLoad(result: LoadResult): string {
  const lines = [
    `registrations: ${result.count}, ok ${result.ok}, failed ${result.failed} (rejected ${result.rejected}, errors ${result.errored})`,
    `elapsed ${(result.elapsedMs / 1000).toFixed(3)} s, ${result.ratePerSec.toFixed(1)} registrations/s, ${result.retransmissions} retransmissions`,
  ];
  if (result.latencyMs) {
    const { min, median, p95, max } = result.latencyMs;
    lines.push(`latency ms: min ${min.toFixed(1)}, median ${median.toFixed(1)}, p95 ${p95.toFixed(1)}, max ${max.toFixed(1)}`);
  }
  const statuses = Object.entries(result.statusCounts).map(([status, n]) => `${status}: ${n}`).join(', ');
  if (statuses) lines.push(`final statuses: ${statuses}`);
  const errors = Object.entries(result.errors).map(([code, n]) => `${code}: ${n}`).join(', ');
  if (errors) lines.push(`errors: ${errors}`);
  if (result.error) lines.push(`could not start: ${result.error.code}: ${result.error.message}`);
  return lines.join('\n');
}
