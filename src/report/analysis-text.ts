/**
 * Human output of `sipscope analyze` and `sipscope calls`: summary, calls table, findings by severity, the
 * revocation timeline and the drain window. Colour comes from the style passed in; without colour every finding
 * still carries its severity as a word.
 */
import type { AnalysisResult, CallSummary, Finding, Revocation } from '../analysis/index.js';
import { formatTimeUs } from '../capture/time-format.js';
import type { TextStyle } from './analysis-style.js';
import { printable } from './printable.js';

/** `12.345 s`, or `-` when unknown. */
export function durationText(durationMs: number | undefined): string {
  return durationMs === undefined ? '-' : `${(durationMs / 1000).toFixed(3)} s`;
}

const CALL_COLUMNS = ['start', 'duration', 'state', 'from', 'to', 'user', 're-INVITEs', 'Call-ID'] as const;

/** One line per call, columns aligned; state coloured (red: torn-down/failed, yellow: active/cancelled ...). */
export function renderCallsTable(calls: readonly CallSummary[], style: TextStyle): string {
  const rows = calls.map((call) => [
    formatTimeUs(call.startUs),
    durationText(call.durationMs),
    call.state,
    printable(call.from),
    printable(call.to),
    call.username === undefined ? '-' : printable(call.username),
    String(call.reinvites),
    printable(call.callId),
  ]);
  const widths = CALL_COLUMNS.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[], colour?: (cell: string, column: number) => string) =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column]);
        return colour ? colour(padded, column) : padded;
      })
      .join('  ')
      .trimEnd();
  const header = style.bold(line(CALL_COLUMNS));
  const body = rows.map((row, index) => line(row, (cell, column) => (column === 2 ? stateStyle(calls[index].state, style)(cell) : cell)));
  return [header, ...body].join('\n');
}

function stateStyle(state: CallSummary['state'], style: TextStyle): (text: string) => string {
  if (state === 'torn-down' || state === 'failed') return style.red;
  if (state === 'active' || state === 'cancelled' || state === 'attempted' || state === 'ringing') return style.yellow;
  return style.green;
}

function severityLabel(finding: Finding, style: TextStyle): string {
  const label = finding.severity.toUpperCase().padEnd(7);
  return finding.severity === 'error' ? style.red(style.bold(label)) : finding.severity === 'warning' ? style.yellow(label) : style.dim(label);
}

export function renderFinding(finding: Finding, style: TextStyle): string {
  const where = [finding.callId ? `Call-ID ${printable(finding.callId)}` : undefined, finding.username ? `user ${printable(finding.username)}` : undefined]
    .filter(Boolean)
    .join(', ');
  return [
    `${severityLabel(finding, style)} ${style.bold(finding.kind)}  ${formatTimeUs(finding.timeUs)}`,
    `        ${printable(finding.message)}`,
    `        ${where ? `${where}; ` : ''}packets ${finding.packets.join(', ')}`,
  ].join('\n');
}

function renderRevocation(revocation: Revocation, style: TextStyle): string {
  const lines = [
    `${style.bold(printable(revocation.username))}: last success ${formatTimeUs(revocation.lastSuccessUs)}, first 403 ${style.red(formatTimeUs(revocation.firstForbiddenUs))}`,
    `  calls up at that moment (${revocation.activeCalls.length}): ${revocation.activeCalls.map(printable).join(', ') || '-'}`,
    `  calls damaged (${revocation.damagedCalls.length}): ${revocation.damagedCalls.map(printable).join(', ') || '-'}`,
  ];
  if (revocation.damagedWindowMs !== undefined) {
    lines.push(`  a drain window of ${durationText(revocation.damagedWindowMs)} would have saved every damaged call (longest start-to-403 time)`);
  }
  return lines.join('\n');
}

export function renderAnalysisText(result: AnalysisResult, style: TextStyle): string {
  const { summary, durations } = result;
  const counts = (record: Record<string, number>) => Object.entries(record).map(([name, n]) => `${printable(name)} ${n}`).join(', ') || '-';
  const sections = [
    style.bold('Summary'),
    `  ${summary.files} file(s), ${summary.packets} packets, ${summary.sipMessages} SIP messages, ${summary.calls} calls, ${summary.decodeErrors} decode errors`,
    `  requests: ${counts(summary.requests)}`,
    `  responses: ${counts(summary.responses)}`,
    '',
    style.bold('Calls'),
    result.calls.length > 0 ? renderCallsTable(result.calls, style) : '  (none)',
    '',
    style.bold(`Findings (${result.findings.length})`),
    result.findings.length > 0 ? result.findings.map((finding) => renderFinding(finding, style)).join('\n') : '  (none)',
    '',
    style.bold('Revocation timeline'),
    result.revocations.length > 0 ? result.revocations.map((revocation) => renderRevocation(revocation, style)).join('\n') : '  (no credential was refused after succeeding)',
    '',
    style.bold(`Call durations (${durations.count} calls ended with BYE; nearest rank)`),
    durations.count > 0
      ? `  p50 ${durationText(durations.p50Ms)}, p95 ${durationText(durations.p95Ms)}, p99 ${durationText(durations.p99Ms)}, max ${durationText(durations.maxMs)}\n` +
        `  recommended drain window (p99 rule: create new credential, drain, then revoke): ${durationText(durations.drainWindowMs)}`
      : '  (no complete call)',
  ];
  return sections.join('\n');
}
