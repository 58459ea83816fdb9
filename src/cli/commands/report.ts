/**
 * `sipscope report FILE... -o report.html`: the analysis of `analyze` as one self-contained HTML page (summary,
 * timeline, duration histogram, findings and calls tables, ladder diagrams). Two passes over the captures: the
 * analysis (with registrations and 403s per credential for the timeline), then the messages of the calls whose
 * ladders are embedded. Exit 0 when written, 2 on a local error.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Argv } from 'yargs';
import { CredentialActivity } from '../../report/html/credential-activity.js';
import { DEFAULT_MAX_OTHER_CALLS, selectDetailCalls } from '../../report/html/detail-selection.js';
import { htmlReportChunks } from '../../report/html/page.js';
import type { HtmlReportInput } from '../../report/html/model.js';
import { filesArgument, type CliCommand } from '../command.js';
import type { CliIO } from '../io.js';
import { LocalError, localErrorsExit2, runAnalysis, timeOption, withWindowOptions } from './analysis-run.js';
import { gatherCallDetails } from './report-details.js';

export const reportCommand: CliCommand = {
  command: 'report <files..>',
  describe: 'write an HTML incident report: summary, timeline, durations, findings, ladder diagrams (one self-contained file)',
  builder: (yargs: Argv) =>
    withWindowOptions(
      yargs
        .positional('files', { type: 'string', array: true, describe: 'capture files (pcap, pcapng, .gz), read as one capture' })
        .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'HTML file to write' })
        .option('max-calls', {
          type: 'number',
          default: DEFAULT_MAX_OTHER_CALLS,
          describe: 'calls without findings whose messages (ladder, text) are embedded; calls with findings always are',
        })
        .option('show-secrets', { type: 'boolean', default: false, describe: 'keep the Authorization / Proxy-Authorization response (redacted by default)' }),
    )
      .example('$0 report incident.pcapng -o incident.html', 'open incident.html in a browser; no network needed')
      .example('$0 report ring-*.pcap.gz --user alice --max-calls 200 -o alice.html', "one user's calls"),
  run: (argv, io: CliIO) =>
    localErrorsExit2(io, 'report', async () => {
      const files = filesArgument(argv);
      const output = String(argv.output);
      if (files.includes('-')) throw new LocalError('report reads its input twice: give files, not - (stdin)');
      const maxCalls = Number(argv['max-calls']);
      if (!Number.isInteger(maxCalls) || maxCalls < 0) throw new LocalError(`--max-calls ${JSON.stringify(argv['max-calls'])} is not a whole number >= 0`);
      const showSecrets = argv['show-secrets'] === true;
      const activity = new CredentialActivity();
      const result = await runAnalysis(files, argv, io, 'report', { observer: (message, retransmission) => activity.observe(message, retransmission) });
      const selection = selectDetailCalls(result, maxCalls);
      const { details, decodeIssues } = await gatherCallDetails({
        files,
        callIds: selection.callIds,
        sinceUs: timeOption(argv, 'since'),
        untilUs: timeOption(argv, 'until'),
        showSecrets,
        listDecodeIssues: result.summary.decodeErrors > 0,
      });
      const user = argv.user === undefined ? undefined : String(argv.user);
      const credentials = activity.credentials().filter((events) => user === undefined || events.username === user);
      const bytes = await writeReport(output, {
        result,
        files,
        details: details.all(),
        credentials,
        decodeIssues,
        callsWithoutDetail: selection.callsWithoutDetail,
        showSecrets,
        filters: filterText(argv),
        generator: `written by sipscope report at ${new Date().toISOString()}`,
      });
      if (selection.findingCallsLeftOut > 0) io.err(`sipscope report: ${selection.findingCallsLeftOut} more calls with findings are in the tables only (ladders embedded for the first ${selection.callIds.size})`);
      io.out(`wrote ${output} (${(bytes / 1024).toFixed(0)} KiB): ${result.calls.length} calls, ${result.findings.length} findings, ${details.all().size} ladders embedded`);
      return 0;
    }),
};

function filterText(argv: Record<string, unknown>): string[] {
  return (['since', 'until', 'user'] as const).filter((name) => argv[name] !== undefined).map((name) => `--${name} ${String(argv[name])}`);
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
    throw new LocalError(`cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
