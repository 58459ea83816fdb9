/**
 * Renderers of a test call (`sipscope call`): human text (one line per transaction), the --json object, JUnit
 * test cases (reachable, authenticated, answered, held, ended) and the monitoring-plugins line.
 */
import type { CallResult, CallTransaction } from '../client/call-result.js';
import type { HandshakeRecord } from '../client/result.js';
import { hostPort } from '../sip/uri.js';
import { describeHandshakeToken, handshakeJson } from './check-json.js';
import type { TextStyle } from './check-text.js';
import { printable } from './printable.js';
import { renderJUnit, type JUnitCase } from './junit.js';
import { renderMonitoringLine, type MonitoringState, type PerfDatum } from './monitoring.js';
import { countOf } from './count.js';
import { failureSummary, handshakeClause, retransmissionsClause, tokenPerfdata, tokenRunsOut } from './monitoring-summary.js';

const ms = (value: number | undefined): string => (value === undefined ? '-' : `${value.toFixed(1)} ms`);
const round = (value: number | undefined): number | null => (value === undefined ? null : Math.round(value * 1000) / 1000);

function transactionLine(record: CallTransaction, style: TextStyle): string {
  const at = `+${(record.atMs / 1000).toFixed(3)}s`.padStart(9);
  if (record.step === 'peer') return `  ${at}  ${record.request} from the peer -> answered ${record.status} ${record.reason ?? ''}`.trimEnd();
  if (record.step === 'ack') return `  ${at}  ACK (CSeq ${record.cseq})`;
  const status = record.status === undefined ? style.red('no final response') : `${record.status} ${record.reason ?? ''}`.trim();
  const label = record.step === 'refresh' ? `refresh ${record.refresh}` : record.step;
  const extras = [
    record.credentials.length > 0 ? `with ${record.credentials.join(' + ')}` : '',
    record.provisional.length > 0 ? `after ${record.provisional.join(', ')}` : '',
    record.retransmissions > 0 ? style.yellow(countOf(record.retransmissions, 'retransmission')) : '',
  ].filter((text) => text !== '');
  const shown = record.status === 403 ? style.red(status) : status;
  return `  ${at}  ${record.request} (CSeq ${record.cseq}, ${label}) -> ${shown}  ${ms(record.rttMs)}${extras.length ? `  (${extras.join(', ')})` : ''}`;
}

export function renderCallText(result: CallResult, style: TextStyle): string {
  const lines: string[] = [];
  if (result.handshake) lines.push(`  WebSocket handshake -> ${handshakeText(result.handshake)}`);
  if (result.target) lines.push(style.dim(`INVITE to ${hostPort(result.target.address, result.target.port)} over ${result.target.transport.toUpperCase()}${result.callId ? `, Call-ID ${result.callId}` : ''}`));
  for (const record of result.transactions) lines.push(transactionLine(record, style));
  lines.push(callVerdict(result, style));
  if (result.realm !== undefined) lines.push(`  realm "${result.realm}", algorithm ${result.algorithm}, qop ${result.qop ?? 'none'}`);
  if (result.authProblem) lines.push(`  ${style.yellow(result.authProblem)}`);
  lines.push(`  setup ${ms(result.setupMs)}, lifetime ${result.lifetimeMs === undefined ? '-' : `${(result.lifetimeMs / 1000).toFixed(3)} s`}, refreshes ${result.refreshes.ok}/${result.refreshes.sent} accepted, ${countOf(result.retransmissions, 'retransmission')}`);
  if (result.sessionExpires) lines.push(`  session interval ${result.sessionExpires.seconds} s, refresher ${result.sessionExpires.refresher ?? 'unnamed'}`);
  if (result.prackSent > 0) lines.push(`  ${result.prackSent} reliable provisional response(s) acknowledged with PRACK`);
  if (result.rtp) lines.push(style.dim(`  RTP port ${hostPort(result.rtp.address, result.rtp.port)} offered, ${result.rtp.packetsReceived} packets received`));
  return lines.join('\n');
}

function callVerdict(result: CallResult, style: TextStyle): string {
  const failed = style.red(style.bold('FAILED'));
  if (result.revocation) {
    const { refresh, method, afterMs, status, reason } = result.revocation;
    return `${failed} revoked mid-call: refresh ${refresh} (${method}) answered ${status} ${reason ?? ''} after ${(afterMs / 1000).toFixed(3)} s; BYE sent`;
  }
  if (result.error && result.setupMs === undefined) return `${failed} ${result.error.remote ? 'remote' : 'local'} error ${result.error.code}: ${result.error.message}`;
  if (result.ok) return `${style.green(style.bold('OK'))} call answered ${result.status} ${result.reason ?? ''}, held, ended with BYE`;
  const why: Record<string, string> = {
    'remote-bye': 'the peer hung up before the duration was over',
    'refresh-failed': 'a refresh failed',
    'session-expired': 'the peer, the session refresher, sent no refresh within the session interval (RFC 4028): BYE sent',
    rejected: `INVITE answered ${result.status} ${result.reason ?? ''}`.trim(),
    cancelled: result.status !== undefined && result.status < 300
      ? `no final answer in time: CANCEL sent; the ${result.status} crossed it, BYE sent`
      : 'no final answer in time: CANCEL sent',
    bye: 'BYE was not answered with 2xx',
    error: result.error ? `${result.error.code}: ${result.error.message}` : 'error',
  };
  return `${failed} ${why[result.endedBy] ?? result.endedBy}`;
}

/** `HTTP 101 Switching Protocols; token (query "token") expires in 4m 10s at ...`, never the token itself. */
function handshakeText(handshake: HandshakeRecord): string {
  const http = handshake.status === undefined ? 'no HTTP answer to the upgrade' : `HTTP ${handshake.status} ${handshake.reason ?? ''}`.trimEnd();
  const token = describeHandshakeToken(handshake);
  return printable(token ? `${http}; ${token}` : http);
}

/** --json: the result with every key present (null when absent) and times rounded to microseconds. */
export function callJson(result: CallResult): Record<string, unknown> {
  return {
    ok: result.ok,
    status: result.status ?? null,
    reason: result.reason ?? null,
    callId: result.callId ?? null,
    endedBy: result.endedBy,
    setupMs: round(result.setupMs),
    lifetimeMs: round(result.lifetimeMs),
    revocation: result.revocation ? { ...result.revocation, afterMs: round(result.revocation.afterMs) } : null,
    refreshes: result.refreshes,
    sessionExpires: result.sessionExpires ?? null,
    prackSent: result.prackSent,
    realm: result.realm ?? null,
    algorithm: result.algorithm ?? null,
    qop: result.qop ?? null,
    retransmissions: result.retransmissions,
    rtp: result.rtp ?? null,
    target: result.target ?? null,
    ...(result.handshake ? { handshake: handshakeJson(result.handshake) } : {}),
    transactions: result.transactions.map((record) => ({
      step: record.step,
      ...(record.refresh !== undefined ? { refresh: record.refresh } : {}),
      request: record.request,
      cseq: record.cseq,
      status: record.status ?? null,
      reason: record.reason ?? null,
      atMs: round(record.atMs),
      rttMs: round(record.rttMs),
      retransmissions: record.retransmissions,
      provisional: record.provisional,
    })),
    ...(result.authProblem ? { authProblem: result.authProblem } : {}),
    ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
  };
}

/** The thresholds of a call's monitoring line: --warn-retrans and, over ws/wss, --warn-token-ttl in seconds. */
export interface CallThresholds {
  warnRetrans: number;
  warnTokenS?: number;
}

/**
 * CRITICAL for a call that failed (UNKNOWN for a local error before any answer); WARNING for more retransmissions
 * than --warn-retrans or a ws/wss handshake token with less time left than --warn-token-ttl, as for register.
 */
export function callMonitoringState(result: CallResult, thresholds: CallThresholds): MonitoringState {
  if (result.error && result.setupMs === undefined && result.status === undefined) return result.error.remote ? 'CRITICAL' : 'UNKNOWN';
  if (!result.ok) return 'CRITICAL';
  if (tokenRunsOut(result.handshake, thresholds.warnTokenS)) return 'WARNING';
  return result.retransmissions > thresholds.warnRetrans ? 'WARNING' : 'OK';
}

function callSummary(result: CallResult, target: string): string {
  const subject = `call to ${target}`;
  if (result.revocation) {
    return `${subject} revoked at refresh ${result.revocation.refresh} (${result.revocation.status}) after ${(result.revocation.afterMs / 1000).toFixed(1)}s`;
  }
  if (result.ok) {
    return `${subject} answered in ${ms(result.setupMs)}, held ${((result.lifetimeMs ?? 0) / 1000).toFixed(1)}s, ${countOf(result.refreshes.ok, 'refresh')}`;
  }
  // no answer at all (timeout, unreachable, refused, TLS): the error, whole, as register's line gives it
  if (result.error && result.status === undefined) return failureSummary(subject, result.error);
  const summary = `${subject} ${result.endedBy}${result.status !== undefined ? ` (INVITE ${result.status})` : ''}`;
  return result.error ? failureSummary(summary, result.error) : summary;
}

export function renderCallMonitoring(result: CallResult, thresholds: CallThresholds, target: string): string {
  const state = callMonitoringState(result, thresholds);
  let summary = callSummary(result, target) + retransmissionsClause(result);
  if (result.authProblem) summary += ` (${result.authProblem})`;
  summary += handshakeClause(result.handshake);
  const perfdata: PerfDatum[] = [
    { label: 'setup', value: result.setupMs ?? Number.NaN, uom: 'ms', min: 0 },
    { label: 'lifetime', value: (result.lifetimeMs ?? Number.NaN) / 1000, uom: 's', min: 0 },
    { label: 'refreshes', value: result.refreshes.ok, min: 0 },
    { label: 'retransmissions', value: result.retransmissions, warn: thresholds.warnRetrans, min: 0 },
    ...tokenPerfdata(result.handshake, thresholds.warnTokenS),
  ];
  return renderMonitoringLine({ service: 'SIP', state, summary, perfdata });
}

/** JUnit: reachable, authenticated, answered, held (every refresh accepted), ended (our BYE answered). */
export function renderCallJUnit(result: CallResult, target: string): string {
  const suite = `sipscope call ${target}`;
  const answered = result.transactions.some((record) => record.step === 'setup' && record.status !== undefined);
  const cases: JUnitCase[] = [];
  const add = (name: string, passed: boolean | 'skipped', message: string, timeMs?: number) => {
    const testCase: JUnitCase = { name, classname: suite, systemOut: message };
    if (timeMs !== undefined) testCase.timeMs = timeMs;
    if (passed === 'skipped') testCase.skipped = message;
    else if (!passed) testCase.failure = { message, type: result.error?.code ?? result.endedBy };
    cases.push(testCase);
  };
  if (result.handshake) add('websocket-handshake', result.handshake.status === 101, handshakeText(result.handshake));
  add('reachable', answered, answered ? `answered by ${result.target ? hostPort(result.target.address, result.target.port) : '?'}` : (result.error?.message ?? 'no response'));
  add('authenticated', !result.challenged ? 'skipped' : result.authProblem === undefined,
    result.challenged ? (result.authProblem ?? `realm "${result.realm}", ${result.algorithm}`) : 'no challenge');
  const is2xx = result.status !== undefined && result.status >= 200 && result.status < 300;
  add('answered', is2xx, `INVITE -> ${result.status ?? 'no answer'} ${result.reason ?? ''}`.trim(), result.setupMs);
  // held: the call lasted its duration (then our BYE ended it); not when revoked, ended by the peer, a failed
  // refresh, session expiry, or a 2xx that crossed our CANCEL
  add('held', !is2xx ? 'skipped' : result.endedBy === 'bye',
    result.revocation ? `refresh ${result.revocation.refresh} answered ${result.revocation.status} after ${result.revocation.afterMs.toFixed(0)} ms: revoked` : `${result.refreshes.ok}/${result.refreshes.sent} refreshes accepted, ended by ${result.endedBy}`,
    result.lifetimeMs);
  add('ended', !is2xx ? 'skipped' : result.ok, `ended by ${result.endedBy}`);
  return renderJUnit([{ name: suite, cases, timestamp: new Date().toISOString() }], { name: 'sipscope' });
}
