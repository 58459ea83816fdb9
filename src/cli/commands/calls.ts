/** `sipscope calls FILE...`: one line per call (start, duration, state, from, to, user, re-INVITEs, Call-ID). */
import { renderCallsTable } from '../../report/analysis-text.js';
import { printable } from '../../report/printable.js';
import { defineCommand } from '../command.js';
import { EXIT, exitAfterInputs } from '../exit.js';
import { inInputsRead } from '../inputs-read.js';
import { captureFiles, runAnalysis, THREADS_OPTION, WINDOW_OPTIONS } from './analysis-run.js';

export const callsCommand = defineCommand({
  command: 'calls <files..>',
  describe: 'list the calls in captures, one line each',
  options: { ...captureFiles('capture files (pcap, pcapng, .gz; - for stdin)'), ...WINDOW_OPTIONS, ...THREADS_OPTION },
  examples: [['$0 calls incident.pcapng --user alice', "alice's calls"]],
  async run(args, io) {
    const result = await runAnalysis(args.files, args, io, 'calls');
    io.out(result.calls.length > 0 ? renderCallsTable(result.calls, io.style) : noCallsText(args, result.summary.unusableInputs));
    return exitAfterInputs(EXIT.ok, result.summary.unusableInputs);
  },
});

/** Why the table is empty: the inputs read hold no INVITE, or the filters given left no call. */
function noCallsText(filters: { files: string[]; user?: string; since?: string; until?: string }, unusableInputs: string[] | undefined): string {
  if (filters.user === undefined && filters.since === undefined && filters.until === undefined) return `no calls (no INVITE) ${inInputsRead(filters.files, unusableInputs)}`;
  const window = [filters.since === undefined ? '' : `--since ${filters.since}`, filters.until === undefined ? '' : `--until ${filters.until}`].filter(Boolean).join(' ');
  const user = filters.user === undefined ? '' : ` of user ${filters.user} (--user)`;
  return printable(`no calls${user}${window === '' ? '' : ` in the window ${window}`}`);
}
