/**
 * What analyze, calls, flow and extract share: the --since/--until/--user and --call-id options, running the analysis with a
 * progress bar on stderr (only when stderr is a terminal and the input is large), and mapping local errors
 * (unreadable capture, bad argument) to exit code 2.
 */
import type { Argv } from 'yargs';
import { analyzeCaptures, AnalysisError, filterByUser, parseIsoMicros, type AnalysisResult, type AnalyzerOptions } from '../../analysis/index.js';
import { CaptureError } from '../../capture/errors.js';
import type { DecodeIssue } from '../../capture/types.js';
import type { CliIO } from '../io.js';
import { printable } from '../../report/printable.js';

/**
 * Inputs smaller than this finish too fast for a progress bar to help. The environment variable
 * SIPSCOPE_PROGRESS_MIN_BYTES overrides it (tests use it to see the bar on small captures).
 */
export const PROGRESS_MIN_BYTES = 16 * 1024 * 1024;
const BAR_WIDTH = 30;

/** A problem the user can fix (bad argument, unreadable file): the command prints it and exits 2. */
export class LocalError extends Error {}

export function withWindowOptions(yargs: Argv): Argv {
  return yargs
    .option('since', { type: 'string', describe: 'only messages at or after this ISO 8601 time (e.g. 2026-11-23T22:13:00Z)' })
    .option('until', { type: 'string', describe: 'only messages at or before this ISO 8601 time' })
    .option('user', { type: 'string', describe: 'only calls, findings and revocations of this username' });
}

/** `--call-id`, the call that flow and extract show or copy. */
export function withCallIdOption(yargs: Argv): Argv {
  return yargs.option('call-id', { type: 'string', demandOption: true, describe: 'Call-ID of the call (see `sipscope calls`)' });
}

/** flow and extract: the capture holds no message of the Call-ID asked for. */
export function noMessageOfCallError(callId: string, file: string): LocalError {
  return new LocalError(`no SIP message with Call-ID ${JSON.stringify(callId)} in ${file} (list them with: sipscope calls ${file})`);
}

function timeOption(argv: Record<string, unknown>, name: 'since' | 'until'): number | undefined {
  const value = argv[name];
  if (value === undefined) return undefined;
  const timeUs = parseIsoMicros(String(value));
  if (timeUs === undefined) throw new LocalError(`--${name} ${JSON.stringify(value)} is not an ISO 8601 time such as 2026-11-23T22:13:00.5Z`);
  return timeUs;
}

/** Progress on stderr: one line redrawn in place (cursor up + clear line), at most every whole percent. */
function progressBar(io: CliIO, command: string): ((read: number, total: number | undefined) => void) | undefined {
  if (!io.interactive) return undefined;
  const override = Number(io.env.SIPSCOPE_PROGRESS_MIN_BYTES);
  const minBytes = io.env.SIPSCOPE_PROGRESS_MIN_BYTES !== undefined && Number.isFinite(override) ? override : PROGRESS_MIN_BYTES;
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

/** Runs the analysis for a command; throws LocalError for what the user must fix. */
export async function runAnalysis(
  files: string[],
  argv: Record<string, unknown>,
  io: CliIO,
  command: string,
  extra: Pick<AnalyzerOptions, 'observer'> = {},
): Promise<AnalysisResult> {
  const sinceUs = timeOption(argv, 'since');
  const untilUs = timeOption(argv, 'until');
  if (sinceUs !== undefined && untilUs !== undefined && untilUs < sinceUs) throw new LocalError('--until is before --since');
  let result: AnalysisResult;
  const decodeIssues: DecodeIssue[] = [];
  try {
    result = await analyzeCaptures(files, {
      sinceUs,
      untilUs,
      decode: { stdin: io.stdin },
      progress: progressBar(io, command),
      decodeIssue: (issue) => {
        if (decodeIssues.length < MAX_ISSUES_SHOWN) decodeIssues.push(issue);
      },
      ...extra,
    });
  } catch (error) {
    if (error instanceof CaptureError || error instanceof AnalysisError) throw new LocalError(error.message);
    throw error;
  }
  reportIssues(io, command, result, decodeIssues);
  const user = argv.user === undefined ? undefined : String(argv.user);
  return user === undefined ? result : filterByUser(result, user);
}

const MAX_ISSUES_SHOWN = 5;

/** Decoding problems and analysis limits go to stderr: the data is still reported, but the user should know. */
function reportIssues(io: CliIO, command: string, result: AnalysisResult, decodeIssues: DecodeIssue[]): void {
  for (const issue of decodeIssues) {
    const where = [issue.file, issue.packetNumber !== undefined ? `packet ${issue.packetNumber}` : undefined, issue.offset !== undefined ? `offset ${issue.offset}` : undefined];
    io.err(`sipscope ${command}: ${printable(where.filter(Boolean).join(', '))}: ${issue.code}: ${printable(issue.message)}`);
  }
  if (result.summary.decodeErrors > decodeIssues.length && decodeIssues.length > 0) {
    io.err(`sipscope ${command}: ${result.summary.decodeErrors} decode errors in all; first ${decodeIssues.length} shown (sipscope decode lists them)`);
  }
  for (const issue of result.issues.slice(0, MAX_ISSUES_SHOWN)) {
    io.err(`sipscope ${command}: ${issue.file ? `${printable(issue.file)}${issue.packetNumber !== undefined ? ` packet ${issue.packetNumber}` : ''}: ` : ''}${issue.code}: ${printable(issue.message)}`);
  }
}

/** Runs a command body, turning LocalError into a message and exit code 2. */
export async function localErrorsExit2(io: CliIO, command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof LocalError || error instanceof AnalysisError) {
      io.err(`sipscope ${command}: ${printable(error.message)}`);
      return 2;
    }
    throw error;
  }
}
