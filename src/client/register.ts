/**
 * REGISTER check (RFC 3261 §10.2): register, refresh, unregister (Expires: 0, or Contact: * with --all,
 * §10.2.2) or query (no Contact, §10.2.3), answering digest challenges, and reading the bindings of the 2xx.
 */
import { bindingsOf } from './bindings.js';
import { exchange, type ExchangeOutcome } from './exchange.js';
import type { OutgoingRequest } from './request.js';
import type { CheckResult } from './result.js';
import {
  checkErrorOf, contactTransportParam, exchangeWithFailover, handshakeRecordOf, newDialogBasics, routeHeaders, viaHeader,
  type TargetConnection, type TargetOptions,
} from './target-connection.js';
import { hostPort } from '../sip/index.js';
import { TargetError } from './target.js';

export type RegisterMode = 'register' | 'unregister' | 'unregister-all' | 'query';

export interface RegisterOptions extends TargetOptions {
  /** User part of the address-of-record (To/From); default: the URI's user. */
  user?: string;
  /** Digest username; default: user. */
  authUser?: string;
  password?: string;
  mode?: RegisterMode;
  /** Seconds, default 3600. */
  expires?: number;
  /** Contact URI to register instead of our transport address. */
  contact?: string;
  /** Extra header fields, in order. */
  headers?: [string, string][];
  userAgent?: string;
  /** Overall limit for the check in ms. */
  timeoutMs: number;
}

export const DEFAULT_EXPIRES = 3600;

/** The REGISTER for `user` on an open connection (CSeq 1, fresh Call-ID, tag and branch). */
export function buildRegister(connection: TargetConnection, options: RegisterOptions, user: string): OutgoingRequest {
  const { target } = connection;
  const domain = hostPort(target.host);
  const aor = `${target.scheme}:${user}@${domain}`;
  const basics = newDialogBasics();
  const mode = options.mode ?? 'register';
  const expires = mode === 'register' ? (options.expires ?? DEFAULT_EXPIRES) : 0;
  const headers: [string, string][] = [
    ['Via', viaHeader(connection)],
    ['Max-Forwards', '70'],
    ...routeHeaders(connection),
    ['From', `<${aor}>;tag=${basics.fromTag}`],
    ['To', `<${aor}>`],
    ['Call-ID', basics.callId],
    ['CSeq', '1 REGISTER'],
  ];
  if (mode === 'unregister-all') {
    headers.push(['Contact', '*']);
  } else if (mode !== 'query') {
    const { local } = connection.transport;
    const contact = options.contact ?? `${target.scheme}:${user}@${hostPort(local.address, local.port)}${contactTransportParam(connection)}`;
    headers.push(['Contact', `<${contact}>${mode === 'unregister' ? ';expires=0' : ''}`]);
  }
  if (mode !== 'query') headers.push(['Expires', String(expires)]);
  headers.push(['User-Agent', options.userAgent ?? 'sipscope']);
  headers.push(...(options.headers ?? []));
  // §10.2: the Request-URI names the registrar's domain, without user part
  return { method: 'REGISTER', uri: `${target.scheme}:${hostPort(target.host, target.port)}`, headers };
}

export function userOf(options: RegisterOptions, connection: { target: { user?: string } }): string {
  const user = options.user ?? connection.target.user;
  if (!user) throw new TargetError('no user: give --user or a URI with a user part (sip:alice@host)');
  return user;
}

/** Turns an exchange into the check result (shared with OPTIONS). */
export function resultOf(method: 'REGISTER' | 'OPTIONS', outcome: ExchangeOutcome, connection?: TargetConnection, options?: TargetOptions): CheckResult {
  const result: CheckResult = {
    method,
    ok: outcome.final !== undefined && outcome.final.status >= 200 && outcome.final.status < 300 && !outcome.error,
    challenged: outcome.challenged,
    retransmissions: outcome.transactions.reduce((sum, record) => sum + record.retransmissions, 0),
    transactions: outcome.transactions,
    bindings: [],
  };
  if (connection) result.target = { transport: connection.remote.transport, address: connection.remote.address, port: connection.remote.port };
  const handshake = connection && options ? handshakeRecordOf(options, connection.transport) : undefined;
  if (handshake) result.handshake = handshake;
  const rtts = outcome.transactions.filter((record) => record.rttMs !== undefined);
  if (rtts.length > 0) result.rttMs = rtts.reduce((sum, record) => sum + record.rttMs!, 0);
  if (outcome.answered) Object.assign(result, outcome.answered);
  if (outcome.authProblem) result.authProblem = outcome.authProblem;
  if (outcome.error) {
    result.error = checkErrorOf(outcome.error);
  } else if (outcome.final) {
    result.status = outcome.final.status;
    result.reason = outcome.final.reason;
    if (method === 'REGISTER' && result.ok) result.bindings = bindingsOf(outcome.final);
  }
  return result;
}

export async function runRegister(options: RegisterOptions): Promise<CheckResult> {
  const deadline = Date.now() + options.timeoutMs;
  let connection: TargetConnection | undefined;
  try {
    const done = await exchangeWithFailover(options, deadline, (opened) => {
      const user = userOf(options, opened);
      const request = buildRegister(opened, options, user);
      return exchange(opened.layer, request, { username: options.authUser ?? user, password: options.password }, deadline);
    });
    connection = done.connection;
    return resultOf('REGISTER', done.outcome, connection, options);
  } catch (error) {
    const failed: CheckResult = { method: 'REGISTER', ok: false, challenged: false, retransmissions: 0, transactions: [], bindings: [], error: checkErrorOf(error) };
    const handshake = handshakeRecordOf(options, error);
    if (handshake) failed.handshake = handshake;
    return failed;
  } finally {
    await connection?.close();
  }
}
