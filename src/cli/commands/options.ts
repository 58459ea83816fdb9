/** `sipscope options SIP-URI`: OPTIONS ping over UDP/TCP/TLS/WS, answering digest challenges when a password is given. */
import type { Argv } from 'yargs';
import type { OptionsCheckOptions } from '../../client/options.js';
import type { CliCommand } from '../command.js';
import { addCheckOptions, CliArgumentError, parseHeaderOption, sessionOptionsOf, thresholdsOf, traceTo } from '../check-options.js';
import { emitLocalError } from '../check-output.js';
import { PasswordSourceError, readPassword } from '../password.js';

export const optionsCommand: CliCommand = {
  command: 'options <uri>',
  describe: 'OPTIONS ping over UDP/TCP/TLS/WS: reachability, status, RTT, retransmissions',
  builder: (yargs: Argv) =>
    addCheckOptions(yargs).example('$0 options sip:proxy.example.com --transport tcp --nagios', 'monitoring check'),
  async run(argv, io) {
    let options: OptionsCheckOptions;
    try {
      const session = await sessionOptionsOf(argv, argv.verbose === true ? traceTo(io) : undefined);
      thresholdsOf(argv); // refuse bad --warn-rtt / --crit-rtt before the check runs
      const password = await readPassword(
        { passwordEnv: argv['password-env'] as string | undefined, passwordFile: argv['password-file'] as string | undefined,
          passwordStdin: argv['password-stdin'] === true, password: argv.password as string | undefined },
        io.env, io.stdin, (text) => io.err(text),
      );
      options = {
        ...session,
        user: argv.user as string | undefined,
        authUser: argv['auth-user'] as string | undefined,
        password,
        contact: argv.contact as string | undefined,
        headers: ((argv.header as string[] | undefined) ?? []).map(parseHeaderOption),
        userAgent: argv['user-agent'] as string | undefined,
      };
    } catch (error) {
      if (error instanceof CliArgumentError || error instanceof PasswordSourceError) return emitLocalError(error.code, error.message, argv, io);
      throw error;
    }
    // loaded on use: the client and its transports cost start-up time for every other command
    const [{ runOptions }, { emitCheckResult }] = await Promise.all([import('../../client/options.js'), import('../check-output.js')]);
    return emitCheckResult(await runOptions(options), argv, io);
  },
};
