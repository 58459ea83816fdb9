/** What a test call found: every transaction (ours and the peer's), setup time, lifetime, how it ended. */
import type { TransportName } from '../transport/index.js';
import type { CheckError, HandshakeRecord, TransactionRecord } from './result.js';

export type CallStep = 'setup' | 'prack' | 'ack' | 'refresh' | 'bye' | 'cancel' | 'peer';

export interface CallTransaction extends TransactionRecord {
  /** What the transaction was for; 'peer' is a request the peer sent us, answered with `status`. */
  step: CallStep;
  /** Milliseconds after the first INVITE was sent. */
  atMs: number;
  /** For refreshes: 1 for the first, 2 for the second, ... */
  refresh?: number;
}

/**
 * How the call ended:
 * - `bye`: we hung up after --duration (the expected end);
 * - `remote-bye`: the peer hung up first;
 * - `revoked`: a refresh was refused with 403, or with a challenge our credentials no longer satisfy (we sent BYE);
 * - `refresh-failed`: a refresh failed otherwise (other status, timeout);
 * - `session-expired`: the peer was the refresher (RFC 4028) and sent no refresh within the session interval: we
 *   sent BYE before it ran out (§10);
 * - `rejected`: the INVITE got a final non-2xx answer; `cancelled`: no final answer in time, CANCEL sent;
 * - `error`: a transport failure or timeout without an answer.
 */
export type CallEnd = 'bye' | 'remote-bye' | 'revoked' | 'refresh-failed' | 'session-expired' | 'rejected' | 'cancelled' | 'error';

export interface Revocation {
  /** Which refresh failed: 1 = the first re-INVITE/UPDATE. */
  refresh: number;
  method: string;
  /** Milliseconds after the call was answered (the 2xx to the INVITE). */
  afterMs: number;
  status?: number;
  reason?: string;
  /** Why the credentials could not satisfy a 401/407, when that was the refusal. */
  authProblem?: string;
}

export interface CallResult {
  method: 'INVITE';
  /** Answered, held for the whole duration with every refresh accepted, and ended by our BYE with a 2xx. */
  ok: boolean;
  /** Final answer to the INVITE. */
  status?: number;
  reason?: string;
  callId?: string;
  realm?: string;
  algorithm?: string;
  qop?: string;
  challenged: boolean;
  /** First INVITE sent -> 2xx received, challenge rounds included (ms). */
  setupMs?: number;
  /** 2xx received -> call ended (our BYE answered, or the peer's BYE), ms. */
  lifetimeMs?: number;
  endedBy: CallEnd;
  refreshes: { sent: number; ok: number };
  revocation?: Revocation;
  /** Session interval granted by the 2xx (RFC 4028). */
  sessionExpires?: { seconds: number; refresher?: 'uac' | 'uas' };
  /** 1xx responses that required PRACK (RFC 3262) and were acknowledged. */
  prackSent: number;
  rtp?: { address: string; port: number; packetsReceived: number };
  retransmissions: number;
  transactions: CallTransaction[];
  target?: { transport: TransportName; address: string; port: number };
  /** The WebSocket handshake (ws/wss): its HTTP answer and the token presented, as register and options report it. */
  handshake?: HandshakeRecord;
  authProblem?: string;
  error?: CheckError;
}
