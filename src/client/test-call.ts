/**
 * One test call on an open connection, from INVITE to BYE (the flow call.ts describes): setup with challenges,
 * PRACK, 422 and CANCEL; the hold with its refreshes and the revocation verdict; the peer's requests; the record of
 * every transaction. runCall and placeCall (call.ts) create it and hand it its result to fill in.
 */
import { performance } from 'node:perf_hooks';
import { buildResponseTo, getHeader, parseCSeq, type CSeq, type SipRequest, type SipResponse } from '../sip/index.js';
import { DigestClient } from '../sip/digest/index.js';
import type { MediaPort } from './call-media.js';
import { buildInvite, inviteWithMinSe, type InviteSettings } from './call-invite.js';
import { answerPeerRequest, type PeerAnswer } from './call-peer.js';
import type { CallEnd, CallResult, CallStep, CallTransaction } from './call-result.js';
import type { CallEndpoint, CallRouter } from './call-router.js';
import { TimerEntry } from './timer-queue.js';
import { ackFor2xx, cancelFor, dialogFromResponse, reliableSequence, requestInDialog, type Dialog } from './dialog.js';
import { exchange, MAX_CHALLENGE_ROUNDS, type Credentials, type ExchangeOutcome } from './exchange.js';
import { headerValue, serializeRequest, type OutgoingRequest } from './request.js';
import { checkErrorOf, type TargetConnection, type TargetOptions } from './target-connection.js';
import { CallSessionTimer, parseSessionExpires } from './session-timer.js';

export interface CallOptions extends TargetOptions {
  user?: string;
  authUser?: string;
  password?: string;
  /** How long to hold the call after the 2xx, ms. */
  durationMs: number;
  /** Interval between refreshes, ms; none: only when the peer's Session-Expires asks us to refresh. */
  refreshMs?: number;
  refreshMethod?: 'reinvite' | 'update';
  /**
   * CANCEL when the INVITE has no final answer this long after it was first sent, once a provisional response has
   * come (§9.1), ms (default 30 s). Before any response, `timeoutMs` ends the INVITE as it ends any transaction.
   */
  answerTimeoutMs?: number;
  /** Session-Expires to ask for, seconds. */
  sessionExpires?: number;
  contact?: string;
  headers?: [string, string][];
  userAgent?: string;
  /**
   * Limit of each transaction, ms: of the INVITE until its first provisional response (Timer B, RFC 3261
   * §17.1.1.2), after which it waits for the final answer up to `answerTimeoutMs` and then CANCEL.
   */
  timeoutMs: number;
}

export const DEFAULT_ANSWER_TIMEOUT_MS = 30_000;
/** How early a timer may fire and still count as due (setTimeout has millisecond granularity). */
const TIMER_SLACK_MS = 2;
/** 422 rounds (RFC 4028 §7.3) before giving up. */
const MAX_MIN_SE_ROUNDS = 2;

/** §14.1: the owner of the Call-ID waits a random 2.1 to 4 s, in units of 10 ms, before it re-INVITEs again after a 491. */
function glareRetryMs(): number {
  return 2100 + 10 * Math.floor(Math.random() * 191);
}

export function emptyCallResult(): CallResult {
  return { method: 'INVITE', ok: false, challenged: false, endedBy: 'error', refreshes: { sent: 0, ok: 0 }, prackSent: 0, retransmissions: 0, transactions: [] };
}

/**
 * The CSeq of a message read by the one CSeq parser (RFC 3261 §20.16), or undefined when it has none it can read.
 * The transaction layer discards responses with a malformed CSeq before they get here (transaction.ts).
 */
function readableCSeq(message: SipRequest | SipResponse): CSeq | undefined {
  // the parser directly: each message's CSeq is read here once or twice, not worth a cache entry per message
  const value = getHeader(message, 'cseq');
  if (value === undefined) return undefined;
  try {
    return parseCSeq(value);
  } catch {
    return undefined;
  }
}

function cseqNumber(message: SipRequest | SipResponse): number | undefined {
  return readableCSeq(message)?.seq;
}

export class TestCall implements CallEndpoint {
  private readonly digest?: DigestClient;
  private startedAt?: number;
  private answeredAt?: number;
  private dialog?: Dialog;
  private callId = '';
  /** ACKs sent per INVITE CSeq number, re-sent when the 2xx is retransmitted (§13.2.2.4). */
  private readonly acks = new Map<number, Buffer>();
  /** RFC 3262 §4: the RSeq of the last reliable provisional acknowledged, per early dialog (the peer's To tag). */
  private readonly lastRSeq = new Map<string, number>();
  /** RFC 4028: the interval granted, who refreshes, the Min-SE our refreshes carry, the last refresh. */
  private readonly session = new CallSessionTimer();
  private peerHungUp = false;
  /** §12.2.2: the highest CSeq of the peer's requests; §14.2: our INVITE that has no final answer yet. */
  private remoteCSeq?: number;
  private invitePending = false;
  /** We sent CANCEL and the INVITE was answered 2xx all the same. */
  private cancelCrossed = false;
  private wake?: () => void;
  private readonly background: Promise<unknown>[] = [];

  constructor(
    private readonly connection: TargetConnection,
    private readonly router: CallRouter,
    private readonly options: CallOptions,
    private readonly invite: InviteSettings,
    private readonly credentials: Credentials,
    private readonly media: MediaPort,
    private readonly result: CallResult,
  ) {
    if (credentials.password !== undefined) this.digest = new DigestClient(credentials.username, credentials.password);
  }

  async run(): Promise<void> {
    try {
      if (!(await this.setup())) return;
      if (this.cancelCrossed) {
        // §9.1, §15: the 2xx crossed our CANCEL; it is acknowledged, and the call we gave up on ends with BYE now
        await this.hangUp(false);
        this.result.endedBy = 'cancelled';
        return;
      }
      const held = await this.hold();
      if (held === 'remote-bye') {
        this.result.endedBy = 'remote-bye';
        this.result.lifetimeMs = performance.now() - this.answeredAt!;
        return;
      }
      if (held !== 'done' && held !== 'gone') this.result.endedBy = held;
      if (held !== 'gone') await this.hangUp(held === 'done');
      else this.result.endedBy = 'refresh-failed';
    } finally {
      // PRACKs and CANCEL sent on the side; most calls have none
      if (this.background.length > 0) await Promise.allSettled(this.background);
      this.router.remove(this.callId);
    }
  }

  /** INVITE until a final answer: true when the call was answered (2xx) and acknowledged. */
  private async setup(): Promise<boolean> {
    let request = buildInvite(this.connection, this.invite, this.media.offer(1));
    this.callId = headerValue(request, 'Call-ID')!;
    this.result.callId = this.callId;
    this.router.add(this.callId, this);
    let current = request;
    let provisionalSeen = false;
    let cancelWanted = false;
    let cancelSent = false;
    const cancel = () => {
      if (cancelSent) return;
      cancelSent = true;
      this.background.push(this.transact('cancel', cancelFor(current)));
    };
    const answerTimeoutMs = this.options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS;
    // §9.1: CANCEL only once a provisional response came; before that, wait for one until Timer B, which --timeout
    // shortens (§17.1.1.2: an INVITE that nothing answers fails as any transaction does). On the layer's timer
    // queue, as the hold below: load mode runs hundreds of calls, each would otherwise add Node timers
    const timers = this.connection.layer.timerQueue;
    const timer = new TimerEntry(() => {
      cancelWanted = true;
      if (provisionalSeen) cancel();
    });
    timers.schedule(timer, answerTimeoutMs);
    let outcome: ExchangeOutcome;
    this.invitePending = true;
    try {
      for (let round = 0; ; round++) {
        outcome = await this.transact('setup', request, undefined, {
          // a ringing INVITE: until the answer timer's CANCEL, then --timeout for its 487 (§9.1)
          deadline: Date.now() + answerTimeoutMs + this.options.timeoutMs,
          callingLimitMs: this.options.timeoutMs,
          sending: (sent) => {
            current = sent;
            this.startedAt ??= performance.now();
          },
          provisional: (response, sent) => {
            provisionalSeen = true;
            if (cancelWanted) cancel();
            this.acknowledgeProvisional(response, sent);
          },
        });
        if (outcome.final?.status !== 422 || round >= MAX_MIN_SE_ROUNDS) break;
        const minSe = this.session.raiseMinSe(outcome.final);
        if (minSe === undefined) break;
        request = inviteWithMinSe(current, minSe);
      }
    } finally {
      timers.cancel(timer);
      this.invitePending = false;
    }
    const final = outcome.final;
    this.result.status = final?.status;
    this.result.reason = final?.reason;
    if (outcome.error || !final) {
      this.result.error = checkErrorOf(outcome.error);
      this.result.endedBy = cancelSent ? 'cancelled' : 'error';
      return false;
    }
    if (final.status >= 300) {
      this.result.endedBy = cancelSent && final.status === 487 ? 'cancelled' : 'rejected';
      return false;
    }
    this.cancelCrossed = cancelSent;
    this.answeredAt = performance.now();
    this.result.setupMs = this.answeredAt - this.startedAt!;
    const inviteCSeq = cseqNumber(final) ?? 1;
    this.dialog = dialogFromResponse(current, final, Math.max(inviteCSeq, this.dialog?.localCSeq ?? 0));
    if (!this.dialog) {
      this.result.error = { code: 'bad-response', message: `the ${final.status} to INVITE has no To tag (RFC 3261 §12.1.1)`, remote: true };
      return false;
    }
    this.acknowledge2xx(inviteCSeq);
    this.grant(final);
    return true;
  }

  /** RFC 3262 §4: PRACK each reliable provisional once and in order (RSeq one more each time), in its early dialog. */
  private acknowledgeProvisional(response: SipResponse, invite: OutgoingRequest): void {
    const rseq = reliableSequence(response);
    if (rseq === undefined) return;
    const inviteCSeq = cseqNumber(response) ?? 1;
    const early = dialogFromResponse(invite, response, Math.max(inviteCSeq, this.dialog?.localCSeq ?? 0));
    if (!early) return;
    // the first sets the sequence; after it only the next number is taken: a retransmission (same or older RSeq)
    // is discarded, one past a gap is neither acknowledged nor processed
    const last = this.lastRSeq.get(early.remoteTag);
    if (last !== undefined && rseq !== last + 1) return;
    this.lastRSeq.set(early.remoteTag, rseq);
    const prack = requestInDialog(this.connection, early, 'PRACK', [['RAck', `${rseq} ${inviteCSeq} INVITE`]]);
    this.dialog = early; // keeps the CSeq count; the 2xx replaces it with the confirmed dialog
    this.result.prackSent++;
    this.background.push(this.transact('prack', prack));
  }

  /** §13.2.2.4: the ACK for a 2xx is built by the UA core and sent outside any transaction. */
  private acknowledge2xx(inviteCSeq: number): void {
    const ack = serializeRequest(ackFor2xx(this.connection, this.dialog!, inviteCSeq));
    this.acks.set(inviteCSeq, ack);
    this.record({ request: 'ACK', cseq: inviteCSeq, provisional: [], retransmissions: 0, credentials: [], step: 'ack', atMs: this.sinceStart() });
    this.sendQuietly(ack);
  }

  private grant(response: SipResponse): void {
    const granted = this.session.answered(response);
    if (!granted) return;
    this.result.sessionExpires = granted.refresher === undefined ? { seconds: granted.seconds } : { seconds: granted.seconds, refresher: granted.refresher };
  }

  private refreshInterval(): number | undefined {
    return this.session.refreshIntervalMs(this.options.refreshMs);
  }

  /** Holds the call until the duration is over, refreshing it; says why it stopped. */
  private async hold(): Promise<'done' | 'remote-bye' | 'gone' | CallEnd> {
    const endAt = this.answeredAt! + this.options.durationMs;
    let interval = this.refreshInterval();
    let nextRefresh = interval === undefined ? Infinity : this.answeredAt! + interval;
    for (let refresh = 1; ; ) {
      const wakeAt = Math.min(endAt, nextRefresh, this.sessionEndsAt());
      if (!this.peerHungUp) await this.sleep(wakeAt - performance.now());
      if (this.peerHungUp) return 'remote-bye';
      if (this.session.takeChange()) {
        interval = this.refreshInterval();
        nextRefresh = interval === undefined ? Infinity : performance.now() + interval;
      }
      // timers may fire a little early: within TIMER_SLACK_MS counts as due, earlier means sleep on
      const now = performance.now();
      if (now >= endAt - TIMER_SLACK_MS) return 'done';
      if (now >= this.sessionEndsAt() - TIMER_SLACK_MS) return 'session-expired';
      if (now < nextRefresh - TIMER_SLACK_MS) continue;
      const verdict = await this.refresh(refresh++);
      if (verdict !== 'ok' && verdict !== 'glare') return verdict;
      interval = this.refreshInterval();
      // §14.1: after a 491 the owner of the Call-ID (we are) tries again 2.1 to 4 s later, sooner if the interval is
      const retryMs = verdict === 'glare' ? glareRetryMs() : Infinity;
      nextRefresh = interval === undefined && retryMs === Infinity ? Infinity : performance.now() + Math.min(interval ?? Infinity, retryMs);
    }
  }

  /** RFC 4028 §10: when we send BYE if the peer, the refresher, stops refreshing; Infinity when we refresh. */
  private sessionEndsAt(): number {
    return this.session.byeAt(this.answeredAt!);
  }

  private async refresh(refresh: number): Promise<'ok' | 'glare' | 'gone' | CallEnd> {
    const update = this.options.refreshMethod === 'update';
    const method = update ? 'UPDATE' : 'INVITE';
    this.result.refreshes.sent++;
    let outcome = await this.sendRefresh(method, refresh);
    // RFC 4028 §7.3: a 422 names the peer's Min-SE; the same refresh again, its interval raised to it (twice at most)
    for (let round = 0; outcome.final?.status === 422 && round < MAX_MIN_SE_ROUNDS; round++) {
      if (this.session.raiseMinSe(outcome.final) === undefined) break;
      outcome = await this.sendRefresh(method, refresh);
    }
    const status = outcome.final?.status;
    if (status !== undefined && status >= 200 && status < 300) {
      if (!update) this.acknowledge2xx(cseqNumber(outcome.final!) ?? this.dialog!.localCSeq);
      this.session.refreshed(performance.now());
      this.grant(outcome.final!);
      this.result.refreshes.ok++;
      return 'ok';
    }
    if (status === 491) return 'glare'; // §14.1: the session is unchanged; hold() tries again soon
    const afterMs = performance.now() - this.answeredAt!;
    // a 403, or a 401/407 we answered and that came again (or could not answer): the credential is refused
    if (status === 403 || status === 401 || status === 407) {
      this.result.revocation = { refresh, method, afterMs, status, reason: outcome.final!.reason };
      if (outcome.authProblem) this.result.revocation.authProblem = outcome.authProblem;
      return 'revoked';
    }
    if (outcome.error) this.result.error = checkErrorOf(outcome.error);
    // §12.2.1.2: 481 or 408 to a request within a dialog ends the dialog; 481 needs no BYE
    return status === 481 ? 'gone' : 'refresh-failed';
  }

  private sendRefresh(method: 'INVITE' | 'UPDATE', refresh: number): Promise<ExchangeOutcome> {
    const extra: [string, string][] = [['Supported', '100rel, timer'], ...this.session.refreshHeaders()];
    // RFC 4028 §9: an UPDATE refresh carries no offer; a re-INVITE re-offers the unchanged session (RFC 3264 §8)
    if (method === 'INVITE') extra.push(['Content-Type', 'application/sdp']);
    const body = method === 'INVITE' ? this.media.offer(1) : undefined;
    const request = requestInDialog(this.connection, this.dialog!, method, [...extra, ...this.preemptive(method, body)], body);
    this.invitePending = method === 'INVITE';
    return this.transact('refresh', request, refresh).finally(() => {
      this.invitePending = false;
    });
  }

  private async hangUp(expected: boolean): Promise<void> {
    const bye = requestInDialog(this.connection, this.dialog!, 'BYE', this.preemptive('BYE'));
    const outcome = await this.transact('bye', bye);
    this.result.lifetimeMs = performance.now() - this.answeredAt!;
    const status = outcome.final?.status;
    if (expected) {
      this.result.endedBy = 'bye';
      this.result.ok = status !== undefined && status >= 200 && status < 300;
      if (outcome.error && !this.result.error) this.result.error = checkErrorOf(outcome.error);
    }
  }

  /**
   * Credentials for a request in the dialog under the challenges already answered (RFC 3261 §22.3); `body` is the
   * request's, hashed under qop=auth-int (RFC 7616 §3.4.3).
   */
  private preemptive(method: string, body?: string): [string, string][] {
    if (!this.digest) return [];
    return this.digest.authorizeAgain({ method, uri: this.dialog!.remoteTarget, body })
      .map((built): [string, string] => [built.header === 'authorization' ? 'Authorization' : 'Proxy-Authorization', built.value]);
  }

  /** One exchange (challenge rounds included), recorded with the step it served and when each round started. */
  private async transact(
    step: CallStep,
    request: OutgoingRequest,
    refresh?: number,
    hooks: { deadline?: number; callingLimitMs?: number; sending?(request: OutgoingRequest): void; provisional?(response: SipResponse, request: OutgoingRequest): void } = {},
  ): Promise<ExchangeOutcome> {
    const sentAt: number[] = [];
    const outcome = await exchange(this.connection.layer, request, this.credentials, hooks.deadline ?? Date.now() + this.options.timeoutMs, MAX_CHALLENGE_ROUNDS, {
      digest: this.digest,
      sending: (sent) => {
        hooks.sending?.(sent);
        sentAt.push(this.sinceStart());
      },
      provisional: hooks.provisional,
      callingLimitMs: hooks.callingLimitMs,
    });
    outcome.transactions.forEach((record, index) => {
      // the exchange's record becomes the call's (no copy: a spread of records of varying shape is slow in load mode)
      const entry = record as CallTransaction;
      entry.step = step;
      entry.atMs = sentAt[index] ?? this.sinceStart();
      if (refresh !== undefined) entry.refresh = refresh;
      this.record(entry);
    });
    const last = outcome.transactions[outcome.transactions.length - 1];
    if (this.dialog && last && step !== 'cancel' && step !== 'setup') this.dialog.localCSeq = Math.max(this.dialog.localCSeq, last.cseq);
    if (outcome.challenged) this.result.challenged = true;
    if (outcome.answered) Object.assign(this.result, outcome.answered);
    if (outcome.authProblem && step === 'setup') this.result.authProblem = outcome.authProblem;
    return outcome;
  }

  private record(entry: CallTransaction): void {
    this.result.transactions.push(entry);
  }

  private sinceStart(): number {
    return this.startedAt === undefined ? 0 : performance.now() - this.startedAt;
  }

  private sleep(ms: number): Promise<void> {
    const timers = this.connection.layer.timerQueue;
    return new Promise((resolve) => {
      // hold() takes a wake-up up to TIMER_SLACK_MS early as due: the queue may fire it that early with another
      // entry (one wake-up for the holds of several calls in load mode). One ms less, as the queue's Date.now()
      // clock counts whole milliseconds and performance.now() does not
      const timer = new TimerEntry(done, TIMER_SLACK_MS - 1);
      timers.schedule(timer, Math.max(0, ms));
      function done() {
        timers.cancel(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private sendQuietly(bytes: Buffer): void {
    try {
      this.connection.layer.sendStateless(bytes);
    } catch {
      // a failed transport shows in the next transaction
    }
  }

  /** A 2xx to INVITE again: its ACK got lost, send it again (§13.2.2.4). */
  strayResponse(response: SipResponse): void {
    const cseq = readableCSeq(response);
    if (cseq?.method !== 'INVITE' || response.status < 200 || response.status >= 300) return;
    const ack = this.acks.get(cseq.seq);
    if (ack) this.sendQuietly(ack);
  }

  /**
   * The peer's re-INVITE or UPDATE, answered 200, refreshed the session (RFC 4028 §10); the Session-Expires of our
   * answer is the new interval and names the refresher of this transaction (§9): `uas` is us, `uac` the peer.
   */
  private refreshedByPeer(answer: PeerAnswer): void {
    const answered = parseSessionExpires(answer.headers.find(([name]) => name === 'Session-Expires')?.[1]);
    const granted = this.session.refreshedByPeer(answered, performance.now());
    if (granted === undefined) return;
    this.result.sessionExpires = { ...granted };
    this.wake?.();
  }

  /** The peer's requests within the call (§12.2.2), answered as call-peer.ts says. */
  request(request: SipRequest): Buffer | undefined {
    if (request.method === 'ACK') return undefined;
    if (readableCSeq(request) === undefined) {
      // §8.2.2, §21.4.1: a request whose CSeq cannot be read gets 400 and has no effect (a BYE does not end the call)
      this.record({ request: request.method, cseq: 0, status: 400, reason: 'Bad Request (malformed CSeq)', provisional: [], retransmissions: 0, credentials: [], step: 'peer', atMs: this.sinceStart() });
      return buildResponseTo(request, { status: 400, reason: 'Bad Request (malformed CSeq)', toTag: this.dialog?.localTag });
    }
    const cseq = cseqNumber(request)!;
    const answer = answerPeerRequest(request, cseq, {
      dialog: this.peerHungUp ? undefined : this.dialog, sdp: () => this.media.offer(1), remoteCSeq: this.remoteCSeq, invitePending: this.invitePending,
    });
    if (answer.status !== 500) this.remoteCSeq = Math.max(this.remoteCSeq ?? 0, cseq);
    if ((request.method === 'INVITE' || request.method === 'UPDATE') && answer.status === 200) this.refreshedByPeer(answer);
    if (request.method === 'BYE' && answer.status === 200) {
      this.peerHungUp = true;
      this.wake?.();
    }
    const { status, reason } = answer;
    this.record({ request: request.method, cseq, status, reason, provisional: [], retransmissions: 0, credentials: [], step: 'peer', atMs: this.sinceStart() });
    return buildResponseTo(request, { ...answer, toTag: this.dialog?.localTag });
  }
}
