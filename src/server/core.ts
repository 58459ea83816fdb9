/**
 * What `sipscope serve` answers (its UAS core, RFC 3261 §8.2, §10.3, §13.3, §14.2, §15.1.2, RFC 3311):
 * REGISTER -> digest, then the registrar; INVITE -> digest, 100, 180, then 200 with SDP; a re-INVITE or UPDATE is
 * authenticated again, so a revoked credential gets 403 on its next refresh; BYE -> 200; CANCEL -> 200 and 487
 * to the INVITE while it is unanswered; OPTIONS -> 200; ACK ends the 2xx retransmissions. Requests for no
 * dialog get 481, methods we do not know 501, a Require we do not support 420 (§8.2.2.3), a body in an INVITE,
 * UPDATE or PRACK that is not SDP 415 (§8.2.3), a re-INVITE while the INVITE is unanswered 500 (§14.2), a CSeq
 * lower than the last in its dialog 500 (§12.2.2); a BYE of a call still ringing ends its INVITE with 487 (§15.1.2).
 * A session timer is granted only to a caller that says it does them and refreshes itself (RFC 4028 §9); one
 * asking for an interval below our minimum gets 422 with Min-SE (§9, §6); a caller that stops refreshing gets a
 * BYE before its session expires (§10); both in session-timer.ts.
 */
import { randomInt } from 'node:crypto';
import { buildResponseTo, cseqOf, getHeader, topViaOf, type SipRequest, type SipResponse } from '../sip/index.js';
import { ACCEPT, ALLOW, cseqNumber, isSdp, OFFER_METHODS, randomTag, safeTag, SUPPORTED, unsupportedOf } from './request-reading.js';
import type { DigestAuthenticator } from './auth.js';
import { contactUriOf, dialogPeerOf, DialogStore, type ServerDialog } from './dialogs.js';
import type { Registrar } from './registrar.js';
import { byeOf, DEFAULT_MIN_SESSION_EXPIRES, grantedInterval, intervalTooSmall, LOCAL_CSEQ, sessionTimerHeaders, SessionTimers } from './session-timer.js';
import { ServerTransactions } from './transactions.js';

export interface Origin {
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
  local: { address: string; port: number };
  remote: { address: string; port: number };
  reliable: boolean;
  send(bytes: Buffer): void;
}

export type ServerLog = (line: string) => void;

export interface CoreOptions {
  auth: DigestAuthenticator;
  registrar: Registrar;
  log: ServerLog;
  /** Delay between 180 and 200, ms (a CANCEL can arrive meanwhile). */
  ringMs: number;
  /** The shortest session interval we grant, seconds (RFC 4028 §9, our Min-SE; default 90, §4's recommended floor). */
  minSessionExpires?: number;
}

interface Pending {
  dialog: ServerDialog;
  invite: SipRequest;
  origin: Origin;
  timer: ReturnType<typeof setTimeout>;
}

export class ServerCore {
  readonly dialogs = new DialogStore();
  private readonly transactions = new ServerTransactions();
  /** INVITEs between 180 and 200, by their branch (a CANCEL names the INVITE by its branch, §9.2). */
  private readonly ringing = new Map<string, Pending>();
  private readonly sdpSession = Math.floor(Date.now() / 1000);
  /** Counters for the control API and the log. */
  readonly counts = { requests: 0, registered: 0, challenged: 0, forbidden: 0, calls: 0, refreshes: 0, refused: 0, sessionExpired: 0 };
  private readonly sessionTimers = new SessionTimers();
  private readonly minSessionExpires: number;

  constructor(private readonly options: CoreOptions) {
    this.minSessionExpires = options.minSessionExpires ?? DEFAULT_MIN_SESSION_EXPIRES;
  }

  /**
   * Answers one request. A missing or malformed CSeq throws HeaderSyntaxError before anything is sent or stored
   * (never later, in the 200's timer); intake.ts answers it 400 (RFC 3261 §8.2.2, §21.4.1; an ACK gets no answer).
   */
  handle(request: SipRequest, origin: Origin): void {
    this.counts.requests++;
    cseqNumber(request);
    let branch: string | undefined;
    try {
      branch = topViaOf(request)?.branch;
    } catch {
      branch = undefined;
    }
    const key = `${branch ?? getHeader(request, 'call-id')} ${request.method === 'ACK' ? 'INVITE' : request.method}`;
    if (request.method === 'ACK') {
      this.acknowledge(request);
      return;
    }
    if (this.transactions.replay(key)) return;
    const inboundToTag = /;\s*tag=([^;>\s]+)/i.exec(getHeader(request, 'to') ?? '')?.[1];
    const respond = (status: number, reason: string, headers: [string, string][] = [], body?: string, toTag?: string): Buffer => {
      // a tag only where the To has none (a dialog-creating or out-of-dialog answer, §8.2.6.2)
      const tag = toTag ?? (status > 100 && inboundToTag === undefined ? randomTag() : undefined);
      const bytes = buildResponseTo(request, { status, reason, toTag: tag, headers: [...headers, ['Server', 'sipscope serve']], body });
      if (status >= 200 || request.method === 'INVITE') this.transactions.remember(key, bytes, origin.send);
      origin.send(bytes);
      return bytes;
    };
    // §8.2.2.3: an extension the request requires and we do not do is refused before anything else (not for CANCEL)
    const unsupported = request.method === 'CANCEL' ? [] : unsupportedOf(request);
    if (unsupported.length > 0) return void respond(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]]);
    // §8.2.3: a session description we cannot read (INVITE, UPDATE and PRACK carry offers and answers) gets 415
    if (OFFER_METHODS.has(request.method) && request.body.length > 0 && !isSdp(getHeader(request, 'content-type'))) {
      return void respond(415, 'Unsupported Media Type', [['Accept', ACCEPT]]);
    }
    if (inboundToTag !== undefined && request.method !== 'CANCEL') {
      this.inDialog(request, origin, inboundToTag, respond);
      return;
    }
    switch (request.method) {
      case 'REGISTER': return this.register(request, origin, respond);
      case 'INVITE': return this.refusedInterval(request, respond) ? undefined : this.invite(request, origin, branch, respond);
      case 'CANCEL': return this.cancel(branch, respond);
      // §11.2: what we allow, accept and support
      case 'OPTIONS': return void respond(200, 'OK', [['Allow', ALLOW], ['Accept', ACCEPT], ['Supported', SUPPORTED.join(', ')]]);
      case 'BYE':
      case 'UPDATE':
      case 'PRACK': return void respond(481, 'Call/Transaction Does Not Exist');
      default: return void respond(501, 'Not Implemented', [['Allow', ALLOW]]);
    }
  }

  private register(request: SipRequest, origin: Origin, respond: Responder): void {
    const verdict = this.authenticate(request, origin, respond);
    if (!verdict) return;
    const answer = this.options.registrar.register(request, verdict);
    if (answer.status === 200) {
      this.counts.registered++;
      respond(200, 'OK', answer.contacts);
    } else {
      if (answer.status === 403) this.counts.forbidden++;
      respond(answer.status, answer.reason, answer.headers ?? []);
    }
  }

  /** The authenticated user, or undefined after answering 400, 401 or 403. */
  private authenticate(request: SipRequest, origin: Origin, respond: Responder, dialog?: ServerDialog): string | undefined {
    const verdict = this.options.auth.check(request, origin.local);
    if (verdict.kind === 'ok') {
      if (dialog && dialog.user !== verdict.user) {
        this.counts.forbidden++;
        respond(403, 'Forbidden (not the credential of this call)');
        return undefined;
      }
      return verdict.user;
    }
    if (verdict.kind === 'forbidden') {
      this.counts.forbidden++;
      const what = dialog ? `${request.method} in call ${dialog.callId}` : request.method;
      this.options.log(`403 to ${what} from user "${verdict.user}": ${verdict.why}`);
      respond(403, 'Forbidden');
      return undefined;
    }
    if (verdict.kind === 'bad-request') {
      this.options.log(`400 to ${request.method} from user "${verdict.user}": ${verdict.why}`);
      respond(400, `Bad Request (${verdict.why})`);
      return undefined;
    }
    this.counts.challenged++;
    respond(401, 'Unauthorized', this.options.auth.challengeHeaders(verdict.stale));
    return undefined;
  }

  private invite(request: SipRequest, origin: Origin, branch: string | undefined, respond: Responder): void {
    const user = this.authenticate(request, origin, respond);
    if (!user) return;
    if (this.dialogs.full) {
      respond(503, 'Service Unavailable (too many calls)', [['Retry-After', '5']]);
      return;
    }
    const localTag = randomTag();
    const now = Date.now();
    const dialog: ServerDialog = {
      callId: getHeader(request, 'call-id') ?? '', localTag, remoteTag: safeTag(request) ?? '', remoteCSeq: cseqNumber(request), user, state: 'early',
      createdAt: now, lastActivity: now, refreshes: 0, ...dialogPeerOf(request, localTag),
    };
    this.dialogs.add(dialog);
    this.counts.calls++;
    respond(100, 'Trying');
    respond(180, 'Ringing', [['Contact', contactOf(origin)]], undefined, localTag);
    const answer = () => {
      if (branch !== undefined) this.ringing.delete(branch);
      dialog.state = 'confirmed';
      const granted = grantedInterval(request);
      const bytes = respond(200, 'OK', [['Contact', contactOf(origin)], ['Allow', ALLOW], ...sessionTimerHeaders(granted)], this.sdp(origin), localTag);
      if (!origin.reliable) this.retransmit2xx(dialog, cseqNumber(request), bytes, origin);
      this.armSessionTimer(dialog, granted, origin);
    };
    if (branch === undefined || this.options.ringMs <= 0) {
      answer();
      return;
    }
    const timer = setTimeout(answer, this.options.ringMs);
    this.ringing.set(branch, { dialog, invite: request, origin, timer });
  }

  /** §9.2: CANCEL of an INVITE still ringing: 200 to the CANCEL, 487 to the INVITE; otherwise no effect. */
  private cancel(branch: string | undefined, respond: Responder): void {
    const pending = branch === undefined ? undefined : this.ringing.get(branch);
    if (!pending) {
      respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    respond(200, 'OK');
    this.terminate(branch!, pending);
  }

  /** Ends an INVITE still ringing with 487 (§9.2 after CANCEL, §15.1.2 after BYE): no 200 follows, the call is gone. */
  private terminate(branch: string, pending: Pending): void {
    clearTimeout(pending.timer);
    this.ringing.delete(branch);
    this.dialogs.remove(pending.dialog);
    const terminated = buildResponseTo(pending.invite, { status: 487, reason: 'Request Terminated', toTag: pending.dialog.localTag });
    this.transactions.remember(`${branch} INVITE`, terminated, pending.origin.send);
    pending.origin.send(terminated);
    // §17.2.1: over UDP a final answer to INVITE is resent until its ACK (Timer G); after our 100 the caller no
    // longer resends the INVITE, so a lost 487 would be lost for good
    if (!pending.origin.reliable) this.transactions.retransmitUntilAck(`${pending.dialog.callId} ${cseqNumber(pending.invite)}`, terminated, pending.origin.send);
  }

  private inDialog(request: SipRequest, origin: Origin, toTag: string, respond: Responder): void {
    const dialog = this.dialogs.find(getHeader(request, 'call-id') ?? '', toTag);
    if (!dialog) {
      respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    // §12.2.2: a CSeq lower than the last one of the peer in this dialog is out of order (retransmissions were replayed above)
    const cseq = cseqNumber(request);
    if (cseq < dialog.remoteCSeq) {
      respond(500, 'Server Internal Error (CSeq out of order)');
      return;
    }
    dialog.remoteCSeq = cseq;
    switch (request.method) {
      case 'INVITE':
      case 'UPDATE': {
        // §14.2: a second INVITE while the first is unanswered gets 500 with Retry-After, 0 to 10 s at random
        if (request.method === 'INVITE' && dialog.state === 'early') {
          respond(500, 'Server Internal Error (INVITE pending)', [['Retry-After', String(randomInt(0, 11))]]);
          return;
        }
        if (this.refusedInterval(request, respond)) return;
        // a refresh is authenticated like the initial INVITE: a revoked credential gets 403 here
        if (!this.authenticate(request, origin, respond, dialog)) {
          this.counts.refused++;
          return;
        }
        dialog.refreshes++;
        this.counts.refreshes++;
        // §12.2.2: a re-INVITE or UPDATE is a target refresh request: its Contact is the remote target from now on
        dialog.remoteTarget = contactUriOf(request) ?? dialog.remoteTarget;
        const granted = grantedInterval(request);
        const body = request.method === 'INVITE' ? this.sdp(origin) : undefined;
        const bytes = respond(200, 'OK', [['Contact', contactOf(origin)], ...sessionTimerHeaders(granted)], body);
        if (request.method === 'INVITE' && !origin.reliable) this.retransmit2xx(dialog, cseq, bytes, origin);
        this.armSessionTimer(dialog, granted, origin);
        return;
      }
      case 'BYE':
        this.endDialog(dialog);
        respond(200, 'OK');
        // §15.1.2: a BYE of a call still ringing ends its INVITE with 487
        for (const [branch, pending] of this.ringing) if (pending.dialog === dialog) this.terminate(branch, pending);
        return;
      case 'OPTIONS':
      case 'PRACK':
        respond(200, 'OK', [['Allow', ALLOW]]);
        return;
      default:
        respond(501, 'Not Implemented', [['Allow', ALLOW]]);
    }
  }

  /** ACK: for a 2xx it ends the retransmissions (§13.3.1.4); for an error response it ends the transaction. */
  private acknowledge(request: SipRequest): void {
    this.transactions.acknowledged(`${getHeader(request, 'call-id')} ${cseqNumber(request)}`);
  }

  /**
   * RFC 4028 §9: a session refresh request (an INVITE, or a re-INVITE or UPDATE of a dialog of ours) of a caller that
   * does session timers asking for an interval below our minimum is refused with 422 and our Min-SE (§6), before its
   * digest challenge; the caller asks again with at least that. Whether it did.
   */
  private refusedInterval(request: SipRequest, respond: Responder): boolean {
    if (!intervalTooSmall(request, this.minSessionExpires)) return false;
    respond(422, 'Session Interval Too Small', [['Min-SE', String(this.minSessionExpires)]]);
    return true;
  }

  /**
   * A response that reached serve: an answer to the BYE of a session that expired ends its retransmissions (RFC 3261
   * §17.1.2.2: any response stops Timer E); any other is none of ours and is ignored.
   */
  response(response: SipResponse): void {
    const cseq = cseqOf(response);
    if (cseq?.method !== 'BYE') return;
    this.transactions.acknowledged(byeKey(getHeader(response, 'call-id') ?? '', cseq.seq));
  }

  /**
   * §13.3.1.4: a 2xx to INVITE over UDP is resent until its ACK; the dialog remembers which, so its end can stop it.
   * A newer INVITE in the dialog stops the older 2xx: the caller sent it in the dialog that 2xx confirmed (its ACK
   * was lost).
   */
  private retransmit2xx(dialog: ServerDialog, cseq: number, bytes: Buffer, origin: Origin): void {
    if (dialog.unacknowledgedCSeq !== undefined) this.transactions.acknowledged(`${dialog.callId} ${dialog.unacknowledgedCSeq}`);
    dialog.unacknowledgedCSeq = cseq;
    this.transactions.retransmitUntilAck(`${dialog.callId} ${cseq}`, bytes, origin.send);
  }

  /**
   * The dialog is over (its BYE, or ours at session expiry): no session timer, and no more 2xx retransmissions. A BYE
   * before the ACK means the ACK was lost (the caller got the 2xx, or it would not be in the dialog): the 2xx stops
   * too (§13.3.1.4 retransmits only while the dialog can still need it; §15.1.1 a BYE ends the session).
   */
  private endDialog(dialog: ServerDialog): void {
    this.dialogs.remove(dialog);
    this.sessionTimers.disarm(dialog);
    if (dialog.unacknowledgedCSeq !== undefined) this.transactions.acknowledged(`${dialog.callId} ${dialog.unacknowledgedCSeq}`);
    dialog.unacknowledgedCSeq = undefined;
  }

  /** RFC 4028 §10: a granted interval (re)starts the session timer; an answer without one stops it. */
  private armSessionTimer(dialog: ServerDialog, granted: number | undefined, origin: Origin): void {
    if (granted === undefined) {
      this.sessionTimers.disarm(dialog);
      return;
    }
    this.sessionTimers.arm(dialog, granted, () => this.expire(dialog, granted, origin));
  }

  /** RFC 4028 §10: no refresh came within the interval: BYE (resent over UDP until answered, Timer E), the call is over. */
  private expire(dialog: ServerDialog, seconds: number, origin: Origin): void {
    if (this.dialogs.find(dialog.callId, dialog.localTag) !== dialog) return;
    this.endDialog(dialog);
    this.counts.sessionExpired++;
    const bye = byeOf(dialog, origin);
    this.options.log(`call ${dialog.callId} of user "${dialog.user}" ended by session expiry: no refresh within ${seconds} s, BYE sent (RFC 4028 §10)`);
    try {
      origin.send(bye);
    } catch {
      // a connection already closed: the caller is gone too
      return;
    }
    if (!origin.reliable) this.transactions.retransmitUntilAck(byeKey(dialog.callId, LOCAL_CSEQ), bye, origin.send);
  }

  private sdp(origin: Origin): string {
    const ip = origin.local.address.includes(':') ? 'IP6' : 'IP4';
    return ['v=0', `o=sipscope-serve ${this.sdpSession} 1 IN ${ip} ${origin.local.address}`, 's=sipscope serve', `c=IN ${ip} ${origin.local.address}`,
      't=0 0', 'm=audio 9 RTP/AVP 0 8', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=recvonly', ''].join('\r\n');
  }

  sweep(): void {
    this.dialogs.sweep();
    this.transactions.sweep();
  }

  close(): void {
    for (const pending of this.ringing.values()) clearTimeout(pending.timer);
    this.ringing.clear();
    this.sessionTimers.close();
    this.transactions.close();
  }
}

/** The retransmission of our BYE, by Call-ID and its CSeq number (its responses match on these, §17.1.3 aside). */
function byeKey(callId: string, cseq: number): string {
  return `BYE ${callId} ${cseq}`;
}

type Responder = (status: number, reason: string, headers?: [string, string][], body?: string, toTag?: string) => Buffer;

function contactOf(origin: Origin): string {
  const host = origin.local.address.includes(':') ? `[${origin.local.address}]` : origin.local.address;
  // RFC 7118 §5.2: the transport parameter is "ws" for WSS too
  const transport = origin.transport === 'wss' ? 'ws' : origin.transport;
  return `<sip:serve@${host}:${origin.local.port}${transport === 'udp' ? '' : `;transport=${transport}`}>`;
}
