/**
 * `sipscope analyze FILE...`: calls, findings, the revocation timeline and duration statistics of captures.
 * Exit 0 when no finding at or above --fail-on was found, 1 when one was, 2 on a local error.
 */
import { writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { parseFailOn } from '../../analysis/index.js';
import { renderAnalysisJson } from '../../report/analysis-json.js';
import { renderAnalysisJUnit } from '../../report/analysis-junit.js';
import { JsonDocumentWriter, JsonLinesWriter, TextReportWriter, type AnalysisStreamWriter } from '../../report/analysis-stream.js';
import { renderAnalysisText } from '../../report/analysis-text.js';
import { filesArgument, type CliCommand } from '../command.js';
import type { CliIO } from '../io.js';
import { TextSpool } from '../spool.js';
import { LocalError, localErrorsExit2, runAnalysis, streamAnalysis, withWindowOptions } from './analysis-run.js';

export const analyzeCommand: CliCommand = {
  command: 'analyze <files..>',
  describe: 'rebuild calls from captures and report findings (re-INVITE 403s, revoked credentials, ...) and the drain window',
  builder: (yargs: Argv) =>
    withWindowOptions(
      yargs
        .positional('files', { type: 'string', array: true, describe: 'capture files (pcap, pcapng, .gz; - for stdin)' })
        .option('json', { type: 'boolean', default: false, describe: 'the JSON document (schema: docs/analyze-json.md)' })
        .option('jsonl', { type: 'boolean', default: false, describe: 'one JSON event per line as it happens: call, finding, revocation, summary' })
        .option('junit', { type: 'string', describe: 'also write a JUnit XML report to this file' })
        .option('fail-on', {
          type: 'string',
          default: 'error',
          describe: 'exit 1 when a finding of this severity or above (error|warning|info) or of these kinds (comma list) is found',
        }),
    )
      .example('$0 analyze incident.pcapng', 'calls, findings, revocation timeline, drain window')
      .example('$0 analyze ring-*.pcap.gz --json --fail-on reinvite-forbidden,register-forbidden', 'for scripts and CI'),
  run: (argv, io: CliIO) =>
    localErrorsExit2(io, 'analyze', async () => {
      const failsOn = parseFailOn(String(argv['fail-on'] ?? 'error'));
      const files = filesArgument(argv);
      if (argv.json === true && argv.jsonl === true) throw new LocalError('--json and --jsonl: choose one');
      if (argv.junit === undefined) {
        // Streamed: calls and findings go out as they are known, memory stays bounded (docs/analyze-json.md).
        const spool = new TextSpool();
        const write = outputWriter(io);
        const writer: AnalysisStreamWriter =
          argv.jsonl === true ? new JsonLinesWriter(write) : argv.json === true ? new JsonDocumentWriter(write, spool) : new TextReportWriter(write, spool, io.style);
        let failed = false;
        try {
          await streamAnalysis(files, argv, io, 'analyze', writer, (finding) => {
            failed ||= failsOn(finding);
          });
        } finally {
          spool.close();
        }
        return failed ? 1 : 0;
      }
      // JUnit needs every call with its findings: the whole analysis is kept.
      const result = await runAnalysis(files, argv, io, 'analyze');
      io.out(argv.json === true ? renderAnalysisJson(result) : renderAnalysisText(result, io.style));
      {
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

/** Text to stdout as it comes: as bytes when the IO can, else whole lines through `out` (which ends each with a newline). */
export function outputWriter(io: CliIO): (text: string) => void {
  const outBytes = io.outBytes;
  if (outBytes) return (text) => outBytes(Buffer.from(text));
  let carry = '';
  return (text) => {
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      carry += text;
      return;
    }
    io.out(carry + text.slice(0, lastNewline));
    carry = text.slice(lastNewline + 1);
  };
}
