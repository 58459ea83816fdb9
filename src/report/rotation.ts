/**
 * The report of a rotation step (`sipscope rotate check|drain|verify|watch`) as text, JSON and JUnit. Every step
 * writes the same JSON shape: step, ok, summary, verdicts, timings, the probes (one REGISTER each, with its
 * answer and RTT) and, per step, the drain or revocation details. No password reaches any of them: a probe holds
 * the register check result, which carries usernames and statuses only.
 */
import type { ChalkInstance } from 'chalk';
import type { CredentialProbe } from '../client/rotation/probe.js';
import type { GateVerdict, RotationReport } from '../client/rotation/gate.js';
import { renderJUnit, type JUnitCase } from './junit.js';
import { printable } from './printable.js';

export interface RotationJson {
  step: RotationReport['step'];
  ok: boolean;
  summary: string;
  verdicts: GateVerdict[];
  startedAt: string;
  elapsedMs: number;
  propagationDelayMs: number | null;
  probes: ProbeJson[];
  drain: RotationReport['drain'] | null;
  calls: RotationReport['calls'] | null;
  revocation: { command: string; exitCode: number | null; output: string; at: string } | null;
}

export interface ProbeJson {
  role: CredentialProbe['role'];
  user: string;
  state: CredentialProbe['state'];
  status: number | null;
  reason: string | null;
  detail: string;
  at: string;
  rttMs: number | null;
  /** Whether the probe's own binding was removed again (null: nothing to remove). */
  unregistered: boolean | null;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function probeJson(probe: CredentialProbe): ProbeJson {
  return {
    role: probe.role, user: probe.user, state: probe.state, status: probe.status ?? null, reason: probe.reason ?? null,
    detail: probe.detail, at: iso(probe.startedAt), rttMs: probe.rttMs === undefined ? null : Math.round(probe.rttMs * 1000) / 1000,
    unregistered: probe.unregister ? probe.unregister.ok : null,
  };
}

export function rotationJson(report: RotationReport): RotationJson {
  return {
    step: report.step, ok: report.ok, summary: report.summary, verdicts: report.verdicts, startedAt: iso(report.startedAt),
    elapsedMs: report.elapsedMs, propagationDelayMs: report.propagationDelayMs ?? null, probes: report.probes.map(probeJson),
    drain: report.drain ?? null,
    calls: report.calls ?? null,
    revocation: report.revocation ? { ...report.revocation, at: iso(report.revocation.at) } : null,
  };
}

const MARK = { pass: 'ok', fail: 'FAIL', unreachable: 'NO ANSWER', 'local-error': 'LOCAL ERROR' } as const;

export function renderRotationText(report: RotationReport, style: ChalkInstance): string {
  const lines: string[] = [];
  const headline = `rotate ${report.step}: ${printable(report.summary)}`;
  lines.push(report.ok ? style.green(headline) : style.red.bold(headline));
  for (const verdict of report.verdicts) {
    const mark = MARK[verdict.outcome];
    lines.push(`  [${verdict.outcome === 'pass' ? style.green(mark) : style.red(mark)}] ${printable(verdict.message)}`);
  }
  for (const probe of report.probes) {
    const rtt = probe.rttMs === undefined ? '' : `, ${probe.rttMs.toFixed(1)} ms`;
    const cleanup = probe.unregister ? (probe.unregister.ok ? ', binding removed' : ', binding NOT removed') : '';
    lines.push(`  ${iso(probe.startedAt)} ${probe.role} ${printable(probe.user)}: ${probe.state} (${printable(probe.detail)}${rtt}${cleanup})`);
  }
  for (const call of report.calls ?? []) {
    lines.push(`  test call, ${call.role} ${printable(call.user)}: ${call.ok ? 'ok' : 'FAILED'} (${printable(call.detail)})`);
  }
  if (report.propagationDelayMs !== undefined) {
    lines.push(`  propagation delay: the old credential still registered for ${(report.propagationDelayMs / 1000).toFixed(1)} s after the first poll`);
  }
  if (report.drain) {
    const drain = report.drain;
    const calls = drain.peakActiveCalls === undefined ? 'no live source' : `peak ${drain.peakActiveCalls} call(s) of the old credential, ${drain.activeCallsAtEnd} at the end, ${drain.sourceMessages} SIP messages seen`;
    lines.push(`  drain: window ${(drain.windowMs / 1000).toFixed(1)} s (${printable(drain.windowSource)}), ${calls}, ${drain.rechecks} re-check(s) of the new credential, stopped: ${drain.stoppedBecause}`);
  }
  if (report.revocation) {
    lines.push(`  revocation command exited ${report.revocation.exitCode ?? 'by signal'} at ${iso(report.revocation.at)}`);
    if (report.revocation.output.trim()) lines.push(...report.revocation.output.trimEnd().split('\n').map((line) => `    | ${printable(line)}`));
  }
  lines.push(`  elapsed ${(report.elapsedMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

/** One test case per verdict, in one suite per step. */
export function renderRotationJUnit(reports: readonly RotationReport[]): string {
  return renderJUnit(reports.map((report) => ({
    name: `sipscope rotate ${report.step}`,
    timestamp: iso(report.startedAt),
    cases: report.verdicts.map((verdict): JUnitCase => {
      const testCase: JUnitCase = { name: verdict.name, classname: `rotate.${report.step}`, timeMs: report.elapsedMs };
      if (verdict.outcome === 'fail') testCase.failure = { message: verdict.message, type: 'rotation' };
      if (verdict.outcome === 'unreachable' || verdict.outcome === 'local-error') testCase.error = { message: verdict.message, type: verdict.outcome };
      return testCase;
    }),
  })), { name: 'sipscope rotate' });
}
