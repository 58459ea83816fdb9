/**
 * Human output of `sipscope analyze` and `sipscope calls`: summary, calls table, findings by severity, the
 * revocation timeline and the drain window. Colour comes from the style passed in; without colour every finding
 * still carries its severity as a word.
 */
import type { AnalysisResult, CallSummary, Finding, Revocation } from '../analysis/index.js';
import { formatIntervalUs, formatTimeUs } from '../capture/time-format.js';
import type { TextStyle } from './analysis-style.js';
import { printable } from './printable.js';

/** `12.345 s` from a second on, `0.491 ms` below (formatIntervalUs), or `-` when unknown. */
export function durationText(durationMs: number | undefined): string {
  return durationMs === undefined ? '-' : formatIntervalUs(durationMs * 1000);
}

/**
 * A call's duration in the calls table and `flow`: `≥ 4.016 s` when its INVITE came before the capture or --since
 * (only the part seen is measured), as the HTML report marks it.
 */
export function callDurationText(call: Pick<CallSummary, 'durationMs' | 'startedBeforeCapture'>): string {
  const text = durationText(call.durationMs);
  return call.startedBeforeCapture && call.durationMs !== undefined ? `\u2265 ${text}` : text;
}

const CALL_COLUMNS = ['start', 'duration', 'state', 'from', 'to', 'user', 're-INVITEs', 'Call-ID'] as const;
/** Column of the state, the one coloured. */
const STATE_COLUMN = 2;

/** The cells of one call's row in the calls table (state is the third). */
export function callCells(call: CallSummary): string[] {
  return [
    formatTimeUs(call.startUs),
    callDurationText(call),
    call.state,
    printable(call.from),
    printable(call.to),
    call.username === undefined ? '-' : printable(call.username),
    String(call.reinvites),
    printable(call.callId),
  ];
}

/** Column widths of the calls table: the widest cell of each column, at least its title. */
export class CallsTableWidths {
  readonly widths: number[] = CALL_COLUMNS.map((title) => title.length);

  add(cells: readonly string[]): void {
    for (let column = 0; column < cells.length; column++) if (cells[column].length > this.widths[column]) this.widths[column] = cells[column].length;
  }
}

function tableLine(cells: readonly string[], widths: readonly number[], colour?: (cell: string, column: number) => string): string {
  return cells
    .map((cell, column) => {
      const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column]);
      return colour ? colour(padded, column) : padded;
    })
    .join('  ')
    .trimEnd();
}

export function renderCallsHeader(widths: readonly number[], style: TextStyle): string {
  return style.bold(tableLine(CALL_COLUMNS, widths));
}

/** One row of the calls table from its cells (callCells), state coloured (red: torn-down/failed, yellow: active ...). */
export function renderCallRow(cells: readonly string[], widths: readonly number[], style: TextStyle): string {
  const state = cells[STATE_COLUMN] as CallSummary['state'];
  return tableLine(cells, widths, (cell, column) => (column === STATE_COLUMN ? stateStyle(state, style)(cell) : cell));
}

/** One line per call, columns aligned; state coloured (red: torn-down/failed, yellow: active/cancelled ...). */
export function renderCallsTable(calls: readonly CallSummary[], style: TextStyle): string {
  const rows = calls.map(callCells);
  const widths = new CallsTableWidths();
  for (const row of rows) widths.add(row);
  return [renderCallsHeader(widths.widths, style), ...rows.map((row) => renderCallRow(row, widths.widths, style))].join('\n');
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
    lines.push(revocation.damagedWindowAtLeast
      ? `  a drain window of at least ${durationText(revocation.damagedWindowMs)} would have saved every damaged call (longest start-to-403 time; a damaged call began before ${revocation.damagedWindowSinceUs === undefined ? 'the capture started' : `--since ${formatTimeUs(revocation.damagedWindowSinceUs)}`}: its start is not seen)`
      : `  a drain window of ${durationText(revocation.damagedWindowMs)} would have saved every damaged call (longest start-to-403 time)`);
  }
  return lines.join('\n');
}

export function renderAnalysisText(result: AnalysisResult, style: TextStyle): string {
  return [
    renderAnalysisHead(result, style),
    result.calls.length > 0 ? renderCallsTable(result.calls, style) : '  (none)',
    renderAnalysisTail(result, style),
  ].join('\n');
}

/**
 * The text report up to the calls table: summary and the Calls title. Under --user (`user`) the calls are that
 * user's and the message counts everyone's (a REGISTER or OPTIONS belongs to no call): a line says which is which.
 */
export function renderAnalysisHead(result: Pick<AnalysisResult, 'summary' | 'user'>, style: TextStyle): string {
  const { summary, user } = result;
  const counts = (record: Record<string, number>) => Object.entries(record).map(([name, n]) => `${printable(name)} ${n}`).join(', ') || '-';
  const name = user === undefined ? undefined : printable(user);
  return [
    style.bold('Summary'),
    `  ${summary.files} file(s), ${summary.packets} packets, ${summary.sipMessages} SIP messages${mirrorCopiesText(summary.mirrorCopies)}, ${summary.calls} calls${ofUser(user)}, ${summary.decodeErrors} decode errors`,
    `  requests: ${counts(summary.requests)}`,
    `  responses: ${counts(summary.responses)}`,
    ...(name === undefined ? [] : [`  --user ${name}: calls, findings, revocations and durations are ${name}'s; packets, messages, requests and responses are everyone's`]),
    '',
    style.bold('Calls'),
  ].join('\n');
}

/** What was set aside beside the SIP messages counted (docs/analyze-json.md, summary.mirrorCopies); nothing when none. */
function mirrorCopiesText(copies: number): string {
  if (!copies) return '';
  return ` (${copies} HEP mirror ${copies === 1 ? 'copy' : 'copies'} set aside)`;
}

/** ` of user NAME` under --user, else nothing. */
function ofUser(user: string | undefined): string {
  return user === undefined ? '' : ` of user ${printable(user)}`;
}

/** The text report after the calls table: findings, revocation timeline, durations. */
export function renderAnalysisTail(result: Pick<AnalysisResult, 'findings' | 'revocations' | 'durations' | 'user'>, style: TextStyle): string {
  return renderTail(result.findings.map((finding) => renderFinding(finding, style)), result, style);
}

/** renderAnalysisTail with the findings already rendered (renderFinding), in their order. */
export function renderTail(findingLines: readonly string[], result: Pick<AnalysisResult, 'revocations' | 'durations' | 'user'>, style: TextStyle): string {
  return [renderFindingsTitle(findingLines.length, style), findingLines.length > 0 ? findingLines.join('\n') : '  (none)', renderAfterFindings(result, style)].join('\n');
}

/** The blank line and title before the findings. */
export function renderFindingsTitle(count: number, style: TextStyle): string {
  return `\n${style.bold(`Findings (${count})`)}`;
}

/** What follows the findings: the revocation timeline and the call durations (of the --user's calls under it). */
export function renderAfterFindings(result: Pick<AnalysisResult, 'revocations' | 'durations' | 'user'>, style: TextStyle): string {
  const { durations } = result;
  return [
    '',
    style.bold('Revocation timeline'),
    result.revocations.length > 0 ? result.revocations.map((revocation) => renderRevocation(revocation, style)).join('\n') : '  (no credential was refused after succeeding)',
    '',
    style.bold(`Call durations (${durations.count} calls${ofUser(result.user)} ended with BYE; nearest rank)`),
    durations.count > 0
      ? `  p50 ${durationText(durations.p50Ms)}, p95 ${durationText(durations.p95Ms)}, p99 ${durationText(durations.p99Ms)}, max ${durationText(durations.maxMs)}\n` +
        `  recommended drain window (p99 rule: create new credential, drain, then revoke): ${durationText(durations.drainWindowMs)}`
      : '  (no complete call)',
  ].join('\n');
}
