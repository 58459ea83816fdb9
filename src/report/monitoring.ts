/**
 * The one-line output of a monitoring plugin (Nagios, Icinga, Naemon, Shinken), per the Monitoring Plugins
 * Development Guidelines (https://www.monitoring-plugins.org/doc/guidelines.html): one line of text, then after "|"
 * performance data `'label'=value[UOM];[warn];[crit];[min];[max]` separated by spaces (section "Performance data");
 * the process exit code carries the state (section "Plugin Return Codes": 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 * The guidelines suggest "SERVICE STATUS: Information text" and say that form is no requirement of the API (the
 * state is the exit code's); the text is "SERVICE STATUS - summary" as Monitoring::Plugin's plugin_exit writes it
 * (and check_ping, check_tcp), which existing users of these lines match. Only src/cli prints the line and exits.
 */
import { printable } from './printable.js';

export type MonitoringState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** Guidelines, "Plugin Return Codes": the exit code of each state. */
export const MONITORING_EXIT_CODES: Readonly<Record<MonitoringState, 0 | 1 | 2 | 3>> = {
  OK: 0,
  WARNING: 1,
  CRITICAL: 2,
  UNKNOWN: 3,
};

export interface PerfDatum {
  label: string;
  /** Numeric value; a non-finite one is written "U" (undetermined, guidelines "Performance data"). */
  value: number;
  /** Unit: none, s/ms/us, %, B/KB/MB/TB, c (guidelines "Performance data"). */
  uom?: '' | 's' | 'ms' | 'us' | '%' | 'B' | 'KB' | 'MB' | 'TB' | 'c';
  /** Threshold ranges (guidelines "Threshold and ranges"), e.g. 1, "10:", "~:5", "@1:3"; a number n is the range 0..n. */
  warn?: number | string;
  crit?: number | string;
  min?: number;
  max?: number;
}

export interface MonitoringResult {
  service: string;
  state: MonitoringState;
  summary: string;
  perfdata: readonly PerfDatum[];
}

/** A value that cannot be written in the plugin format. */
export class MonitoringFormatError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'MonitoringFormatError';
    this.code = code;
  }
}

const RANGE = /^@?(?:~|-?\d+(?:\.\d+)?)?(?::(?:-?\d+(?:\.\d+)?)?)?$/;

/** A number in the C locale without exponent, at most 3 decimals (guidelines "Performance data": "-0123456789." only). */
export function formatPerfNumber(value: number): string {
  if (!Number.isFinite(value)) return 'U';
  if (Math.abs(value) >= 1e21) return BigInt(Math.round(value)).toString();
  const fixed = value.toFixed(3).replace(/\.?0+$/, '');
  return fixed === '-0' ? '0' : fixed;
}

function formatThreshold(threshold: number | string | undefined, label: string): string {
  if (threshold === undefined) return '';
  if (typeof threshold === 'number') return formatPerfNumber(threshold);
  if (threshold === '' || !RANGE.test(threshold)) {
    throw new MonitoringFormatError('monitoring-bad-range', `threshold "${threshold}" of "${label}" is not a range like 10, 10:, ~:10, 10:20 or @10:20`);
  }
  return threshold;
}

/**
 * Guidelines "Performance data": a label "can contain any characters except the equals sign or single quote", is
 * quoted when it holds spaces, and a quote is written as two single quotes. An "=" would end the label for every
 * reader (Monitoring::Plugin::Performance, Icinga), so it becomes "_"; "|" and line breaks become spaces.
 */
export function formatPerfLabel(label: string): string {
  const clean = label.replace(/[\r\n|]/g, ' ').replace(/=/g, '_');
  if (clean === '') throw new MonitoringFormatError('monitoring-empty-label', 'performance data label is empty');
  return /[\s='"]/.test(clean) ? `'${clean.replace(/'/g, "''")}'` : clean;
}

export function formatPerfDatum(datum: PerfDatum): string {
  const fields = [
    `${formatPerfNumber(datum.value)}${Number.isFinite(datum.value) ? (datum.uom ?? '') : ''}`,
    formatThreshold(datum.warn, datum.label),
    formatThreshold(datum.crit, datum.label),
    datum.min === undefined ? '' : formatPerfNumber(datum.min),
    datum.max === undefined ? '' : formatPerfNumber(datum.max),
  ];
  while (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  return `${formatPerfLabel(datum.label)}=${fields.join(';')}`;
}

/**
 * The summary on one line: newlines become spaces, "|" (the perfdata separator) becomes "/", and the other
 * controls are escaped by printable() (a monitoring line is shown on dashboards and terminals too).
 */
export function sanitiseSummary(summary: string): string {
  return printable(summary.replace(/\|/g, '/').replace(/\s*[\r\n]+\s*/g, ' ').trim());
}

/** `SIP OK - 200 OK from sip:alice@127.0.0.1 in 12.3ms | rtt=12.3ms;;;0 retrans=0;1;;0` (no newline). */
export function renderMonitoringLine(result: MonitoringResult): string {
  const service = sanitiseSummary(result.service).toUpperCase();
  const head = `${service} ${result.state} - ${sanitiseSummary(result.summary)}`;
  if (result.perfdata.length === 0) return head;
  return `${head} | ${result.perfdata.map(formatPerfDatum).join(' ')}`;
}

/**
 * The worse of several states, for one line that sums up several checks: CRITICAL > WARNING > UNKNOWN > OK (our
 * choice: an UNKNOWN sub-check must not hide a WARNING or CRITICAL one).
 */
export function worstState(states: readonly MonitoringState[]): MonitoringState {
  const rank: Record<MonitoringState, number> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };
  return states.reduce<MonitoringState>((worst, state) => (rank[state] > rank[worst] ? state : worst), 'OK');
}
