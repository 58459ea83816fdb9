/**
 * The connection a check runs over: resolve the target (or outbound proxy) per RFC 3263, open one transport with a
 * transaction layer on it, run exchanges over it (reused for the challenge round and, in load mode, for every
 * registration), close it. (Was `Session`: "session" now means only an INVITE session in src/analysis.)
 */
import {
  connectTransport, resolveTargets, TransportError,
  type ConnectOptions, type DnsApi, type SipTransport, type TransportName, type TransportTarget,
} from '../transport/index.js';
import { hostPort } from '../sip/index.js';
import { parseTargetUri, TargetError, type TargetUri } from './target.js';
import { DEFAULT_TIMERS, TransactionLayer, type TimerSettings, type TraceSink } from './transaction.js';
import { newBranch, randomToken } from '../sip/index.js';
import type { CheckError, HandshakeRecord } from './result.js';
import type { ExchangeOutcome } from './exchange.js';

export interface TargetOptions extends ConnectOptions {
  /** The target SIP/SIPS URI. */
  uri: string;
  /** Forced transport; else the URI's transport parameter, else TLS for sips:, else UDP. */
  transport?: TransportName;
  /** Outbound proxy URI: requests go there, with a Route header (RFC 3261 §8.1.2). */
  proxy?: string;
  timers?: TimerSettings;
  trace?: TraceSink;
  dns?: DnsApi;
}

export interface TargetConnection {
  target: TargetUri;
  proxy?: TargetUri;
  layer: TransactionLayer;
  transport: SipTransport;
  remote: TransportTarget;
  /** The resolved targets after `remote`, in RFC 3263 order: where a failover (§4.3) goes next. */
  untried: TransportTarget[];
  /** Closes the transport, waiting for the peer to close its end of a connection until `deadline` at most. */
  close(deadline?: number): Promise<void>;
}

/** Parses the URIs and picks the transport; throws TargetError (local) for unusable input. */
export function planTarget(options: TargetOptions): { target: TargetUri; proxy?: TargetUri; next: TargetUri; transport?: TransportName } {
  const target = parseTargetUri(options.uri);
  const proxy = options.proxy !== undefined ? parseTargetUri(options.proxy, '--proxy URI') : undefined;
  const next = proxy ?? target;
  const transport = options.transport ?? next.transport;
  if (next.scheme === 'sips' && transport !== undefined && transport !== 'tls' && transport !== 'wss') {
    throw new TargetError(`a sips: URI needs TLS or WSS (RFC 3261 §26.2.2), not ${transport}`);
  }
  return { target, proxy, next, transport };
}

/** Opens a transport to the first reachable target: of `targets` when given (a failover), else of the resolved ones. */
export async function connectToTarget(options: TargetOptions, deadline: number, targets?: TransportTarget[]): Promise<TargetConnection> {
  const plan = planTarget(options);
  targets ??= await resolveTargets(
    { host: plan.next.host, port: plan.next.port, transport: plan.transport, secure: plan.next.scheme === 'sips' },
    options.dns,
    deadline,
  );
  let lastError: unknown;
  // RFC 3263 §4.3: try the next target when one cannot be reached
  for (const [index, remote] of targets.entries()) {
    const connectTimeoutMs = Math.max(1, deadline - Date.now());
    try {
      const transport = await connectTransport(remote, { ...options, connectTimeoutMs });
      const layer = new TransactionLayer(transport, options.timers ?? DEFAULT_TIMERS, options.trace);
      const untried = targets.slice(index + 1);
      return { target: plan.target, proxy: plan.proxy, layer, transport, remote, untried, close: (deadline) => transport.close(deadline) };
    } catch (error) {
      lastError = error;
      if (!(error instanceof TransportError) || !error.remote) throw error;
    }
  }
  throw lastError ?? new TransportError('name-not-resolved', `no address for ${plan.next.host}`);
}

/**
 * Transport failures before any answer after which RFC 3263 §4.3 tries the next target: ICMP unreachable on UDP
 * (it only shows after a send), a refused or reset connection. Not timeouts: --timeout bounds the whole check.
 */
const FAILOVER_CODES: ReadonlySet<string> = new Set(['unreachable', 'connection-refused', 'connection-reset']);

function failsOver(outcome: ExchangeOutcome): boolean {
  if (!outcome.error?.remote || !FAILOVER_CODES.has(outcome.error.code)) return false;
  return outcome.transactions.every((record) => record.status === undefined && record.provisional.length === 0);
}

/**
 * Opens a connection and runs `attempt` on it; when that fails at transport level before any answer, closes the
 * connection and runs a new attempt (a new request) on the next resolved target (RFC 3263 §4.3), at most once per
 * target and within the deadline. The caller closes the returned connection (by the deadline: it bounds the whole check).
 */
export async function exchangeWithFailover(
  options: TargetOptions,
  deadline: number,
  attempt: (connection: TargetConnection) => Promise<ExchangeOutcome>,
): Promise<{ connection: TargetConnection; outcome: ExchangeOutcome }> {
  let connection = await connectToTarget(options, deadline);
  for (;;) {
    let outcome: ExchangeOutcome;
    try {
      outcome = await attempt(connection);
    } catch (error) {
      await connection.close(deadline);
      throw error;
    }
    if (!failsOver(outcome) || connection.untried.length === 0 || Date.now() >= deadline) return { connection, outcome };
    const { untried } = connection;
    await connection.close(deadline);
    connection = await connectToTarget(options, deadline, untried);
  }
}

/** Fields every request of one check shares (RFC 3261 §8.1.1). */
export interface DialogBasics {
  callId: string;
  fromTag: string;
}

export function newDialogBasics(): DialogBasics {
  return { callId: randomToken(12), fromTag: randomToken(6) };
}

/** Top Via with rport (RFC 3581 §3) and a fresh branch; the sent-by is our local address. */
export function viaHeader(connection: TargetConnection): string {
  const { local, viaToken } = connection.transport;
  return `SIP/2.0/${viaToken} ${hostPort(local.address, local.port)};rport;branch=${newBranch()}`;
}

/** `;transport=` URI parameter for our Contact (none for UDP, the default, RFC 3261 §19.1.1; ws/wss per RFC 7118 §5.2). */
export function contactTransportParam(connection: TargetConnection): string {
  const name = connection.transport.name;
  if (name === 'udp') return '';
  return `;transport=${name === 'wss' ? 'ws' : name}`;
}

/** Route header for an outbound proxy (loose routing, RFC 3261 §16.12.1.1). */
export function routeHeaders(connection: TargetConnection): [string, string][] {
  if (!connection.proxy) return [];
  const uri = connection.proxy.text.includes(';lr') ? connection.proxy.text : `${connection.proxy.text};lr`;
  return [['Route', `<${uri}>`]];
}

/**
 * The header fields a request outside any dialog starts with (RFC 3261 §8.1.1): top Via, Max-Forwards, the Route
 * of an outbound proxy, From `user` at the target's domain with a new tag, To the target URI, a new Call-ID, CSeq 1
 * of `method`, and our Contact (`contact`, else `user` at our transport address).
 */
export function outOfDialogHeaders(connection: TargetConnection, method: string, user: string, contact?: string): [string, string][] {
  const { target } = connection;
  const { local } = connection.transport;
  const basics = newDialogBasics();
  const ourContact = contact ?? `${target.scheme}:${user}@${hostPort(local.address, local.port)}${contactTransportParam(connection)}`;
  const headers: [string, string][] = [['Via', viaHeader(connection)], ['Max-Forwards', '70']];
  for (const route of routeHeaders(connection)) headers.push(route);
  headers.push(
    ['From', `<${target.scheme}:${user}@${hostPort(target.host)}>;tag=${basics.fromTag}`],
    ['To', `<${target.text}>`],
    ['Call-ID', basics.callId],
    ['CSeq', `1 ${method}`],
    ['Contact', `<${ourContact}>`],
  );
  return headers;
}

/** A TransportError, TargetError or other failure as the result's error. */
export function checkErrorOf(error: unknown): CheckError {
  if (error instanceof TransportError) return { code: error.code, message: error.message, remote: error.remote };
  if (error instanceof TargetError) return { code: error.code, message: error.message, remote: false };
  const typed = error as { code?: unknown; remote?: unknown; message?: unknown };
  if (typeof typed?.code === 'string') {
    return { code: typed.code, message: String(typed.message ?? typed.code), remote: typed.remote === true };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), remote: false };
}

/**
 * The handshake part of a result: the HTTP answer (from the open transport, or from the TransportError of a refused
 * upgrade) and the token presented with its remaining lifetime. Undefined for transports without a handshake.
 */
export function handshakeRecordOf(options: TargetOptions, source: SipTransport | unknown, nowMs = Date.now()): HandshakeRecord | undefined {
  const answer = source instanceof TransportError ? source.handshake : (source as SipTransport | undefined)?.handshake;
  const token = options.handshakeToken;
  // a ws/wss connection that failed before any HTTP answer still had a handshake to do: it is reported as failed
  const upgradeUnanswered = source instanceof TransportError && (source.target?.transport === 'ws' || source.target?.transport === 'wss');
  if (answer === undefined && token === undefined && !upgradeUnanswered) return undefined;
  const record: HandshakeRecord = {};
  if (answer) Object.assign(record, { status: answer.status, reason: answer.reason });
  if (token) {
    record.token = { placement: token.placement, name: token.name };
    if (token.expiresAt !== undefined) {
      record.token.expiresAt = token.expiresAt;
      record.token.remainingS = Math.round(token.expiresAt - nowMs / 1000);
    }
  }
  return record;
}
