/**
 * REGISTER check (RFC 3261 §10.2): register, refresh, unregister (Expires: 0, or Contact: * with --all,
 * §10.2.2) or query (no Contact, §10.2.3), answering digest challenges, and reading the bindings of the 2xx.
 * A check leaves no trace by default: after a successful register it removes its own binding again (same
 * Call-ID, next CSeq, its Contact with Expires: 0, §10.2.2), unless `keep` is set. Its own Contact carries a
 * stable +sip.instance (RFC 5626 §4.1) so that a kept binding is replaced by the next run's, not added to.
 */
import { bindingsOf } from './bindings.js';
import { exchange, type ExchangeOutcome } from './exchange.js';
import type { OutgoingRequest } from './request.js';
import { stableInstanceUrn } from './instance.js';
import type { CheckResult, RemovalResult } from './result.js';
import {
  checkErrorOf, contactTransportParam, exchangeWithFailover, handshakeRecordOf, newDialogBasics, routeHeaders, viaHeader,
  type TargetConnection, type TargetOptions,
} from './target-connection.js';
import { hostPort } from '../sip/index.js';
import { TransportError } from '../transport/index.js';
import { TargetError } from './target.js';

export type RegisterMode = 'register' | 'unregister' | 'unregister-all' | 'query';

export interface RegisterOptions extends TargetOptions {
  /** User part of the address-of-record (To/From); default: the URI's user. */
  user?: string;
  /** Digest username; default: user. */
  authUser?: string;
  password?: string;
  mode?: RegisterMode;
  /** Seconds; default 3600 with `keep`, else CHECK_EXPIRES. */
  expires?: number;
  /** Register mode: keep the binding (else it is removed once the bindings have been read). */
  keep?: boolean;
  /** Contact URI to register instead of our transport address. */
  contact?: string;
  /** Extra header fields, in order. */
  headers?: [string, string][];
  userAgent?: string;
  /** Overall limit for the check in ms. */
  timeoutMs: number;
}

export const DEFAULT_EXPIRES = 3600;
/**
 * Lifetime asked for by a check that removes its binding right away: should the removal never arrive (process
 * killed, network lost), the registrar drops the binding after a minute (RFC 3261 §10.3 allows the registrar to
 * raise it to its minimum, Kamailio's min_expires default is 60).
 */
export const CHECK_EXPIRES = 60;

/** The Contact header value of a REGISTER: ours (with a stable +sip.instance) or --contact, as written. */
export function contactValue(connection: TargetConnection, options: RegisterOptions, user: string): string {
  if (options.contact !== undefined) return `<${options.contact}>`;
  const { target } = connection;
  const { local } = connection.transport;
  const uri = `${target.scheme}:${user}@${hostPort(local.address, local.port)}${contactTransportParam(connection)}`;
  return `<${uri}>;+sip.instance="<${stableInstanceUrn(user, target.host)}>"`;
}

/** The REGISTER for `user` on an open connection (CSeq 1, fresh Call-ID, tag and branch). */
export function buildRegister(connection: TargetConnection, options: RegisterOptions, user: string): OutgoingRequest {
  const { target } = connection;
  const domain = hostPort(target.host);
  const aor = `${target.scheme}:${user}@${domain}`;
  const basics = newDialogBasics();
  const mode = options.mode ?? 'register';
  const expires = mode === 'register' ? (options.expires ?? (options.keep ? DEFAULT_EXPIRES : CHECK_EXPIRES)) : 0;
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
    headers.push(['Contact', `${contactValue(connection, options, user)}${mode === 'unregister' ? ';expires=0' : ''}`]);
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

/**
 * The result of a check that failed before any exchange (no connection, a bad target): the error, the target the
 * connection was being opened to (as a check that got further reports it), and the WebSocket handshake that failed.
 */
export function failedCheckOf(method: 'REGISTER' | 'OPTIONS', error: unknown, options: TargetOptions): CheckResult {
  const failed: CheckResult = { method, ok: false, challenged: false, retransmissions: 0, transactions: [], bindings: [], error: checkErrorOf(error) };
  const target = error instanceof TransportError ? error.target : undefined;
  if (target) failed.target = { transport: target.transport, address: target.address, port: target.port };
  const handshake = handshakeRecordOf(options, error);
  if (handshake) failed.handshake = handshake;
  return failed;
}

export async function runRegister(options: RegisterOptions): Promise<CheckResult> {
  const deadline = Date.now() + options.timeoutMs;
  const removesOwnBinding = (options.mode ?? 'register') === 'register' && !options.keep;
  let connection: TargetConnection | undefined;
  try {
    let sent: OutgoingRequest | undefined;
    const done = await exchangeWithFailover(options, deadline, (opened) => {
      const user = userOf(options, opened);
      sent = buildRegister(opened, options, user);
      return exchange(opened.layer, sent, { username: options.authUser ?? user, password: options.password }, deadline);
    });
    connection = done.connection;
    const result = resultOf('REGISTER', done.outcome, connection, options);
    if (removesOwnBinding) result.removesOwnBinding = true;
    if (removesOwnBinding && result.ok && sent) {
      const lastCseq = done.outcome.transactions[done.outcome.transactions.length - 1].cseq;
      const user = userOf(options, connection);
      result.removal = await removeBinding(connection, sent, lastCseq, { username: options.authUser ?? user, password: options.password }, deadline);
    }
    return result;
  } catch (error) {
    const failed = failedCheckOf('REGISTER', error, options);
    if (removesOwnBinding) failed.removesOwnBinding = true;
    return failed;
  } finally {
    // --timeout bounds the whole check, the close of a connection the peer holds open included
    await connection?.close(deadline);
  }
}

/**
 * Step two of a check: the REGISTER that removes the check's own binding (§10.2.2: its Contact with expires=0,
 * Expires: 0), in the same registration (§10.2: same Call-ID and From tag, CSeq one above the last sent).
 */
async function removeBinding(
  connection: TargetConnection,
  registered: OutgoingRequest,
  lastCseq: number,
  credentials: { username: string; password?: string },
  deadline: number,
): Promise<RemovalResult> {
  let contact = '';
  const headers = registered.headers.map(([name, value]): [string, string] => {
    const lower = name.toLowerCase();
    if (lower === 'via') return [name, viaHeader(connection)];
    if (lower === 'cseq') return [name, `${lastCseq + 1} REGISTER`];
    if (lower === 'expires') return [name, '0'];
    if (lower === 'contact') {
      contact = value;
      return [name, `${value};expires=0`];
    }
    return [name, value];
  });
  const outcome = await exchange(connection.layer, { ...registered, headers }, credentials, deadline);
  const step = resultOf('REGISTER', outcome, connection);
  const removal: RemovalResult = {
    ok: step.ok,
    retransmissions: step.retransmissions,
    transactions: step.transactions,
    bindings: step.bindings,
    contact: /^<([^>]*)>/.exec(contact)?.[1] ?? contact,
  };
  if (step.status !== undefined) removal.status = step.status;
  if (step.reason !== undefined) removal.reason = step.reason;
  if (step.rttMs !== undefined) removal.rttMs = step.rttMs;
  if (step.authProblem !== undefined) removal.authProblem = step.authProblem;
  if (step.error !== undefined) removal.error = step.error;
  return removal;
}
