/**
 * Client transactions (RFC 3261 §17.1) over one transport, with response matching (§17.1.3).
 * - INVITE (§17.1.1): Timer A retransmits on unreliable transports at T1, 2*T1, 4*T1, ... while Calling;
 *   Timer B = 64*T1 ends it; a 3xx-6xx final response is acknowledged by the transaction (§17.1.1.3).
 * - non-INVITE (§17.1.2): Timer E retransmits at T1 doubling up to T2 (at T2 once Proceeding); Timer F = 64*T1.
 * No retransmissions over reliable transports (TCP, TLS, WS). All timers of a layer share one TimerQueue (one
 * global setTimeout at a time), so tests can drive them with fake time.
 */
import { performance } from 'node:perf_hooks';
import { getHeader, parseCSeq, parseVia, plainViaBranch, type CSeq, type SipMessage, type SipRequest, type SipResponse } from '../sip/index.js';
import { TransportError, type SipTransport, type TransportErrorCode } from '../transport/index.js';
import { branchOf, requestCSeq, headerValue, serializeRequest, type OutgoingRequest } from './request.js';
import { TimerEntry, TimerQueue } from './timer-queue.js';

export interface TimerSettings {
  /** RTT estimate, default 500 ms (RFC 3261 §17.1.1.1). */
  t1: number;
  /** Cap of the non-INVITE retransmit interval, default 4 s (§17.1.2.2). */
  t2: number;
}

export const DEFAULT_TIMERS: TimerSettings = { t1: 500, t2: 4000 };

export type TransactionErrorCode = 'timeout' | TransportErrorCode;

export class TransactionError extends Error {
  readonly code: TransactionErrorCode;
  readonly remote: boolean;
  /** Retransmissions sent before the failure. */
  readonly retransmissions: number;
  constructor(code: TransactionErrorCode, message: string, retransmissions: number, remote = true, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransactionError';
    this.code = code;
    this.remote = remote;
    this.retransmissions = retransmissions;
  }
}

export interface TransactionOutcome {
  response: SipResponse;
  /** 1xx responses in arrival order. */
  provisional: SipResponse[];
  /** Retransmissions of the request (Timer A/E firings that sent it again). */
  retransmissions: number;
  /** From the first transmission to the final response, milliseconds. */
  rttMs: number;
}

/** How long a client transaction may take besides its own timers (Timer B, Timer F). */
export interface TransactionLimits {
  /** The caller's overall limit, ms: ends the transaction in any state; shortens Timer B / Timer F. */
  limitMs?: number;
  /**
   * INVITE only: the limit while Calling, before any provisional response, ms; shortens Timer B (§17.1.1.2), which
   * guards that state only. Once a 1xx has come the INVITE waits for its final response until `limitMs`: ending a
   * ringing INVITE is its transaction user's business (CANCEL, §9.1).
   */
  callingLimitMs?: number;
}

/**
 * What a user agent core (a call's dialog) gets from the layer besides its transactions' outcomes: requests the
 * peer sends us (in-dialog BYE, re-INVITE, ...), and responses that match no transaction (retransmissions of a 2xx
 * to INVITE, which the UA core, not the transaction, must acknowledge again: RFC 3261 §13.2.2.4, §17.1.1.2).
 */
export interface CoreHandlers {
  request?(request: SipRequest, raw: Uint8Array): void;
  strayResponse?(response: SipResponse): void;
}

export interface TraceSink {
  (direction: 'sent' | 'received', raw: Uint8Array, note?: string): void;
}

interface Pending {
  request: OutgoingRequest;
  bytes: Buffer;
  invite: boolean;
  state: 'calling' | 'proceeding';
  retransmissions: number;
  interval: number;
  startedAt: number;
  /** The caller's overall limit for this transaction (performance.now() time), when it gave one. */
  limitAt?: number;
  /**
   * The timeout timer as first scheduled: when it fires (ms after the start) and what it stands for (said in the
   * error). A provisional response moves an INVITE's to `limitMs`.
   */
  timeout: { ms: number; timer: string };
  /** The caller's overall limit, ms (what ends a ringing INVITE). */
  limitMs?: number;
  provisional: SipResponse[];
  /** Why responses with this transaction's branch were not taken (said in the timeout error). */
  discarded: string[];
  /** Call-ID and CSeq number of the request: a response must repeat them (RFC 3261 §8.2.6.2, §17.1.3). */
  callId: string;
  cseqNumber: number;
  onProvisional?: (response: SipResponse) => void;
  /** Timer A / E: fires `retransmit` below. */
  retransmitTimer?: TimerEntry;
  /** Timer B / F, or the caller's overall limit. */
  timeoutTimer?: TimerEntry;
  resolve(outcome: TransactionOutcome): void;
  reject(error: TransactionError): void;
}

/** §17.1.3: a response matches the client transaction whose branch and CSeq method it carries. */
export function branchMethodKey(branch: string, method: string): string {
  return `${branch.toLowerCase()} ${method.toUpperCase()}`;
}

/** Key of a received response: branch of its top Via and its CSeq method; undefined when they cannot be read. */
export function responseKey(message: SipMessage): string | undefined {
  const cseq = readCSeq(message);
  return 'malformed' in cseq ? undefined : keyOf(message, cseq.parsed);
}

/** The branch of the top Via with the CSeq method; undefined without a readable Via branch. */
function keyOf(message: SipMessage, cseq: CSeq): string | undefined {
  const via = getHeader(message, 'via');
  if (!via) return undefined;
  try {
    // most answers echo the Via as we wrote it: its quick path, the general parser for any other form
    const branch = plainViaBranch(via) ?? parseVia(via)[0]?.branch;
    return branch ? branchMethodKey(branch, cseq.method) : undefined;
  } catch {
    return undefined; // a response whose Via cannot be read matches no transaction
  }
}

/**
 * A message's CSeq read once by the one CSeq parser (§20.16), or why it cannot be. A response without a readable
 * CSeq matches no request (§17.1.3 needs its method, §8.2.6.2 its number) and no 2xx can be acknowledged by it
 * (§13.2.2.4): it is discarded, never handed to a transaction or the core, and said in the -v trace.
 */
function readCSeq(message: SipMessage): { parsed: CSeq; value: string } | { malformed: string } {
  const status = message.kind === 'response' ? message.status : message.method;
  const value = getHeader(message, 'cseq');
  if (value === undefined) return { malformed: `a ${status} without CSeq` };
  try {
    return { parsed: parseCSeq(value), value };
  } catch (error) {
    return { malformed: `a ${status} with malformed CSeq ${JSON.stringify(value)} (${(error as { code?: string }).code ?? 'bad-cseq'})` };
  }
}

/** Discarded responses named in a timeout error, at most. */
const MAX_DISCARD_NOTES = 3;

/**
 * Why a response carrying this transaction's branch and CSeq method (§17.1.3) is still not its response: a status
 * code outside 100-699 makes it malformed (§7.2, §21; discarded, §18.1.2), and a UAS copies Call-ID and the CSeq
 * number from the request (§8.2.6.2), so a response with others answers some other request.
 */
function mismatchOf(entry: Pending, response: SipResponse, cseq: { parsed: CSeq; value: string }): string | undefined {
  if (response.status < 100 || response.status > 699) {
    return `a response with status ${response.status}, outside 100-699 (malformed)`;
  }
  const callId = getHeader(response, 'call-id');
  if (callId !== entry.callId) return `a ${response.status} with Call-ID ${JSON.stringify(callId ?? '')}, not the request's`;
  if (cseq.parsed.seq !== entry.cseqNumber) return `a ${response.status} with CSeq ${JSON.stringify(cseq.value)}, not ${entry.cseqNumber} ${entry.request.method}`;
  return undefined;
}

export class TransactionLayer {
  private readonly pending = new Map<string, Pending>();
  /** Timers of the layer's transactions, and of the user agent core above it (a call's answer limit and hold). */
  readonly timerQueue = new TimerQueue();
  private failure: TransactionError | undefined;
  /** Responses that matched no transaction (late retransmissions of a final response, strays). */
  unmatched = 0;
  /** Set by a user agent core that answers requests (a call); a plain check leaves it unset. */
  core: CoreHandlers = {};

  constructor(
    readonly transport: SipTransport,
    readonly timers: TimerSettings = DEFAULT_TIMERS,
    private readonly trace?: TraceSink,
  ) {
    transport.setHandlers({
      message: (message, raw) => this.receive(message, raw),
      error: (error) => this.failAll(error),
      invalid: (raw, reason) => this.trace?.('received', raw, `not a SIP message: ${reason}`),
    });
  }

  /** Active transactions (for load mode bookkeeping). */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Starts a client transaction for `request` (its top Via must carry a fresh branch) and settles with the
   * final response, or rejects with TransactionError on Timer B/F, a limit of `limits` or a transport failure.
   */
  send(request: OutgoingRequest, limits: TransactionLimits = {}, onProvisional?: (response: SipResponse) => void): Promise<TransactionOutcome> {
    if (this.failure) return Promise.reject(this.failure);
    const key = branchMethodKey(branchOf(request), request.method);
    const invite = request.method.toUpperCase() === 'INVITE';
    const { limitMs } = limits;
    // Timer B (§17.1.1.2) / Timer F (§17.1.2.2): 64*T1, shortened by the caller's limits
    const timerMs = 64 * this.timers.t1;
    const callingLimitMs = invite ? limits.callingLimitMs ?? Infinity : Infinity;
    const timeoutMs = Math.min(timerMs, limitMs ?? Infinity, callingLimitMs);
    const timer = invite ? 'Timer B' : 'Timer F';
    const timeout = { ms: timeoutMs, timer: timeoutMs === timerMs ? timer : timeoutMs === callingLimitMs ? 'transaction timeout' : 'overall timeout' };
    return new Promise<TransactionOutcome>((resolve, reject) => {
      const entry: Pending = {
        request,
        bytes: serializeRequest(request),
        invite,
        state: 'calling',
        retransmissions: 0,
        interval: this.timers.t1,
        startedAt: performance.now(),
        limitAt: limitMs === undefined ? undefined : performance.now() + limitMs,
        timeout,
        limitMs,
        provisional: [],
        discarded: [],
        callId: headerValue(request, 'Call-ID') ?? '',
        cseqNumber: requestCSeq(request).seq,
        onProvisional,
        resolve,
        reject,
      };
      this.pending.set(key, entry);
      if (!this.transmit(entry, key)) return;
      if (!this.transport.reliable) {
        entry.retransmitTimer = new TimerEntry(() => this.retransmit(entry, key));
        this.timerQueue.schedule(entry.retransmitTimer, entry.interval);
      }
      entry.timeoutTimer = new TimerEntry(() => this.timeOut(entry, key));
      this.timerQueue.schedule(entry.timeoutTimer, timeoutMs);
    });
  }

  /** Timer B / F or a limit fired: the transaction ends without a final response. */
  private timeOut(entry: Pending, key: string): void {
    this.finish(key);
    const { method } = entry.request;
    // a ringing INVITE was ended by the caller's overall limit (Timer B only guards Calling)
    const ringing = entry.invite && entry.state === 'proceeding';
    const waitedMs = ringing ? entry.limitMs! : entry.timeout.ms;
    const why = ringing ? 'overall timeout after a provisional response' : entry.timeout.timer;
    const discarded = entry.discarded.length > 0 ? `; discarded: ${entry.discarded.join(', ')}` : '';
    const resent = `${entry.retransmissions} retransmission${entry.retransmissions === 1 ? '' : 's'}`;
    entry.reject(new TransactionError('timeout',
      `no final response to ${method} within ${Math.round(waitedMs)} ms (${why}, ${resent}${discarded})`,
      entry.retransmissions));
  }

  private transmit(entry: Pending, key: string): boolean {
    try {
      this.transport.send(entry.bytes);
      this.trace?.('sent', entry.bytes, entry.retransmissions > 0 ? `retransmission ${entry.retransmissions}` : undefined);
      return true;
    } catch (error) {
      this.finish(key);
      const code = error instanceof TransportError ? error.code : 'connection-closed';
      entry.reject(new TransactionError(code, error instanceof Error ? error.message : String(error), entry.retransmissions));
      return false;
    }
  }

  private retransmit(entry: Pending, key: string): void {
    if (!this.pending.has(key)) return;
    entry.retransmissions++;
    if (!this.transmit(entry, key)) return;
    if (entry.invite) {
      entry.interval *= 2; // Timer A doubles without a cap (§17.1.1.2)
    } else {
      // Timer E: min(2*E, T2) while Trying, T2 while Proceeding (§17.1.2.2)
      entry.interval = entry.state === 'proceeding' ? this.timers.t2 : Math.min(2 * entry.interval, this.timers.t2);
    }
    this.timerQueue.schedule(entry.retransmitTimer!, entry.interval);
  }

  private receive(message: SipMessage, raw: Uint8Array): void {
    if (message.kind !== 'response') {
      this.trace?.('received', raw);
      this.core.request?.(message, raw); // a plain UAC check ignores requests sent to it
      return;
    }
    const cseq = readCSeq(message);
    if ('malformed' in cseq) {
      this.trace?.('received', raw, `discarded: ${cseq.malformed}`);
      this.unmatched++;
      return;
    }
    const key = keyOf(message, cseq.parsed);
    const entry = key ? this.pending.get(key) : undefined;
    const mismatch = entry ? mismatchOf(entry, message, cseq) : undefined;
    this.trace?.('received', raw, mismatch === undefined ? undefined : `discarded: ${mismatch}`);
    if (!entry || !key) {
      this.unmatched++;
      this.core.strayResponse?.(message);
      return;
    }
    if (mismatch !== undefined) {
      if (entry.discarded.length < MAX_DISCARD_NOTES) entry.discarded.push(mismatch);
      return;
    }
    if (message.status < 200) {
      entry.provisional.push(message);
      entry.onProvisional?.(message);
      if (entry.state === 'calling') {
        entry.state = 'proceeding';
        if (entry.invite && entry.retransmitTimer) this.timerQueue.cancel(entry.retransmitTimer); // §17.1.1.2: A stops
        if (entry.invite && entry.timeoutTimer) {
          // §17.1.1.2: Timer B guards the Calling state only; a ringing INVITE waits for its final answer (or CANCEL)
          // until the caller's own limit
          this.timerQueue.cancel(entry.timeoutTimer);
          if (entry.limitAt !== undefined) this.timerQueue.schedule(entry.timeoutTimer, Math.max(0, entry.limitAt - performance.now()));
        }
        if (!entry.invite && entry.retransmitTimer) {
          // §17.1.2.2: in Proceeding, Timer E fires at T2
          entry.interval = this.timers.t2;
          this.timerQueue.schedule(entry.retransmitTimer, entry.interval);
        }
      }
      return;
    }
    this.finish(key);
    if (entry.invite && message.status >= 300) this.acknowledge(entry.request, message);
    entry.resolve({
      response: message,
      provisional: entry.provisional,
      retransmissions: entry.retransmissions,
      rttMs: performance.now() - entry.startedAt,
    });
  }

  /** §17.1.1.3: ACK for a 3xx-6xx to INVITE: same Request-URI, Call-ID, From, top Via, Route; To from the response. */
  private acknowledge(invite: OutgoingRequest, response: SipResponse): void {
    const cseqNumber = requestCSeq(invite).seq;
    const headers: [string, string][] = [];
    for (const [name, value] of invite.headers) {
      const lower = name.toLowerCase();
      if (lower === 'via' || lower === 'from' || lower === 'call-id' || lower === 'route' || lower === 'max-forwards') headers.push([name, value]);
    }
    headers.push(['To', getHeader(response, 'to') ?? headerValue(invite, 'To') ?? '']);
    headers.push(['CSeq', `${cseqNumber} ACK`]);
    const ack = serializeRequest({ method: 'ACK', uri: invite.uri, headers });
    try {
      this.transport.send(ack);
      this.trace?.('sent', ack);
    } catch {
      // the INVITE has its final answer; a lost ACK only makes the server retransmit
    }
  }

  /** Sends bytes outside any client transaction (ACK for a 2xx, a response to the peer's request). */
  sendStateless(bytes: Uint8Array): void {
    this.transport.send(bytes);
    this.trace?.('sent', bytes);
  }

  private finish(key: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    if (entry.retransmitTimer) this.timerQueue.cancel(entry.retransmitTimer);
    if (entry.timeoutTimer) this.timerQueue.cancel(entry.timeoutTimer);
    this.pending.delete(key);
  }

  private failAll(error: TransportError): void {
    this.failure = new TransactionError(error.code, error.message, 0, error.remote, { cause: error });
    for (const [key, entry] of [...this.pending]) {
      this.finish(key);
      entry.reject(new TransactionError(error.code, error.message, entry.retransmissions, error.remote, { cause: error }));
    }
  }
}
