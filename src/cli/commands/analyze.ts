/**
 * `sipscope analyze FILE...`: calls, findings, the revocation timeline and duration statistics of captures.
 * Streamed (docs/analyze-json.md): calls and findings are written as the analysis goes, memory stays bounded.
 * Live sources: `- --follow` (a never-ending pcap stream on stdin) and `--hep-listen ADDR:PORT` (HEP over UDP);
 * `--metrics ADDR:PORT` serves Prometheus metrics meanwhile (analyze-live.ts).
 * Exit 0 when no finding at or above --fail-on was found, 1 when one was, 2 on a local error.
 */
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { Analyzer, parseFailOn, type AnalysisResult, type FailOn, type Finding } from '../../analysis/index.js';
import { EmptyCaptureError } from '../../capture/errors.js';
import type { DecodeIssue } from '../../capture/types.js';
import { renderAnalysisJson } from '../../report/analysis-json.js';
import { renderAnalysisJUnit } from '../../report/analysis-junit.js';
import { JsonDocumentWriter, JsonLinesWriter, TextReportWriter, type AnalysisStreamWriter } from '../../report/analysis-stream.js';
import { renderAnalysisText } from '../../report/analysis-text.js';
import { hostPort } from '../../sip/index.js';
import { defineCommand } from '../command.js';
import { badArgument, CliError, EXIT, exitAfterInputs } from '../exit.js';
import { boundHeapGrowthForAnalysis, boundingYoungGeneration } from '../heap-growth.js';
import { parseHostPort } from '../host-port.js';
import type { CliIO } from '../io.js';
import { noSipMessageText } from '../inputs-read.js';
import { issueLine } from '../issue-line.js';
import type { ArgumentsOf } from '../option-table.js';
import { RecordSpool, TextSpool } from '../spool.js';
import { hepListeningLine, LiveClock, openHepListen, serveMetrics, StopSignal, type MetricsSource } from './analyze-live.js';
import { checkOutputFile } from '../output-file.js';
import { captureFiles, runAnalysis, streamAnalysis, THREADS_OPTION, userStream, windowOptions, WINDOW_OPTIONS } from './analysis-run.js';
import { openDatasetRun, type DatasetRun } from './dataset-run.js';

/** A live run prints this many input problems one by one, then one line per LIVE_ISSUE_EVERY more. */
const LIVE_ISSUES_SHOWN = 20;
const LIVE_ISSUE_EVERY = 1000;

const ANALYZE_OPTIONS = {
  ...captureFiles('capture files (pcap, pcapng, .gz; - for stdin)'),
  json: { type: 'boolean', default: false, describe: 'the JSON document (schema: docs/analyze-json.md)' },
  jsonl: { type: 'boolean', default: false, describe: 'one JSON event per line as it happens: call, finding, revocation, summary' },
  junit: { type: 'string', describe: 'also write a JUnit XML report to this file' },
  follow: { type: 'boolean', default: false, describe: 'with -: stdin is a live pcap stream (tcpdump -U --immediate-mode -w -): report calls as they end, until it ends or Ctrl-C' },
  'hep-listen': { type: 'string', describe: 'live source: receive HEP v2/v3 over UDP on ADDRESS:PORT (Kamailio siptrace, heplify), until Ctrl-C (port 0: a free one, named on stderr)' },
  'hep-from': { type: 'string', describe: 'HEP senders accepted (comma list of IPs; default: loopback when listening on loopback, else any)' },
  metrics: { type: 'string', describe: 'serve Prometheus metrics on ADDRESS:PORT (/metrics) while the analysis runs (port 0: a free one, named on stderr)' },
  dataset: { type: 'string', describe: 'also write the analysis as a Parquet dataset in this directory (docs/dataset.md); read in one thread' },
  host: { type: 'string', describe: "host name of the dataset partition (default: this machine's name)" },
  'fail-on': {
    type: 'string',
    default: 'error',
    describe: 'exit 1 when a finding of this severity or above (error|warning|info) or of these kinds (comma list) is found',
  },
  ...WINDOW_OPTIONS,
  ...THREADS_OPTION,
} as const;

type AnalyzeArguments = ArgumentsOf<typeof ANALYZE_OPTIONS>;

export const analyzeCommand = defineCommand({
  command: 'analyze [files..]',
  describe: 'rebuild calls from captures and report findings (re-INVITE 403s, revoked credentials, ...) and the drain window',
  options: ANALYZE_OPTIONS,
  examples: [
    ['$0 analyze incident.pcapng', 'calls, findings, revocation timeline, drain window'],
    ['$0 analyze ring-*.pcap.gz --json --fail-on reinvite-forbidden,register-forbidden', 'for scripts and CI'],
    ['tcpdump -i any -U --immediate-mode -w - port 5060 | $0 analyze - --follow --jsonl', 'live: one JSON event per line'],
    ['$0 analyze --hep-listen 127.0.0.1:9060 --jsonl --metrics 127.0.0.1:9100', 'live from HEP, with metrics'],
    ['$0 analyze /var/spool/ring/*.pcap --dataset /shared/sip --host sbc1', 'Parquet tables to query with `sipscope query`'],
  ],
  async run(args, io) {
    const failsOn = parseFailOn(args.failOn);
    const files = args.files;
    if (args.json && args.jsonl) throw badArgument('--json and --jsonl: choose one');
    if (args.hepListen !== undefined && files.length > 0) throw badArgument('--hep-listen is a source of its own: name no capture files with it');
    if (args.hepListen === undefined && files.length === 0) throw badArgument('name capture files (- for stdin), or --hep-listen ADDRESS:PORT');
    if (args.follow && (files.length !== 1 || files[0] !== '-')) throw badArgument('--follow reads a live pcap stream from stdin: give - as the only input');
    const live = args.hepListen !== undefined || args.follow;
    if (live && args.junit !== undefined) throw badArgument('--junit needs the whole analysis: not with a live source');
    if (args.hepListen !== undefined && args.dataset !== undefined) throw badArgument('--dataset reads capture files (or - --follow), not --hep-listen');
    if (args.hepFrom !== undefined && args.hepListen === undefined) throw badArgument('--hep-from says which HEP senders --hep-listen accepts: give --hep-listen too');
    if (args.host !== undefined && args.dataset === undefined) throw badArgument('--host names the partition of a --dataset: give --dataset DIR too');
    if (args.junit !== undefined) checkOutputFile(args.junit, files, '--junit');
    // the dataset directory is opened, and proved writable, before any analysis
    const dataset = args.dataset === undefined ? undefined : await openDatasetRun(files, args.dataset, args.host, args.user);
    try {
      // --dataset reads in one thread: DuckDB's own threads keep the second core busy, so the read thread did not
      // shorten the run and added 30-50 MB (bench/README.md, 2026-12-01, evening)
      return await analyzeTo(dataset === undefined ? args : { ...args, threads: false }, io, failsOn, live, dataset);
    } catch (error) {
      await dataset?.abort();
      throw error;
    }
  },
});

/** The analysis to the chosen output (and to the dataset when there is one). */
async function analyzeTo(args: AnalyzeArguments, io: CliIO, failsOn: FailOn, live: boolean, dataset: DatasetRun | undefined): Promise<number> {
  const files = args.files;
  if (args.junit !== undefined) return analyzeWithJUnit(args, args.junit, io, failsOn, dataset);
  const spool = new TextSpool();
  const findingsSpool = new RecordSpool();
  const write = outputWriter(io);
  const writer: AnalysisStreamWriter = args.jsonl
    ? new JsonLinesWriter(write, live)
    : args.json
      ? new JsonDocumentWriter(write, spool, findingsSpool, io.outBytes && ((bytes) => spooledOut(io, bytes)))
      : new TextReportWriter(write, spool, io.style, findingsSpool);
  const metrics: MetricsSource = { decodeErrors: 0, findings: new Map() };
  let failed = false;
  const onFinding = (finding: Finding) => {
    failed ||= failsOn(finding);
    metrics.findings.set(finding.kind, (metrics.findings.get(finding.kind) ?? 0) + 1);
  };
  // a live run ends on Ctrl-C or SIGTERM from here on, before it names any address (a caller may stop it at once)
  const stop = live ? new StopSignal() : undefined;
  let server: Server | undefined;
  let unusableInputs: string[] | undefined;
  try {
    server = args.metrics === undefined ? undefined : await serveMetrics(parseHostPort(args.metrics, '--metrics', { portZero: true }), metrics);
    // the bound address, not the one asked for: with port 0 the system chose it, and a caller reads it from here
    if (server) io.err(`sipscope analyze: metrics on http://${boundAddress(server)}/metrics`);
    if (args.hepListen !== undefined) await analyzeHep(args.hepListen, args, io, writer, metrics, onFinding, stop!);
    else if (live) await followStdin(args, io, writer, metrics, onFinding, dataset, stop!);
    else {
      const { summary } = await streamAnalysis(files, args, io, 'analyze', writer, { onFinding, ...dataset?.hooks });
      noteWhenNoSipMessage(io, files, summary);
      unusableInputs = summary.unusableInputs;
    }
  } finally {
    stop?.remove();
    spool.close();
    findingsSpool.close();
    await closeServer(server);
  }
  await dataset?.finish(io);
  return exitAfterInputs(failed ? EXIT.failed : EXIT.ok, unusableInputs);
}

async function analyzeWithJUnit(args: AnalyzeArguments, junit: string, io: CliIO, failsOn: FailOn, dataset: DatasetRun | undefined): Promise<number> {
  // JUnit needs every call with its findings: the whole analysis is kept.
  const result = await runAnalysis(args.files, args, io, 'analyze', dataset && { payload: dataset.hooks.payload, observer: dataset.hooks.observer });
  await dataset?.finish(io, result);
  if (args.jsonl) writeJsonLines(result, io);
  else io.out(args.json ? renderAnalysisJson(result) : renderAnalysisText(result, io.style));
  noteWhenNoSipMessage(io, args.files, result.summary);
  try {
    await writeFile(junit, renderAnalysisJUnit(result, { suiteName: `sipscope analyze ${args.files.join(' ')}`, failsOn }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError('unwritable-file', `cannot write the JUnit report ${junit}: ${reason}`, { cause: error });
  }
  return exitAfterInputs(result.findings.some(failsOn) ? EXIT.failed : EXIT.ok, result.summary.unusableInputs);
}

/** The inputs read held no SIP message: said on stderr as decode says it (the summary only counts 0). */
function noteWhenNoSipMessage(io: CliIO, files: string[], summary: AnalysisResult['summary']): void {
  if (summary.sipMessages === 0) io.err(`sipscope analyze: ${noSipMessageText(files, summary.unusableInputs)}`);
}

/**
 * --jsonl of an analysis kept whole (with --junit): the same events as a streamed run, calls (by start) and
 * findings (by time) one after the other rather than as they were known, then the revocations and the summary.
 */
function writeJsonLines(result: AnalysisResult, io: CliIO): void {
  const writer = new JsonLinesWriter(outputWriter(io), false);
  for (const call of result.calls) writer.call(call);
  for (const finding of result.findings) writer.finding(finding);
  writer.end(result);
}

/** Input problems of a live run go to stderr as they happen: the first ones each, then a count now and then. */
function liveIssues(io: CliIO, metrics: MetricsSource): (issue: DecodeIssue) => void {
  return (issue) => {
    metrics.decodeErrors++;
    if (metrics.decodeErrors <= LIVE_ISSUES_SHOWN) io.err(issueLine('analyze', issue));
    else if (metrics.decodeErrors % LIVE_ISSUE_EVERY === 0) io.err(`sipscope analyze: ${metrics.decodeErrors} input problems so far (last: ${issue.code})`);
  };
}

/** `- --follow`: stdin is read as it grows; the clock moves on while it is quiet; Ctrl-C/SIGTERM ends it. */
async function followStdin(
  args: AnalyzeArguments,
  io: CliIO,
  writer: AnalysisStreamWriter,
  metrics: MetricsSource,
  onFinding: (finding: Finding) => void,
  dataset: DatasetRun | undefined,
  stop: StopSignal,
): Promise<void> {
  const clock = new LiveClock();
  // The capture is read through a pipe of our own, so that a stop can end it as the end of a file would: the
  // summary is written and nothing is counted as damage (destroying stdin made every Ctrl-C a read error).
  const stdin = io.stdin as NodeJS.ReadableStream & { destroy?(): void };
  const input = new PassThrough();
  stdin.pipe(input);
  stop.onStop(() => {
    stdin.unpipe(input);
    input.end();
    stdin.destroy?.();
  });
  try {
    await streamAnalysis(args.files, args, { ...io, stdin: input }, 'analyze', writer, {
      ...dataset?.hooks,
      onFinding,
      live: true,
      decodeIssue: liveIssues(io, metrics),
      started(analyzer) {
        metrics.analyzer = analyzer;
        clock.start(analyzer);
      },
      analysed: () => clock.messageAnalysed(),
    });
  } catch (error) {
    // stopped before the stream gave its first byte: a live run that saw nothing, not an empty file (which an
    // end of stdin without a stop still is)
    if (!(stop.requested && error instanceof EmptyCaptureError)) throw error;
    const stream = userStream(args, writer, onFinding);
    stream.end(liveAnalyzer(args, stream).finish({ files: 1, packets: 0, bytes: 0, sipMessages: 0, decodeErrors: 0 }));
  } finally {
    clock.stop();
  }
}

/** `--hep-listen`: HEP datagrams analysed as they come, until Ctrl-C or SIGTERM. */
async function analyzeHep(
  hepListen: string,
  args: AnalyzeArguments,
  io: CliIO,
  writer: AnalysisStreamWriter,
  metrics: MetricsSource,
  onFinding: (finding: Finding) => void,
  stop: StopSignal,
): Promise<void> {
  const stream = userStream(args, writer, onFinding);
  const analyzer = liveAnalyzer(args, stream);
  metrics.analyzer = analyzer;
  const clock = new LiveClock();
  // the heap bounds of a capture's analysis (heap-growth.ts): a busy HEP feed turns memory over as a capture does
  boundHeapGrowthForAnalysis();
  const source = await openHepListen(hepListen, args.hepFrom, {
    payload: boundingYoungGeneration((payload) => {
      analyzer.add(payload);
      clock.messageAnalysed();
    }),
    issue: liveIssues(io, metrics),
  });
  stop.onStop(() => source.close());
  io.err(`${hepListeningLine('analyze', source)} (Ctrl-C ends and writes the summary)`);
  clock.start(analyzer);
  try {
    await source.closed;
  } finally {
    clock.stop();
  }
  stream.end(analyzer.finish({ files: 0, packets: source.datagrams, bytes: 0, sipMessages: 0, decodeErrors: metrics.decodeErrors }));
}

/** The analyzer of a live run whose messages come here rather than through streamAnalysis (HEP; a follow stopped at once). */
function liveAnalyzer(args: AnalyzeArguments, stream: ReturnType<typeof userStream>): Analyzer {
  return new Analyzer({ ...windowOptions(args), durationsUser: args.user, sink: stream.sink, live: true });
}

/** HOST:PORT the metrics server is bound to. */
function boundAddress(server: Server): string {
  const address = server.address() as AddressInfo;
  return hostPort(address.address, address.port);
}

async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * The calls of --json read back from their spool at the end, to stdout: written now (a full pipe waited for, not
 * the whole spool queued in memory behind a slow reader) when nothing written before is still queued, else queued
 * after it; answers whether stdout is done with the bytes (the spool may read into them again).
 */
function spooledOut(io: CliIO, bytes: Uint8Array): boolean {
  if (io.outBytesNow && io.outBytesWritten?.()) {
    io.outBytesNow(bytes);
    return true;
  }
  io.outBytes!(bytes);
  return io.outBytesWritten?.() ?? false;
}

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
