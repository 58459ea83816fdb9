/**
 * `sipscope analyze FILE...`: calls, findings, the revocation timeline and duration statistics of captures.
 * Exit 0 when no finding at or above --fail-on was found, 1 when one was, 2 on a local error.
 */
import { writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { parseFailOn } from '../../analysis/index.js';
import { renderAnalysisJson } from '../../report/analysis-json.js';
import { renderAnalysisJUnit } from '../../report/analysis-junit.js';
import { renderAnalysisText } from '../../report/analysis-text.js';
import { filesArgument, type CliCommand } from '../command.js';
import type { CliIO } from '../io.js';
import { LocalError, localErrorsExit2, runAnalysis, withWindowOptions } from './analysis-run.js';
import { openDatasetRun } from './dataset-run.js';

export const analyzeCommand: CliCommand = {
  command: 'analyze <files..>',
  describe: 'rebuild calls from captures and report findings (re-INVITE 403s, revoked credentials, ...) and the drain window',
  builder: (yargs: Argv) =>
    withWindowOptions(
      yargs
        .positional('files', { type: 'string', array: true, describe: 'capture files (pcap, pcapng, .gz; - for stdin)' })
        .option('json', { type: 'boolean', default: false, describe: 'the JSON document (schema: docs/analyze-json.md)' })
        .option('junit', { type: 'string', describe: 'also write a JUnit XML report to this file' })
        .option('dataset', { type: 'string', describe: 'also write the analysis as a Parquet dataset in this directory (docs/dataset.md)' })
        .option('host', { type: 'string', describe: 'host name of the dataset partition (default: this machine\'s name)' })
        .option('fail-on', {
          type: 'string',
          default: 'error',
          describe: 'exit 1 when a finding of this severity or above (error|warning|info) or of these kinds (comma list) is found',
        }),
    )
      .example('$0 analyze incident.pcapng', 'calls, findings, revocation timeline, drain window')
      .example('$0 analyze ring-*.pcap.gz --json --fail-on reinvite-forbidden,register-forbidden', 'for scripts and CI')
      .example('$0 analyze /var/spool/ring/*.pcap --dataset /shared/sip --host sbc1', 'Parquet tables to query with `sipscope query`'),
  run: (argv, io: CliIO) =>
    localErrorsExit2(io, 'analyze', async () => {
      const failsOn = parseFailOn(String(argv['fail-on'] ?? 'error'));
      const files = filesArgument(argv);
      const dataset = argv.dataset === undefined ? undefined : await openDatasetRun(files, argv);
      let result;
      try {
        result = await runAnalysis(files, argv, io, 'analyze', dataset?.hooks);
      } catch (error) {
        await dataset?.abort();
        throw error;
      }
      await dataset?.finish(result, io);
      io.out(argv.json === true ? renderAnalysisJson(result) : renderAnalysisText(result, io.style));
      if (argv.junit !== undefined) {
        const path = String(argv.junit);
        try {
          await writeFile(path, renderAnalysisJUnit(result, { suiteName: `sipscope analyze ${files.join(' ')}`, failsOn }));
        } catch (error) {
          throw new LocalError(`cannot write the JUnit report ${path}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return result.findings.some(failsOn) ? 1 : 0;
    }),
};
