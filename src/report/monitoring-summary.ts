/**
 * What the monitoring lines of register, options and call say alike, so that each says it the same way: a check that
 * failed without an answer (its error, whole), the retransmissions (once, counted in words that agree), and over
 * ws/wss the WebSocket handshake with the time its token has left, that time's perfdata and its --warn-token-ttl
 * WARNING. The line itself is src/report/monitoring.ts's.
 */
import type { CheckError, HandshakeRecord } from '../client/result.js';
import { countOf } from './count.js';
import type { PerfDatum } from './monitoring.js';

/**
 * `REGISTER sip:alice@host: timeout: no final response to REGISTER within 1000 ms (Timer F, 1 retransmission)`: what
 * was tried, then the error's code and its whole message, as the text and JSON outputs give it.
 */
export function failureSummary(subject: string, error: Pick<CheckError, 'code' | 'message'>): string {
  return `${subject}: ${error.code}: ${error.message}`;
}

/**
 * `, 2 retransmissions` when there were some, for a check that got its answers: it says why the line is a
 * WARNING (--warn-retrans). Not for a check that ended in an error: that is CRITICAL whatever the count, a timeout's
 * message already counts the retransmissions of the request that went unanswered, and the perfdata carry the total.
 */
export function retransmissionsClause(result: { retransmissions: number; error?: unknown }): string {
  if (result.error !== undefined || result.retransmissions === 0) return '';
  return `, ${countOf(result.retransmissions, 'retransmission')}`;
}

/** `, WebSocket handshake HTTP 101, token expires in 40s` (ws/wss): the answer to the upgrade, the token's time left. */
export function handshakeClause(handshake: HandshakeRecord | undefined): string {
  if (!handshake) return '';
  let clause = handshake.status === undefined ? '' : `, WebSocket handshake HTTP ${handshake.status}`;
  const left = handshake.token?.remainingS;
  if (left !== undefined) clause += left >= 0 ? `, token expires in ${left}s` : `, token expired ${-left}s ago`;
  return clause;
}

/** The handshake token has less time left than --warn-token-ttl (`warnTokenS` seconds): a WARNING. */
export function tokenRunsOut(handshake: HandshakeRecord | undefined, warnTokenS: number | undefined): boolean {
  const left = handshake?.token?.remainingS;
  return warnTokenS !== undefined && left !== undefined && left < warnTokenS;
}

/**
 * `token_remaining=40s;60:` when a token with an exp was presented; guidelines "Threshold and ranges": the range
 * `N:` alerts below N.
 */
export function tokenPerfdata(handshake: HandshakeRecord | undefined, warnTokenS: number | undefined): PerfDatum[] {
  const left = handshake?.token?.remainingS;
  if (left === undefined) return [];
  return [{ label: 'token_remaining', value: left, uom: 's', warn: warnTokenS === undefined ? undefined : `${warnTokenS}:` }];
}
