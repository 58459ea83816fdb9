/**
 * Human output of a register/options check: one line per transaction, the verdict with realm/algorithm/qop,
 * and the bindings. Colour comes from the `style` passed in (chalk or a no-colour stand-in), so this stays pure.
 */
import type { Binding } from '../client/bindings.js';
import type { CheckResult, RemovalResult } from '../client/result.js';
import { redactCredentials } from '../sip/digest/redact.js';
import { hostPort } from '../sip/uri.js';
import { describeHandshakeToken } from './check-json.js';
import { countOf } from './count.js';
import { printable } from './printable.js';

/** The few colour functions used; a ChalkInstance fits. */
export interface TextStyle {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

/** A Contact URI as shown: a `user:password@` password redacted (the rule of the -v trace), then made printable. */
const contactText = (uri: string): string => printable(redactCredentials(uri));

const bindingLine = (binding: Binding): string => `  binding ${contactText(binding.uri)}${binding.expires !== undefined ? `  expires ${binding.expires} s` : ''}`;

const ms = (value: number | undefined): string => (value === undefined ? '-' : `${value.toFixed(1)} ms`);

export function renderCheckText(result: CheckResult, style: TextStyle): string {
  const lines: string[] = [];
  if (result.target) {
    lines.push(style.dim(`${result.method} to ${hostPort(result.target.address, result.target.port)} over ${result.target.transport.toUpperCase()}`));
  }
  if (result.handshake) {
    const { status, reason } = result.handshake;
    const http = status === undefined ? style.red('no HTTP answer') : `HTTP ${status} ${printable(reason ?? '')}`.trimEnd();
    const token = describeHandshakeToken(result.handshake);
    const shown = status === 101 ? http : style.red(http);
    lines.push(`  WebSocket handshake -> ${shown}${token ? `  (${printable(token)})` : ''}`);
  }
  for (const record of result.transactions) {
    const status = record.status === undefined ? style.red('no final response') : `${record.status} ${printable(record.reason ?? '')}`.trim();
    const extras = [
      record.credentials.length > 0 ? `with ${record.credentials.join(' + ')}` : '',
      record.provisional.length > 0 ? `after ${record.provisional.join(', ')}` : '',
      record.retransmissions > 0 ? style.yellow(countOf(record.retransmissions, 'retransmission')) : '',
    ].filter((text) => text !== '');
    lines.push(`  ${record.request} (CSeq ${record.cseq}) -> ${status}  ${ms(record.rttMs)}${extras.length ? `  ${style.dim('(')}${extras.join(', ')}${style.dim(')')}` : ''}`);
  }
  lines.push(verdict(result, style));
  if (result.realm !== undefined) {
    lines.push(`  realm "${printable(result.realm)}", algorithm ${printable(result.algorithm)}, qop ${printable(result.qop ?? 'none')}`);
  } else if (!result.error && !result.challenged) {
    // a challenge that could not be answered is said once, by authProblem below
    lines.push('  no authentication asked for');
  }
  if (result.authProblem) lines.push(`  ${style.yellow(printable(result.authProblem))}`);
  lines.push(`  round trip ${ms(result.rttMs)} over ${countOf(result.transactions.length, 'transaction')}, ${countOf(result.retransmissions, 'retransmission')}`);
  if (result.method === 'REGISTER' && result.ok) {
    if (result.bindings.length === 0) lines.push('  bindings: none');
    lines.push(...result.bindings.map(bindingLine));
  }
  if (result.removal) lines.push(...removalLines(result.removal, style));
  return lines.join('\n');
}

/** Step two of a register check: removing the check's own binding, and what the registrar then held. */
function removalLines(removal: RemovalResult, style: TextStyle): string[] {
  const lines: string[] = [];
  for (const record of removal.transactions) {
    const status = record.status === undefined ? style.red('no final response') : `${record.status} ${printable(record.reason ?? '')}`.trim();
    lines.push(`  REGISTER expires=0 (CSeq ${record.cseq}) -> ${status}  ${ms(record.rttMs)}${record.retransmissions > 0 ? `  ${style.yellow(countOf(record.retransmissions, 'retransmission'))}` : ''}`);
  }
  if (removal.ok) {
    lines.push(`${style.green(style.bold('REMOVED'))} own binding ${contactText(removal.contact)}; ${countOf(removal.bindings.length, 'binding')} left`);
    lines.push(...removal.bindings.map(bindingLine));
  } else {
    const why = removal.error ? `${removal.error.code}: ${printable(removal.error.message)}` : `${removal.status} ${printable(removal.reason ?? '')}`.trim();
    lines.push(`${style.red(style.bold('NOT REMOVED'))} own binding ${contactText(removal.contact)}: ${why}${removal.authProblem ? ` (${printable(removal.authProblem)})` : ''}`);
  }
  return lines;
}

function verdict(result: CheckResult, style: TextStyle): string {
  if (result.error) {
    const kind = result.error.remote ? 'remote error' : 'local error';
    return `${style.red(style.bold('FAILED'))} ${kind} ${result.error.code}: ${printable(result.error.message)}`;
  }
  const status = `${result.status} ${printable(result.reason ?? '')}`.trim();
  return result.ok ? `${style.green(style.bold('OK'))} ${status}` : `${style.red(style.bold('FAILED'))} ${status}`;
}
