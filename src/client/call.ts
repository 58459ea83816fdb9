/**
 * A test call (RFC 3261 §13, §14, §15): INVITE with an SDP offer, digest challenges answered, PRACK for reliable
 * provisionals (RFC 3262), ACK for the 2xx (§13.2.2.4), the call held for a duration with a re-INVITE or UPDATE
 * (RFC 3311) every refresh interval (or at half the session interval, RFC 4028 §10), then BYE. A refresh refused
 * with 403, or with a challenge our credentials no longer satisfy, is a mid-call revocation: BYE at once.
 * CANCEL (§9.1) when no final answer comes in time. The peer's BYE, re-INVITE, UPDATE and OPTIONS are answered.
 */
import type { TransportTarget } from '../transport/index.js';
import { bindMediaPort, type MediaPort } from './call-media.js';
import type { CallResult } from './call-result.js';
import { CallRouter } from './call-router.js';
import type { Credentials } from './exchange.js';
import { checkErrorOf, connectToTarget, handshakeRecordOf, type TargetConnection } from './target-connection.js';
import { TargetError } from './target.js';
import { emptyCallResult, TestCall, type CallOptions } from './test-call.js';

export { DEFAULT_ANSWER_TIMEOUT_MS, emptyCallResult, type CallOptions } from './test-call.js';

/**
 * Transport failures before any answer after which RFC 3263 §4.3 tries the next resolved target (as register does):
 * ICMP unreachable on UDP (it only shows after the INVITE went out), a refused or reset connection.
 */
const FAILOVER_CODES: ReadonlySet<string> = new Set(['unreachable', 'connection-refused', 'connection-reset']);

function failsOver(result: CallResult): boolean {
  if (!result.error?.remote || !FAILOVER_CODES.has(result.error.code)) return false;
  return result.transactions.every((record) => record.status === undefined && record.provisional.length === 0);
}

function inStartOrder(transactions: CallResult['transactions']): boolean {
  for (let index = 1; index < transactions.length; index++) if (transactions[index - 1].atMs > transactions[index].atMs) return false;
  return true;
}

/**
 * Until when closing a call's connection may wait for the peer to close its end: as any step of the call, --timeout
 * at most; not at all after a remote error (a peer that did not answer will not close either), so a call that
 * nothing answers ends by its --timeout.
 */
function closeDeadline(result: CallResult | undefined, timeoutMs: number): number {
  return result?.error?.remote ? Date.now() : Date.now() + timeoutMs;
}

/** Places one call on a connection of its own (the next resolved target when one is unreachable) and closes it. */
export async function runCall(options: CallOptions): Promise<CallResult> {
  const deadline = Date.now() + options.timeoutMs;
  let targets: TransportTarget[] | undefined;
  for (;;) {
    let connection: TargetConnection;
    try {
      connection = await connectToTarget(options, deadline, targets);
    } catch (error) {
      const failed: CallResult = { ...emptyCallResult(), error: checkErrorOf(error) };
      // a refused WebSocket upgrade (401/403 at the gateway) is reported as its own check
      const handshake = handshakeRecordOf(options, error);
      if (handshake) failed.handshake = handshake;
      return failed;
    }
    let result: CallResult | undefined;
    try {
      result = await placeCall(connection, new CallRouter(connection.layer), options);
      const handshake = handshakeRecordOf(options, connection.transport);
      if (handshake) result.handshake = handshake;
    } finally {
      await connection.close(closeDeadline(result, options.timeoutMs));
    }
    if (!failsOver(result) || connection.untried.length === 0 || Date.now() >= deadline) return result;
    targets = connection.untried;
  }
}

/** Places one call on an open connection (load mode shares one connection and router among many calls). */
export async function placeCall(
  connection: TargetConnection,
  router: CallRouter,
  options: CallOptions,
  user?: string,
  credentials?: Credentials,
  /** A media port shared by many calls (load mode); by default the call binds one of its own. */
  sharedMedia?: MediaPort,
): Promise<CallResult> {
  const result = emptyCallResult();
  result.target = { transport: connection.remote.transport, address: connection.remote.address, port: connection.remote.port };
  let media: MediaPort | undefined = sharedMedia;
  try {
    const caller = user ?? options.user ?? connection.target.user;
    if (!caller) throw new TargetError('no caller: give --user (the URI names the callee)');
    media ??= await bindMediaPort(connection.transport.local.address);
    const call = new TestCall(connection, router, options, { user: caller, contact: options.contact, sessionExpires: options.sessionExpires, headers: options.headers, userAgent: options.userAgent },
      credentials ?? { username: options.authUser ?? caller, password: options.password }, media, result);
    await call.run();
  } catch (error) {
    result.error = checkErrorOf(error);
    result.endedBy = 'error';
  } finally {
    if (media) {
      result.rtp = { address: media.address, port: media.port, packetsReceived: media.received() };
      if (media !== sharedMedia) await media.close();
    }
  }
  // in the order they started (a PRACK completes before the INVITE it belongs to); most calls are in order already
  if (!inStartOrder(result.transactions)) result.transactions.sort((a, b) => a.atMs - b.atMs);
  result.retransmissions = result.transactions.reduce((sum, record) => sum + record.retransmissions, 0);
  return result;
}

