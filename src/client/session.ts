/**
 * A check session: resolve the target (or outbound proxy) per RFC 3263, open one transport, run exchanges over it
 * (connection reuse for the challenge round and, in load mode, for every registration), close it.
 */
import {
  connectTransport, resolveTargets, TransportError,
  type ConnectOptions, type DnsApi, type SipTransport, type TransportName, type TransportTarget,
} from '../transport/index.js';
import { parseTargetUri, TargetError, uriHostPort, type TargetUri } from './target.js';
import { DEFAULT_TIMERS, TransactionLayer, type TimerSettings, type TraceSink } from './transaction.js';
import { newBranch, randomToken } from './request.js';
import type { CheckError } from './result.js';

export interface SessionOptions extends ConnectOptions {
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

export interface Session {
  target: TargetUri;
  proxy?: TargetUri;
  layer: TransactionLayer;
  transport: SipTransport;
  remote: TransportTarget;
  close(): Promise<void>;
}

/** Parses the URIs and picks the transport; throws TargetError (local) for unusable input. */
export function planSession(options: SessionOptions): { target: TargetUri; proxy?: TargetUri; next: TargetUri; transport?: TransportName } {
  const target = parseTargetUri(options.uri);
  const proxy = options.proxy !== undefined ? parseTargetUri(options.proxy, '--proxy URI') : undefined;
  const next = proxy ?? target;
  const transport = options.transport ?? next.transport;
  if (next.scheme === 'sips' && transport !== undefined && transport !== 'tls' && transport !== 'wss') {
    throw new TargetError(`a sips: URI needs TLS or WSS (RFC 3261 §26.2.2), not ${transport}`);
  }
  return { target, proxy, next, transport };
}

export async function openSession(options: SessionOptions, deadline: number): Promise<Session> {
  const plan = planSession(options);
  const targets = await resolveTargets(
    { host: plan.next.host, port: plan.next.port, transport: plan.transport, secure: plan.next.scheme === 'sips' },
    options.dns,
  );
  let lastError: unknown;
  // RFC 3263 §4.3: try the next target when one cannot be reached
  for (const remote of targets) {
    const connectTimeoutMs = Math.max(1, deadline - Date.now());
    try {
      const transport = await connectTransport(remote, { ...options, connectTimeoutMs });
      const layer = new TransactionLayer(transport, options.timers ?? DEFAULT_TIMERS, options.trace);
      return { target: plan.target, proxy: plan.proxy, layer, transport, remote, close: () => transport.close() };
    } catch (error) {
      lastError = error;
      if (!(error instanceof TransportError) || !error.remote) throw error;
    }
  }
  throw lastError ?? new TransportError('name-not-resolved', `no address for ${plan.next.host}`);
}

/** Fields every request of a session shares (RFC 3261 §8.1.1). */
export interface DialogBasics {
  callId: string;
  fromTag: string;
}

export function newDialogBasics(): DialogBasics {
  return { callId: randomToken(12), fromTag: randomToken(6) };
}

/** Top Via with rport (RFC 3581 §3) and a fresh branch; the sent-by is our local address. */
export function viaHeader(session: Session): string {
  const { local, viaToken } = session.transport;
  return `SIP/2.0/${viaToken} ${uriHostPort(local.address, local.port)};rport;branch=${newBranch()}`;
}

/** `;transport=` URI parameter for our Contact (none for UDP, the default, RFC 3261 §19.1.1; ws/wss per RFC 7118 §5.2). */
export function contactTransportParam(session: Session): string {
  const name = session.transport.name;
  if (name === 'udp') return '';
  return `;transport=${name === 'wss' ? 'ws' : name}`;
}

/** Route header for an outbound proxy (loose routing, RFC 3261 §16.12.1.1). */
export function routeHeaders(session: Session): [string, string][] {
  if (!session.proxy) return [];
  const uri = session.proxy.text.includes(';lr') ? session.proxy.text : `${session.proxy.text};lr`;
  return [['Route', `<${uri}>`]];
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
