/**
 * The JSON form of a register/options check (`--json`), and the list of named checks that JUnit and monitoring
 * outputs are made of. Fields as issue 3 specifies; absent values are null so that every key is always there.
 */
import type { CheckResult, RemovalResult } from '../client/result.js';

export interface NamedCheck {
  /** 'reachable', 'authenticated', 'registered' or 'options-answered'. */
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
  checks: NamedCheck[];
  /** REGISTER without --keep: removing the check's own binding; null when not attempted (--keep, failure, OPTIONS). */
  removal?: {
    ok: boolean; status: number | null; reason: string | null; rttMs: number | null; retransmissions: number; contact: string;
    transactions: CheckJson['transactions']; bindings: CheckJson['bindings']; error?: { code: string; message: string };
  } | null;
  error?: { code: string; message: string };
}

const round = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms * 1000) / 1000);

function describeStatus(result: CheckResult): string {
  if (result.error) return `${result.error.code}: ${result.error.message}`;
  return `${result.status} ${result.reason ?? ''}`.trim();
}

/** reachable -> authenticated -> registered/options-answered, each passed, failed or skipped. */
export function checksOf(result: CheckResult): NamedCheck[] {
  const answered = result.transactions.some((record) => record.status !== undefined);
  const firstRtt = result.transactions.find((record) => record.rttMs !== undefined)?.rttMs;
  const checks: NamedCheck[] = [
    answered
      ? { name: 'reachable', outcome: 'passed', message: `answered over ${result.target?.transport ?? '?'} by ${result.target?.address ?? '?'}:${result.target?.port ?? '?'}`, timeMs: firstRtt }
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
      ? { name: 'binding-removed', outcome: 'passed', message: `${status}; ${removal.bindings.length} bindings left`, timeMs: removal.rttMs }
      : { name: 'binding-removed', outcome: 'failed', message: status, timeMs: removal.rttMs });
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

function removalJson(removal: RemovalResult): NonNullable<CheckJson['removal']> {
  const json: NonNullable<CheckJson['removal']> = {
    ok: removal.ok,
    status: removal.status ?? null,
    reason: removal.reason ?? null,
    rttMs: round(removal.rttMs),
    retransmissions: removal.retransmissions,
    contact: removal.contact,
    transactions: transactionsJson(removal.transactions),
    bindings: removal.bindings.map((binding) => ({ uri: binding.uri, expires: binding.expires ?? null })),
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
    bindings: result.bindings.map((binding) => ({ uri: binding.uri, expires: binding.expires ?? null })),
    target: result.target ?? null,
    checks: checksOf(result),
  };
  if (result.method === 'REGISTER') json.removal = result.removal ? removalJson(result.removal) : null;
  if (result.error) json.error = { code: result.error.code, message: result.error.message };
  return json;
}

/** The JSON of a check that could not start (a bad argument, no password): no response, no checks, the error. */
export function localErrorCheckJson(error: { code: string; message: string }): CheckJson {
  return {
    ok: false, status: null, reason: null, realm: null, algorithm: null, qop: null, rttMs: null, retransmissions: 0,
    transactions: [], bindings: [], target: null, checks: [], error: { code: error.code, message: error.message },
  };
}
