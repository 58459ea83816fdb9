/** JUnit and monitoring-plugins forms of a check result, through the shared renderers of src/report. */
import type { CheckResult } from '../client/result.js';
import { checksOf } from '../report/check-json.js';
import { renderJUnit, type JUnitCase } from '../report/junit.js';
import { renderMonitoringLine, type PerfDatum } from '../report/monitoring.js';
import { failureSummary, handshakeClause, retransmissionsClause, tokenPerfdata } from '../report/monitoring-summary.js';
import { monitoringStateOf, type MonitoringThresholds } from './exit.js';

/** One test case per check: reachable, authenticated, registered / options-answered. */
export function renderCheckJUnit(result: CheckResult, target: string): string {
  const suite = `sipscope ${result.method.toLowerCase()} ${target}`;
  const cases = checksOf(result).map((check): JUnitCase => {
    const testCase: JUnitCase = { name: check.name, classname: suite, timeMs: check.timeMs, systemOut: check.message };
    if (check.outcome === 'failed') testCase.failure = { message: check.message, type: result.error?.code ?? `status-${result.status ?? 'none'}` };
    if (check.outcome === 'skipped') testCase.skipped = check.message;
    return testCase;
  });
  return renderJUnit([{ name: suite, cases, timestamp: new Date().toISOString() }], { name: 'sipscope' });
}

/** `SIP OK - 200 OK for REGISTER sip:... in 2.1ms, realm "x" MD5 | rtt=2.1ms;;;0 retransmissions=0;1;;0 transactions=2;;;0` */
export function renderCheckMonitoring(result: CheckResult, thresholds: MonitoringThresholds, target: string): string {
  const state = monitoringStateOf(result, thresholds);
  const rtt = result.rttMs === undefined ? '' : ` in ${result.rttMs.toFixed(1)}ms`;
  let summary = result.error
    ? failureSummary(`${result.method} ${target}`, result.error)
    : `${result.status} ${result.reason ?? ''} for ${result.method} ${target}${rtt}`;
  if (!result.error && result.realm !== undefined) summary += `, realm "${result.realm}" ${result.algorithm}`;
  summary += retransmissionsClause(result);
  if (result.authProblem) summary += ` (${result.authProblem})`;
  if (result.removal) {
    summary += result.removal.ok
      ? `, own binding removed (${result.removal.bindings.length} left)`
      : `, own binding NOT removed: ${result.removal.error ? result.removal.error.code : `${result.removal.status} ${result.removal.reason ?? ''}`.trim()}`;
  }
  if (state !== 'OK' && !result.error && result.ok && result.rttMs !== undefined) {
    if (thresholds.critRttMs !== undefined && result.rttMs > thresholds.critRttMs) summary += `, RTT above ${thresholds.critRttMs}ms`;
    else if (thresholds.warnRttMs !== undefined && result.rttMs > thresholds.warnRttMs) summary += `, RTT above ${thresholds.warnRttMs}ms`;
  }
  summary += handshakeClause(result.handshake);
  // guidelines "Performance data": value with its unit, then warn;crit (in the value's unit);min;max
  const perfdata: PerfDatum[] = [
    { label: 'rtt', value: result.rttMs ?? Number.NaN, uom: 'ms', warn: thresholds.warnRttMs, crit: thresholds.critRttMs, min: 0 },
    { label: 'retransmissions', value: result.retransmissions, warn: thresholds.warnRetrans, min: 0 },
    { label: 'transactions', value: result.transactions.length, min: 0 },
  ];
  if (result.removal?.rttMs !== undefined) perfdata.push({ label: 'removal_rtt', value: result.removal.rttMs, uom: 'ms', min: 0 });
  perfdata.push(...tokenPerfdata(result.handshake, thresholds.warnTokenS));
  return renderMonitoringLine({ service: 'SIP', state, summary, perfdata });
}
