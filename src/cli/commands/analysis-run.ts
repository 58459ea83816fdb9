/**
 * What analyze, calls, flow, extract and report share: the capture files, --since/--until/--user and --call-id
 * options, and running the analysis with a progress bar on stderr (only when stderr is a terminal and the input is
 * large). An unreadable capture or a bad argument is thrown as a CliError (exit 2, src/cli/exit.ts).
 */
import { boundHeapGrowthForAnalysis, boundingYoungGeneration } from '../heap-growth.js';
import {
  analyzeCaptures,
  callOfUser,
  filterByUser,
  parseIsoMicros,
  type AnalysisResult,
  type AnalysisSink,
  type AnalyzeCapturesOptions,
  type AnalyzerOptions,
  type Finding,
} from '../../analysis/index.js';
import type { DecodeIssue } from '../../capture/types.js';
import type { AnalysisStreamWriter } from '../../report/analysis-stream.js';
import { readThreadPays } from '../../analysis/read-thread/read-thread.js';
import { badArgument, CliError } from '../exit.js';
import type { CliIO } from '../io.js';
import { inInputsRead, namesOf, readInputs } from '../inputs-read.js';
import { issueLine } from '../issue-line.js';
import { printable } from '../../report/printable.js';
import type { ArgumentsOf, OptionTable } from '../option-table.js';

/**
 * Inputs smaller than this finish too fast for a progress bar to help. The environment variable
 * SIPSCOPE_PROGRESS_MIN_BYTES overrides it (tests use it to see the bar on small captures).
 */
export const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;
const BAR_WIDTH = 30;

/** The `<files..>` positional of the capture commands. */
export function captureFiles(describe: string) {
  return { files: { positional: true, type: 'string', array: true, describe } } as const satisfies OptionTable;
}

/** --since, --until and --user: which messages, calls, findings and revocations count. */
export const WINDOW_OPTIONS = {
  since: { type: 'string', describe: 'only messages at or after this ISO 8601 time (e.g. 2026-11-23T22:13:00Z)' },
  until: { type: 'string', describe: 'only messages at or before this ISO 8601 time' },
  user: { type: 'string', describe: "only the calls, findings, revocations and call durations of this username (message counts stay everyone's)" },
} as const satisfies OptionTable;

/**
 * --threads (analyze, calls and flow; on by default): decode and scan capture files of READ_THREAD_MIN_BYTES or more
 * on a second thread (analysis/read-thread/) when the machine runs two threads at once. On an otherwise idle 2-CPU
 * machine it took 15% (SIPp capture) and 26% (1 GB mixed capture) off analyze's wall time, for up to ~15% more CPU in
 * all, and 6-18% and 27-35% off flow's, for 1-22% more; on a machine whose cores are all busy it saves nothing, or
 * costs (bench/README.md, 2026-12-01 16:25 and 17:20 UTC, and evening). `--no-threads` reads in one thread. Read in
 * one thread whatever the machine: extract (it keeps each message's `opening` and `leadIn` frames, which the read
 * thread's payloads do not carry: read-thread.ts), analyze --dataset (DuckDB's threads keep the second core busy:
 * not shorter, 30-50 MB more) and report (shorter by 8-15%, but above 200 MB of memory already in one thread, and
 * 5-40 MB more with the thread).
 */
export const THREADS_OPTION = {
  threads: {
    type: 'boolean',
    default: true,
    describe: 'decode capture files of 32 MiB or more on a second thread while the analysis runs (--no-threads: one thread): less wall time when a second CPU core is idle, more CPU in all',
  },
} as const satisfies OptionTable;

export type WindowArguments = Partial<ArgumentsOf<typeof WINDOW_OPTIONS>> & { threads?: boolean };

/** `--call-id`, the call that flow and extract show or copy. */
export const CALL_ID_OPTION = {
  'call-id': { type: 'string', demandOption: true, describe: 'Call-ID of the call (see `sipscope calls`)' },
} as const satisfies OptionTable;

/**
 * flow and extract: the inputs read hold no message of the Call-ID asked for (an input skipped as unusable is named
 * apart, as not read: inputs-read.ts).
 */
export function noMessageOfCallError(callId: string, files: readonly string[], unusableInputs: readonly string[] | undefined): CliError {
  const where = inInputsRead(files, unusableInputs);
  return new CliError('no-such-call', `no SIP message with Call-ID ${JSON.stringify(callId)} ${where}; list them with: sipscope calls ${namesOf(readInputs(files, unusableInputs))}`);
}

function timeOption(value: string | undefined, name: 'since' | 'until'): number | undefined {
  if (value === undefined) return undefined;
  const timeUs = parseIsoMicros(value);
  if (timeUs === undefined) throw badArgument(`--${name} ${JSON.stringify(value)} is not an ISO 8601 time such as 2026-11-23T22:13:00.5Z`);
  return timeUs;
}

/** Progress on stderr: one line redrawn in place (cursor up + clear line), at most every whole percent. */
function progressBar(io: CliIO, command: string): ((read: number, total: number | undefined) => void) | undefined {
  if (!io.interactive) return undefined;
  const minBytes = bytesFromEnv(io, 'SIPSCOPE_PROGRESS_MIN_BYTES') ?? PROGRESS_MIN_BYTES;
  let shownPercent = -1;
  return (read, total) => {
    if (total === undefined || total < minBytes) return;
    const percent = Math.min(100, Math.floor((read / total) * 100));
    if (percent === shownPercent) return;
    const filled = Math.round((percent / 100) * BAR_WIDTH);
    const line = `${command}: [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent}% of ${(total / 1048576).toFixed(1)} MiB`;
    io.err(shownPercent < 0 ? line : `\x1b[1A\x1b[2K${line}`);
    shownPercent = percent;
  };
}

/**
 * Runs the analysis for a command, every call and finding kept and sorted (none when the caller gives a `sink`, which
 * then sees them as they are known, or `collect: false`); throws CliError for what the user must fix (a capture's code
 * kept).
 */
export async function runAnalysis(
  files: string[],
  window: WindowArguments,
  io: CliIO,
  command: string,
  extra: Pick<AnalyzeCapturesOptions, 'observer' | 'payload' | 'mirrorCopy' | 'sink' | 'collect'> = {},
): Promise<AnalysisResult> {
  const result = await analyzeForCommand(files, window, io, command, extra);
  return window.user === undefined ? result : filterByUser(result, window.user);
}

/**
 * What a streamed run may add: a hook per finding written, the live hooks of analyzeCaptures, and a second reader
 * of the stream (`payload`, `observer`, and `sink` for every call and finding, --user not applied: the dataset).
 */
export interface StreamHooks extends Pick<AnalyzeCapturesOptions, 'started' | 'analysed' | 'payload' | 'observer' | 'live'> {
  onFinding?(finding: Finding): void;
  sink?: AnalysisSink;
  /** Each decoding problem as it happens (a live run reports them at once), instead of the end-of-run report. */
  decodeIssue?(issue: DecodeIssue): void;
}

/**
 * Runs the analysis streaming into `writer` (calls and findings as they are known, --user applied), then ends
 * the writer; returns the end of the analysis (summary counting the calls written, revocations, statistics).
 */
export async function streamAnalysis(
  files: string[],
  window: WindowArguments,
  io: CliIO,
  command: string,
  writer: AnalysisStreamWriter,
  hooks: StreamHooks = {},
): Promise<AnalysisResult> {
  const stream = userStream(window, writer, hooks.onFinding);
  const extra = hooks.sink;
  const sink: AnalysisSink = extra
    ? {
        call(call) {
          stream.sink.call?.(call);
          extra.call?.(call);
        },
        finding(finding) {
          stream.sink.finding?.(finding);
          extra.finding?.(finding);
        },
      }
    : stream.sink;
  const result = await analyzeForCommand(
    files,
    window,
    io,
    command,
    { sink, started: hooks.started, analysed: hooks.analysed, payload: hooks.payload, observer: hooks.observer, live: hooks.live },
    hooks.decodeIssue,
  );
  return stream.end(result);
}

/**
 * The sink that applies --user (callOfUser, the findings attributed to the user) and counts the calls written;
 * end() completes the writer with the result, narrowed and marked as filterByUser does (the durations came from
 * the analysis already narrowed: AnalyzerOptions.durationsUser).
 */
export function userStream(
  window: WindowArguments,
  writer: AnalysisStreamWriter,
  onFinding: (finding: Finding) => void = () => {},
): { sink: AnalysisSink; end(result: AnalysisResult): AnalysisResult } {
  const user = window.user;
  let calls = 0;
  return {
    sink: {
      call(call) {
        if (user !== undefined && !callOfUser(call, user)) return;
        calls++;
        writer.call(call);
      },
      finding(finding) {
        if (user !== undefined && finding.username !== user) return;
        onFinding(finding);
        writer.finding(finding);
      },
    },
    end(result) {
      const end = {
        ...result,
        user,
        summary: { ...result.summary, calls },
        revocations: user === undefined ? result.revocations : result.revocations.filter((revocation) => revocation.username === user),
      };
      writer.end(end);
      return end;
    },
  };
}

/** --since / --until as microseconds, checked. */
export function windowOptions(window: WindowArguments): { sinceUs?: number; untilUs?: number } {
  const sinceUs = timeOption(window.since, 'since');
  const untilUs = timeOption(window.until, 'until');
  if (sinceUs !== undefined && untilUs !== undefined && untilUs < sinceUs) throw badArgument('--until is before --since');
  return { sinceUs, untilUs };
}

/**
 * A size in bytes from the environment variable `name` when it is set to a number, else undefined: tests lower
 * PROGRESS_MIN_BYTES (SIPSCOPE_PROGRESS_MIN_BYTES) and READ_THREAD_MIN_BYTES (SIPSCOPE_READ_THREAD_MIN_BYTES) so that
 * small captures show the bar or take the read thread.
 */
function bytesFromEnv(io: CliIO, name: string): number | undefined {
  const value = io.env[name];
  const bytes = Number(value);
  return value !== undefined && Number.isFinite(bytes) ? bytes : undefined;
}

async function analyzeForCommand(
  files: string[],
  window: WindowArguments,
  io: CliIO,
  command: string,
  extra: Pick<AnalyzeCapturesOptions, 'observer' | 'payload' | 'mirrorCopy' | 'sink' | 'collect' | 'started' | 'analysed' | 'live'>,
  eachIssue?: (issue: DecodeIssue) => void,
): Promise<AnalysisResult> {
  const { sinceUs, untilUs } = windowOptions(window);
  boundHeapGrowthForAnalysis();
  // a second thread only for files (readThreadPays), never for a live source, and only for a command that has
  // --threads: its hooks read nothing the read thread's payloads leave out (analyze.ts readThread)
  const threaded = window.threads === true && !extra.live && readThreadPays(files, bytesFromEnv(io, 'SIPSCOPE_READ_THREAD_MIN_BYTES'));
  const decodeIssues: DecodeIssue[] = [];
  let decodeIssueCount = 0;
  // a CaptureError or AnalysisError goes on up: src/cli/index.ts shows it as a CliError with the same code
  const result = await analyzeCaptures(files, {
    sinceUs,
    untilUs,
    durationsUser: window.user,
    decode: { stdin: io.stdin },
    progress: progressBar(io, command),
    decodeIssue: (issue) => {
      if (eachIssue) return eachIssue(issue);
      decodeIssueCount++;
      // an input not read at all is always named (it comes before any packet's issue)
      if (decodeIssues.length < MAX_ISSUES_SHOWN || issue.unusableInput) decodeIssues.push(issue);
    },
    ...extra,
    payload: boundingYoungGeneration(extra.payload),
    readThread: threaded ? {} : undefined,
  });
  reportIssues(io, command, result, decodeIssues, decodeIssueCount);
  return result;
}

const MAX_ISSUES_SHOWN = 5;

/** The analysis's limits (analyzer.ts limitIssues): said whenever reached. */
const LIMIT_ISSUES = new Set(['call-limit', 'transaction-limit']);

/** Decoding problems and analysis limits go to stderr: the data is still reported, but the user should know. */
function reportIssues(io: CliIO, command: string, result: AnalysisResult, decodeIssues: DecodeIssue[], decodeIssueCount: number): void {
  for (const issue of decodeIssues) io.err(issueLine(command, issue));
  if (decodeIssueCount > decodeIssues.length) {
    io.err(`sipscope ${command}: ${decodeIssueCount} decode errors in all; first ${decodeIssues.length} shown (sipscope decode lists them)`);
  }
  // the messages the analysis could not use: the first few, and how many in all (summary.decodeErrors counts them
  // with the decoding's); the limits it reached: always, whatever came before them
  const unusable = result.issues.filter((issue) => !LIMIT_ISSUES.has(issue.code));
  for (const issue of [...unusable.slice(0, MAX_ISSUES_SHOWN), ...result.issues.filter((issue) => LIMIT_ISSUES.has(issue.code))]) {
    io.err(`sipscope ${command}: ${issue.file ? `${printable(issue.file)}${issue.packetNumber !== undefined ? ` packet ${issue.packetNumber}` : ''}: ` : ''}${issue.code}: ${printable(issue.message)}`);
  }
  const unusableCount = result.summary.decodeErrors - decodeIssueCount;
  const unusableShown = Math.min(unusable.length, MAX_ISSUES_SHOWN);
  if (unusableCount > unusableShown && unusableShown > 0) {
    io.err(`sipscope ${command}: ${unusableCount} messages could not be analysed in all; first ${unusableShown} shown`);
  }
}
