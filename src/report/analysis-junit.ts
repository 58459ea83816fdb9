/**
 * `sipscope analyze --junit FILE`: one test suite per capture analysis. One test case per call (failed when a
 * finding at or above the fail level names that call) and one per finding kind for findings outside calls
 * (REGISTER, OPTIONS ...). CI shows damaged calls as failed tests with the finding as the message.
 */
import type { AnalysisResult, Finding, Severity } from '../analysis/index.js';
import { formatTimeUs } from '../capture/time-format.js';
import { renderJUnit, type JUnitCase, type JUnitSuite } from './junit.js';

export interface AnalysisJUnitOptions {
  suiteName: string;
  /** Whether a finding fails its test case (the same rule as the exit code). */
  failsOn(finding: Finding): boolean;
}

export function analysisJUnitSuite(result: AnalysisResult, options: AnalysisJUnitOptions): JUnitSuite {
  const cases: JUnitCase[] = result.calls.map((call) => {
    const findings = result.findings.filter((finding) => finding.callId === call.callId);
    return withFindings({ name: `call ${call.callId}`, classname: 'calls', timeMs: call.durationMs }, findings, options);
  });
  const callIds = new Set(result.calls.map((call) => call.callId));
  const outside = result.findings.filter((finding) => finding.callId === undefined || !callIds.has(finding.callId));
  for (const kind of [...new Set(outside.map((finding) => finding.kind))].sort()) {
    cases.push(withFindings({ name: kind, classname: 'findings' }, outside.filter((finding) => finding.kind === kind), options));
  }
  return { name: options.suiteName, cases, timestamp: result.firstTimeUs === undefined ? undefined : formatTimeUs(result.firstTimeUs) };
}

function withFindings(testCase: JUnitCase, findings: Finding[], options: AnalysisJUnitOptions): JUnitCase {
  if (findings.length > 0) testCase.systemOut = findings.map(findingLine).join('\n');
  const failing = findings.filter((finding) => options.failsOn(finding));
  if (failing.length > 0) {
    testCase.failure = { message: failing[0].message, type: failing[0].kind, details: failing.map(findingLine).join('\n') };
  }
  return testCase;
}

function findingLine(finding: Finding): string {
  return `${severityWord(finding.severity)} ${finding.kind} ${formatTimeUs(finding.timeUs)} packets ${finding.packets.join(',')}: ${finding.message}`;
}

function severityWord(severity: Severity): string {
  return severity.toUpperCase();
}

export function renderAnalysisJUnit(result: AnalysisResult, options: AnalysisJUnitOptions): string {
  return renderJUnit([analysisJUnitSuite(result, options)], { name: 'sipscope analyze' });
}
