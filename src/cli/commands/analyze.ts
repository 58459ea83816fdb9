/**
 * `sipscope analyze FILE...`: calls, findings, the revocation timeline and duration statistics of captures.
 * Exit 0 when no finding at or above --fail-on was found, 1 when one was, 2 on a local error.
 */
import { writeFile } from 'node:fs/promises';
import { parseFailOn } from '../../analysis/index.js';
import { renderAnalysisJson } from '../../report/analysis-json.js';
import { renderAnalysisJUnit } from '../../report/analysis-junit.js';
import { renderAnalysisText } from '../../report/analysis-text.js';
import { defineCommand } from '../command.js';
import { CliError, EXIT } from '../exit.js';
import { captureFiles, runAnalysis, WINDOW_OPTIONS } from './analysis-run.js';

export const analyzeCommand = defineCommand({
  command: 'analyze <files..>',
  describe: 'rebuild calls from captures and report findings (re-INVITE 403s, revoked credentials, ...) and the drain window',
  options: {
    ...captureFiles('capture files (pcap, pcapng, .gz; - for stdin)'),
    json: { type: 'boolean', default: false, describe: 'the JSON document (schema: docs/analyze-json.md)' },
    junit: { type: 'string', describe: 'also write a JUnit XML report to this file' },
    'fail-on': {
      type: 'string',
      default: 'error',
      describe: 'exit 1 when a finding of this severity or above (error|warning|info) or of these kinds (comma list) is found',
    },
    ...WINDOW_OPTIONS,
  },
  examples: [
    ['$0 analyze incident.pcapng', 'calls, findings, revocation timeline, drain window'],
    ['$0 analyze ring-*.pcap.gz --json --fail-on reinvite-forbidden,register-forbidden', 'for scripts and CI'],
  ],
  async run(args, io) {
    const failsOn = parseFailOn(args.failOn);
    const result = await runAnalysis(args.files, args, io, 'analyze');
    io.out(args.json ? renderAnalysisJson(result) : renderAnalysisText(result, io.style));
    if (args.junit !== undefined) {
      try {
        await writeFile(args.junit, renderAnalysisJUnit(result, { suiteName: `sipscope analyze ${args.files.join(' ')}`, failsOn }));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new CliError('unwritable-file', `cannot write the JUnit report ${args.junit}: ${reason}`, { cause: error });
      }
    }
    return result.findings.some(failsOn) ? EXIT.failed : EXIT.ok;
  },
});
