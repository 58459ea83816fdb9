/** Printing a register/options result in the chosen form (text, --json, --nagios, --junit file) and its exit code. */
import { writeFile } from 'node:fs/promises';
import type { CheckResult } from '../client/result.js';
import { checkJson, localErrorCheckJson } from '../report/check-json.js';
import { renderCheckText } from '../report/check-text.js';
import { sanitiseSummary } from '../report/monitoring.js';
import { printable } from '../report/printable.js';
import { renderCheckJUnit, renderCheckMonitoring } from './check-report.js';
import { thresholdsOf, type CheckArguments } from './check-options.js';
import { checkExitCode, checkLocalErrorExitCode, type CliError } from './exit.js';
import type { CliIO } from './io.js';
import { withoutPassword } from '../client/target.js';

export async function emitCheckResult(result: CheckResult, args: CheckArguments, io: CliIO): Promise<number> {
  if (args.junit !== undefined) {
    try {
      await writeFile(args.junit, renderCheckJUnit(result, withoutPassword(args.uri)));
    } catch (error) {
      return reportUnwritableJUnit(args.junit, error, args, io);
    }
  }
  const thresholds = thresholdsOf(args);
  if (args.json) io.out(JSON.stringify(checkJson(result), null, 2));
  else if (args.nagios) io.out(renderCheckMonitoring(result, thresholds, withoutPassword(args.uri)));
  else io.out(renderCheckText(result, io.style));
  return checkExitCode(result, args.nagios, thresholds);
}

/**
 * A local error before the check could run (bad argument, password source), in the output form asked for: the
 * JSON object with `error`, an UNKNOWN monitoring line, or a message on stderr. Exit 2 (UNKNOWN with --nagios).
 */
export function reportCheckError(error: CliError, args: Pick<CheckArguments, 'json' | 'nagios'>, io: CliIO): number {
  if (args.json) io.out(JSON.stringify(localErrorCheckJson(error), null, 2));
  else if (args.nagios) io.out(`SIP UNKNOWN - ${sanitiseSummary(error.message)}`);
  else io.err(`sipscope: ${printable(error.message)}`);
  return checkLocalErrorExitCode(args.nagios);
}

/**
 * The --junit file could not be written: a local error, exit 2 (UNKNOWN with --nagios). With --nagios it is said in
 * the monitoring line on stdout (the guidelines' "Plugin Output": a plugin always prints its line; stdout was
 * empty), else on stderr.
 */
export function reportUnwritableJUnit(path: string, error: unknown, args: Pick<CheckArguments, 'nagios'>, io: CliIO): number {
  const message = `--junit ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  if (args.nagios) io.out(`SIP UNKNOWN - ${sanitiseSummary(message)}`);
  else io.err(`sipscope: ${printable(message)}`);
  return checkLocalErrorExitCode(args.nagios);
}
