/**
 * The JSON form of a register/options check (`--json`), and the list of named checks that JUnit and monitoring
 * outputs are made of. Fields as issue 3 specifies; absent values are null so that every key is always there.
 * Contact URIs (our own, the registrar's bindings) are shown with a `user:password@` password redacted, by the rule
 * of the -v trace (src/sip/digest/redact.ts).
 */
import type { Binding } from '../client/bindings.js';
import type { CheckResult, HandshakeRecord, RemovalResult } from '../client/result.js';
import { redactCredentials } from '../sip/digest/redact.js';
import { hostPort } from '../sip/uri.js';
import { countOf } from './count.js';

export interface NamedCheck {
  /** 'websocket-handshake' (ws/wss), 'reachable', 'authenticated', 'registered' or 'options-answered', 'binding-removed'. */
  name: string;
  outcome: 'passed' | 'failed' | 'skipped';
  message: string;
  timeMs?: number;
}

export interface CheckJson {
  ok: boolean;
  status: number | null;
  reason: string | null;
  realm: string | null;
  algorithm: string | null;
  qop: string | null;
  rttMs: number | null;
  retransmissions: number;
  transactions: { request: string; cseq: number; status: number | null; reason: string | null; rttMs: number | null; retransmissions: number; provisional: number[] }[];
  bindings: { uri: string; expires: number | null }[];
  target: { transport: string; address: string; port: number } | null;
  /** ws/wss: the HTTP answer to the upgrade and the token presented (never its value). */
  handshake?: HandshakeJson;
  checks: NamedCheck[];
  /** REGISTER without --keep: removing the check's own binding; null when not attempted (--keep, failure, OPTIONS). */
  removal?: {
    ok: boolean; status: number | null; reason: string | null; rttMs: number | null; retransmissions: number; contact: string;
    transactions: CheckJson['transactions']; bindings: CheckJson['bindings']; error?: { code: string; message: string };
  } | null;
  error?: { code: string; message: string };
}

export interface HandshakeJson {
  status: number | null;
  reason: string | null;
  token: { placement: string; name: string; expiresAt: string | null; remainingS: number | null } | null;
}

const round = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms * 1000) / 1000);

function describeStatus(result: CheckResult): string {
  if (result.error) return `${result.error.code}: ${result.error.message}`;
  return `${result.status} ${result.reason ?? ''}`.trim();
}

/** A duration for people: "45s", "4m 10s", "1h 0m 5s", "-35s" (negative: in the past). */
export function formatSeconds(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const abs = Math.abs(Math.round(seconds));
  const hours = Math.floor(abs / 3600);
  const minutes = Math.floor(abs / 60) % 60;
  const parts = [hours > 0 ? `${hours}h` : '', hours > 0 || minutes > 0 ? `${minutes}m` : '', `${abs % 60}s`];
  return sign + parts.filter((part) => part !== '').join(' ');
}

/** The token presented and its lifetime, e.g. `token (query "token") expires in 4m 10s at 2026-11-30T17:00:00.000Z`. */
export function describeHandshakeToken(handshake: HandshakeRecord): string | undefined {
  const token = handshake.token;
  if (!token) return undefined;
  const where = `${token.placement} "${token.name}"`;
  if (token.expiresAt === undefined || token.remainingS === undefined) return `token (${where}) has no exp claim`;
  const at = new Date(token.expiresAt * 1000).toISOString();
  return token.remainingS >= 0
    ? `token (${where}) expires in ${formatSeconds(token.remainingS)} at ${at}`
    : `token (${where}) expired ${formatSeconds(-token.remainingS)} ago at ${at}`;
}

/** The websocket-handshake check: HTTP 101 passes, any other answer (401, 403, ...) or none fails. */
function handshakeCheck(result: CheckResult, handshake: HandshakeRecord): NamedCheck {
  const token = describeHandshakeToken(handshake);
  const withToken = (text: string) => (token ? `${text}; ${token}` : text);
  if (handshake.status === undefined) {
    const why = result.error ? `${result.error.code}: ${result.error.message}` : 'no HTTP answer';
    return { name: 'websocket-handshake', outcome: 'failed', message: withToken(`no HTTP answer to the upgrade (${why})`) };
  }
  const http = `HTTP ${handshake.status} ${handshake.reason ?? ''}`.trimEnd();
  return { name: 'websocket-handshake', outcome: handshake.status === 101 ? 'passed' : 'failed', message: withToken(http) };
}

/**
 * [websocket-handshake ->] reachable -> authenticated -> registered/options-answered [-> binding-removed, for a
 * register check that removes its binding], each passed, failed or skipped.
 */
export function checksOf(result: CheckResult): NamedCheck[] {
  const handshake = result.handshake ? [handshakeCheck(result, result.handshake)] : [];
  const answered = result.transactions.some((record) => record.status !== undefined);
  const firstRtt = result.transactions.find((record) => record.rttMs !== undefined)?.rttMs;
  const checks: NamedCheck[] = [
    ...handshake,
    answered
      ? { name: 'reachable', outcome: 'passed', message: `answered over ${result.target?.transport ?? '?'} by ${result.target ? hostPort(result.target.address, result.target.port) : '?'}`, timeMs: firstRtt }
      : { name: 'reachable', outcome: 'failed', message: result.error ? `${result.error.code}: ${result.error.message}` : 'no response' },
  ];
  if (!answered) {
    checks.push({ name: 'authenticated', outcome: 'skipped', message: 'not reachable' });
  } else if (!result.challenged) {
    checks.push({ name: 'authenticated', outcome: 'skipped', message: 'no challenge: the server did not ask for credentials' });
  } else {
    const refused = result.status === 401 || result.status === 407 || result.error !== undefined;
    checks.push(refused
      ? { name: 'authenticated', outcome: 'failed', message: result.authProblem ?? describeStatus(result) }
      : { name: 'authenticated', outcome: 'passed', message: `realm "${result.realm}", ${result.algorithm}${result.qop ? `, qop ${result.qop}` : ''}` });
  }
  const finalName = result.method === 'REGISTER' ? 'registered' : 'options-answered';
  checks.push(result.ok
    ? { name: finalName, outcome: 'passed', message: describeStatus(result), timeMs: result.rttMs }
    : { name: finalName, outcome: 'failed', message: describeStatus(result), timeMs: result.rttMs });
  const { removal } = result;
  if (removal) {
    const status = removal.error ? `${removal.error.code}: ${removal.error.message}` : `${removal.status} ${removal.reason ?? ''}`.trim();
    checks.push(removal.ok
      ? { name: 'binding-removed', outcome: 'passed', message: `${status}; ${countOf(removal.bindings.length, 'binding')} left`, timeMs: removal.rttMs }
      : { name: 'binding-removed', outcome: 'failed', message: status, timeMs: removal.rttMs });
  } else if (result.removesOwnBinding) {
    // the same list whether or not the registration worked: a step not run is skipped, as `authenticated` is
    checks.push({ name: 'binding-removed', outcome: 'skipped', message: 'not registered: no binding of ours to remove' });
  }
  return checks;
}

function transactionsJson(records: CheckResult['transactions']): CheckJson['transactions'] {
  return records.map((record) => ({
    request: record.request,
    cseq: record.cseq,
    status: record.status ?? null,
    reason: record.reason ?? null,
    rttMs: round(record.rttMs),
    retransmissions: record.retransmissions,
    provisional: record.provisional,
  }));
}

function bindingsJson(bindings: readonly Binding[]): CheckJson['bindings'] {
  return bindings.map((binding) => ({ uri: redactCredentials(binding.uri), expires: binding.expires ?? null }));
}

function removalJson(removal: RemovalResult): NonNullable<CheckJson['removal']> {
  const json: NonNullable<CheckJson['removal']> = {
    ok: removal.ok,
    status: removal.status ?? null,
    reason: removal.reason ?? null,
    rttMs: round(removal.rttMs),
    retransmissions: removal.retransmissions,
    contact: redactCredentials(removal.contact),
    transactions: transactionsJson(removal.transactions),
    bindings: bindingsJson(removal.bindings),
  };
  if (removal.error) json.error = { code: removal.error.code, message: removal.error.message };
  return json;
}

export function checkJson(result: CheckResult): CheckJson {
  const json: CheckJson = {
    ok: result.ok,
    status: result.status ?? null,
    reason: result.reason ?? null,
    realm: result.realm ?? null,
    algorithm: result.algorithm ?? null,
    qop: result.qop ?? null,
    rttMs: round(result.rttMs),
    retransmissions: result.retransmissions,
    transactions: transactionsJson(result.transactions),
    bindings: bindingsJson(result.bindings),
    target: result.target ?? null,
    checks: checksOf(result),
  };
  if (result.method === 'REGISTER') json.removal = result.removal ? removalJson(result.removal) : null;
  if (result.handshake) json.handshake = handshakeJson(result.handshake);
  if (result.error) json.error = { code: result.error.code, message: result.error.message };
  return json;
}

export function handshakeJson(handshake: HandshakeRecord): HandshakeJson {
  const token = handshake.token;
  return {
    status: handshake.status ?? null,
    reason: handshake.reason ?? null,
    token: token
      ? {
        placement: token.placement,
        name: token.name,
        expiresAt: token.expiresAt === undefined ? null : new Date(token.expiresAt * 1000).toISOString(),
        remainingS: token.remainingS ?? null,
      }
      : null,
  };
}

/** The JSON of a check that could not start (a bad argument, no password): no response, no checks, the error. */
export function localErrorCheckJson(error: { code: string; message: string }): CheckJson {
  return {
    ok: false, status: null, reason: null, realm: null, algorithm: null, qop: null, rttMs: null, retransmissions: 0,
    transactions: [], bindings: [], target: null, checks: [], error: { code: error.code, message: error.message },
  };
}
