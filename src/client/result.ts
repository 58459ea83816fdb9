/** What a register/options check found: every transaction, the final answer, auth details, bindings, or the error. */
import type { TransportName } from '../transport/index.js';
import type { Binding } from './bindings.js';

export interface TransactionRecord {
  /** Request method, e.g. 'REGISTER'. */
  request: string;
  cseq: number;
  /** Final status; undefined when the transaction failed (timeout, transport error). */
  status?: number;
  reason?: string;
  /** Provisional statuses seen (100, 180, ...). */
  provisional: number[];
  rttMs?: number;
  retransmissions: number;
  /** Which credentials the request carried. */
  credentials: ('authorization' | 'proxy-authorization')[];
}

export interface CheckError {
  /** Stable code: timeout, unreachable, connection-refused, connection-reset, connection-closed, tls-failure, name-not-resolved, bad-argument, ... */
  code: string;
  message: string;
  /** true: remote/network fault (exit 3); false: local fault (exit 2). */
  remote: boolean;
}

/** The WebSocket handshake (ws/wss): its HTTP answer and the token presented, when one was. */
export interface HandshakeRecord {
  /** HTTP status of the answer to the upgrade (101 on success); undefined when no HTTP answer came. */
  status?: number;
  reason?: string;
  token?: {
    placement: 'query' | 'header';
    name: string;
    /** `exp` of the token, seconds since the epoch, when it has one. */
    expiresAt?: number;
    /** Seconds left at the handshake (negative: already expired). */
    remainingS?: number;
  };
}

export interface CheckResult {
  method: 'REGISTER' | 'OPTIONS';
  /** A 2xx final response was received. */
  ok: boolean;
  status?: number;
  reason?: string;
  /** Realm, algorithm and qop of the last challenge answered (taken from the challenge, RFC 3261 §22.2). */
  realm?: string;
  algorithm?: string;
  qop?: string;
  /** The server asked for credentials at least once. */
  challenged: boolean;
  /** Sum of the transactions' round-trip times (first transmission to final response), ms. */
  rttMs?: number;
  retransmissions: number;
  transactions: TransactionRecord[];
  bindings: Binding[];
  target?: { transport: TransportName; address: string; port: number };
  /** ws/wss only. */
  handshake?: HandshakeRecord;
  /** Why no credentials could be sent, when challenged (no password, unsupported algorithm). */
  authProblem?: string;
  error?: CheckError;
  /** REGISTER without --keep: the second step, removing the binding the check made (absent when not attempted). */
  removal?: RemovalResult;
  /**
   * A REGISTER check that removes the binding it makes (register mode without `keep`), whether or not it got to
   * register: its reports list the removal step either way (skipped when there was nothing to remove).
   */
  removesOwnBinding?: boolean;
}

/** The REGISTER with Expires: 0 for the check's own Contact (RFC 3261 §10.2.2) and what the registrar then held. */
export interface RemovalResult {
  /** A 2xx came back. */
  ok: boolean;
  status?: number;
  reason?: string;
  rttMs?: number;
  retransmissions: number;
  transactions: TransactionRecord[];
  /** Bindings listed in the 2xx: those left once ours was removed. */
  bindings: Binding[];
  /** The removed Contact. */
  contact: string;
  authProblem?: string;
  error?: CheckError;
}
