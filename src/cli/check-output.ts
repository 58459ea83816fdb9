/** Printing a register/options result in the chosen form (text, --json, --nagios, --junit file) and its exit code. */
import { writeFile } from 'node:fs/promises';
import type { CheckResult } from '../client/result.js';
import { checkJson } from '../report/check-json.js';
import { renderCheckText } from '../report/check-text.js';
import { renderCheckJUnit, renderCheckMonitoring } from './check-report.js';
import { exitCodeOf, NAGIOS, EXIT, thresholdsOf } from './check-options.js';
import type { CliIO } from './io.js';
import { withoutPassword } from '../client/target.js';

export async function emitCheckResult(result: CheckResult, argv: Record<string, unknown>, io: CliIO): Promise<number> {
  const nagios = argv.nagios === true;
  const thresholds = thresholdsOf(argv);
  if (typeof argv.junit === 'string') {
    try {
      await writeFile(argv.junit, renderCheckJUnit(result, withoutPassword(String(argv.uri))));
    } catch (error) {
      io.err(`sipscope: --junit ${argv.junit}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return nagios ? NAGIOS.unknown : EXIT.local;
    }
  }
  if (argv.json === true) io.out(JSON.stringify(checkJson(result), null, 2));
  else if (nagios) io.out(renderCheckMonitoring(result, thresholds, withoutPassword(String(argv.uri))));
  else io.out(renderCheckText(result, io.style));
  return exitCodeOf(result, nagios, thresholds);
}

/** A local error before the check could run (bad arguments, password source): exit 2 (UNKNOWN with --nagios). */
export function emitLocalError(code: string, message: string, argv: Record<string, unknown>, io: CliIO): number {
  const nagios = argv.nagios === true;
  if (argv.json === true) {
    io.out(JSON.stringify({ ok: false, status: null, reason: null, realm: null, algorithm: null, qop: null, rttMs: null,
      retransmissions: 0, transactions: [], bindings: [], target: null, checks: [], error: { code, message } }, null, 2));
  } else if (nagios) {
    io.out(`SIP UNKNOWN - ${message}`);
  } else {
    io.err(`sipscope: ${message}`);
  }
  return nagios ? NAGIOS.unknown : EXIT.local;
}
