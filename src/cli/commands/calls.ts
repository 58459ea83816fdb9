/** `sipscope calls FILE...`: one line per call (start, duration, state, from, to, user, re-INVITEs, Call-ID). */
import { renderCallsTable } from '../../report/analysis-text.js';
import { defineCommand } from '../command.js';
import { EXIT } from '../exit.js';
import { captureFiles, runAnalysis, WINDOW_OPTIONS } from './analysis-run.js';

export const callsCommand = defineCommand({
  command: 'calls <files..>',
  describe: 'list the calls in captures, one line each',
  options: { ...captureFiles('capture files (pcap, pcapng, .gz; - for stdin)'), ...WINDOW_OPTIONS },
  examples: [['$0 calls incident.pcapng --user alice', "alice's calls"]],
  async run(args, io) {
    const result = await runAnalysis(args.files, args, io, 'calls');
    io.out(result.calls.length > 0 ? renderCallsTable(result.calls, io.style) : 'no calls (no INVITE) in the capture');
    return EXIT.ok;
  },
});
