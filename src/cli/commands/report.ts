/**
 * `sipscope report FILE... -o report.html`: the analysis of `analyze` as one self-contained HTML page (summary,
 * timeline, duration histogram, findings and calls tables, ladder diagrams). Two passes over the captures: the
 * analysis (with registrations and 403s per credential for the timeline), then the messages of the calls whose
 * ladders are embedded. Exit 0 when written, 2 on a local error.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { CredentialActivity } from '../../report/html/credential-activity.js';
import { DEFAULT_MAX_OTHER_CALLS, selectDetailCalls } from '../../report/html/detail-selection.js';
import type { HtmlReportInput } from '../../report/html/model.js';
import { htmlReportChunks } from '../../report/html/page.js';
import { defineCommand } from '../command.js';
import { badArgument, CliError, EXIT, exitAfterInputs } from '../exit.js';
import { checkOutputFile } from '../output-file.js';
import { captureFiles, runAnalysis, WINDOW_OPTIONS, windowOptions, type WindowArguments } from './analysis-run.js';
import { gatherCallDetails } from './report-details.js';

export const reportCommand = defineCommand({
  command: 'report <files..>',
  describe: 'write an HTML incident report: summary, timeline, durations, findings, ladder diagrams (one self-contained file)',
  options: {
    ...captureFiles('capture files (pcap, pcapng, .gz), read as one capture'),
    output: { alias: 'o', type: 'string', demandOption: true, describe: 'HTML file to write' },
    'max-calls': {
      type: 'number',
      default: DEFAULT_MAX_OTHER_CALLS,
      describe: 'calls without findings whose messages (ladder, text) are embedded; calls with findings always are',
    },
    'show-secrets': { type: 'boolean', default: false, describe: 'keep the Authorization / Proxy-Authorization response (redacted by default)' },
    ...WINDOW_OPTIONS,
  },
  examples: [
    ['$0 report incident.pcapng -o incident.html', 'open incident.html in a browser; no network needed'],
    ['$0 report ring-*.pcap.gz --user alice --max-calls 200 -o alice.html', "one user's calls"],
  ],
  async run(args, io) {
    const { files, output, maxCalls, showSecrets } = args;
    if (files.includes('-')) throw badArgument('report reads its input twice: give files, not - (stdin)');
    if (!Number.isInteger(maxCalls) || maxCalls < 0) throw badArgument('--max-calls must be a whole number >= 0');
    checkOutputFile(output, files, '-o');
    const activity = new CredentialActivity();
    const result = await runAnalysis(files, args, io, 'report', { observer: (message, retransmission) => activity.observe(message, retransmission) });
    const selection = selectDetailCalls(result, maxCalls);
    const { details, decodeIssues } = await gatherCallDetails({
      files,
      callIds: selection.callIds,
      ...windowOptions(args),
      showSecrets,
      listDecodeIssues: result.summary.decodeErrors > 0,
    });
    const credentials = activity.credentials().filter((events) => args.user === undefined || events.username === args.user);
    const bytes = await writeReport(output, {
      result,
      files,
      details: details.all(),
      credentials,
      decodeIssues,
      callsWithoutDetail: selection.callsWithoutDetail,
      showSecrets,
      filters: filterText(args),
      generator: `written by sipscope report at ${new Date().toISOString()}`,
    });
    if (selection.findingCallsLeftOut > 0) io.err(`sipscope report: ${selection.findingCallsLeftOut} more calls with findings are in the tables only (ladders embedded for the first ${selection.callIds.size})`);
    io.out(`wrote ${output} (${(bytes / 1024).toFixed(0)} KiB): ${result.calls.length} calls, ${result.findings.length} findings, ${details.all().size} ladders embedded`);
    return exitAfterInputs(EXIT.ok, result.summary.unusableInputs);
  },
});

function filterText(window: WindowArguments): string[] {
  return (['since', 'until', 'user'] as const).filter((name) => window[name] !== undefined).map((name) => `--${name} ${window[name]}`);
}

/** Writes the page chunk by chunk (waiting when the file stream is full); returns its size in bytes. */
async function writeReport(output: string, input: HtmlReportInput): Promise<number> {
  const file = createWriteStream(output);
  let failure: unknown;
  // an error between two awaits is kept here (once() below rejects on errors while it waits)
  file.on('error', (error) => (failure ??= error));
  try {
    await once(file, 'open');
    let bytes = 0;
    for (const chunk of htmlReportChunks(input)) {
      if (failure !== undefined) throw failure;
      bytes += Buffer.byteLength(chunk);
      if (!file.write(chunk)) await once(file, 'drain');
    }
    file.end();
    if (failure !== undefined) throw failure;
    await once(file, 'finish');
    return bytes;
  } catch (error) {
    file.destroy();
    throw new CliError('unwritable-file', `cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
