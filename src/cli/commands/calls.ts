/** `sipscope calls FILE...`: one line per call (start, duration, state, from, to, user, re-INVITEs, Call-ID). */
import type { Argv } from 'yargs';
import { renderCallsTable } from '../../report/analysis-text.js';
import { filesArgument, type CliCommand } from '../command.js';
import type { CliIO } from '../io.js';
import { localErrorsExit2, runAnalysis, withWindowOptions } from './analysis-run.js';

export const callsCommand: CliCommand = {
  command: 'calls <files..>',
  describe: 'list the calls in captures, one line each',
  builder: (yargs: Argv) =>
    withWindowOptions(yargs.positional('files', { type: 'string', array: true, describe: 'capture files (pcap, pcapng, .gz; - for stdin)' })).example(
      '$0 calls incident.pcapng --user alice',
      "alice's calls",
    ),
  run: (argv, io: CliIO) =>
    localErrorsExit2(io, 'calls', async () => {
      const result = await runAnalysis(filesArgument(argv), argv, io, 'calls');
      io.out(result.calls.length > 0 ? renderCallsTable(result.calls, io.style) : 'no calls (no INVITE) in the capture');
      return 0;
    }),
};
