/** `sipscope options SIP-URI`: OPTIONS ping over UDP/TCP/TLS/WS, answering digest challenges when a password is given. */
import { defineCommand } from '../command.js';
import { CHECK_OPTIONS, headerFieldValues, parseHeaderOption, refuseControlCharacters, targetOptionsOf, thresholdsOf, traceTo } from '../check-options.js';
import { reportCheckError } from '../check-output.js';
import { readCredentials } from '../credentials.js';

export const optionsCommand = defineCommand({
  command: 'options <uri>',
  describe: 'OPTIONS ping over UDP/TCP/TLS/WS: reachability, status, RTT, retransmissions',
  options: CHECK_OPTIONS,
  examples: [['$0 options sip:proxy.example.com --transport tcp --nagios', 'monitoring check']],
  async run(args, io) {
    const target = await targetOptionsOf(args, args.verbose ? traceTo(io) : undefined, io.env);
    thresholdsOf(args); // bad --warn-rtt / --crit-rtt are refused before the check runs
    refuseControlCharacters(headerFieldValues(args));
    const credentials = await readCredentials(args, io);
    const options = {
      ...target,
      ...credentials,
      contact: args.contact,
      headers: args.header.map(parseHeaderOption),
      userAgent: args.userAgent,
    };
    // loaded on use: the client and its transports cost start-up time for every other command
    const [{ runOptions }, { emitCheckResult }] = await Promise.all([import('../../client/options.js'), import('../check-output.js')]);
    return emitCheckResult(await runOptions(options), args, io);
  },
  reportError: reportCheckError,
});
