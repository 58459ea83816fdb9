/** JUnit and monitoring-plugins forms of a check result, via the shared renderers of src/report. */
import type { CheckResult } from '../client/result.js';
import { checksOf } from '../report/check-json.js';

export function renderCheckJUnit(result: CheckResult): string {
  throw new Error(`JUnit output is not available yet (${checksOf(result).length} checks)`);
}

export function renderCheckMonitoring(result: CheckResult, warnRetrans: number): string {
  throw new Error(`monitoring output is not available yet (${result.method}, ${warnRetrans})`);
}
