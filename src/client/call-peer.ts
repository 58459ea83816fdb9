/**
 * What a test call answers to the requests its peer sends within the dialog (RFC 3261 §12.2.2): BYE 200 (the call
 * is over), re-INVITE 200 with our unchanged SDP (§14.2), UPDATE 200 (RFC 3311), OPTIONS 200 with Allow; a
 * session refresh from the peer is confirmed as sessionTimerAnswer says (RFC 4028 §9). After the call ended, or
 * before it was set up, a re-INVITE or UPDATE gets 481; any other method 405 with Allow (§8.2.1). A request whose
 * CSeq is lower than the peer's last one gets 500 (§12.2.2); a re-INVITE while our own INVITE is in progress, or
 * an UPDATE with an offer meanwhile, gets 491 (§14.2, RFC 3311 §5.2: glare; the peer tries again later).
 */
import { getHeader, parseSessionExpires, supportsSessionTimer, type SipRequest } from '../sip/index.js';
import { ALLOWED_METHODS } from './call-invite.js';
import type { Dialog } from './dialog.js';

export interface PeerAnswer {
  status: number;
  reason: string;
  headers: [string, string][];
  body?: string;
}

export interface PeerRequestContext {
  dialog?: Dialog;
  sdp(): string;
  /** The highest CSeq number of the peer's requests so far (§12.2.2: the remote sequence number). */
  remoteCSeq?: number;
  /** Our INVITE or re-INVITE has had no final answer yet: its offer is pending. */
  invitePending?: boolean;
}

export function answerPeerRequest(request: SipRequest, cseq: number, call: PeerRequestContext): PeerAnswer {
  if (call.remoteCSeq !== undefined && cseq < call.remoteCSeq) return { status: 500, reason: 'Server Internal Error (CSeq out of order)', headers: [] };
  const offers = request.method === 'INVITE' || (request.method === 'UPDATE' && request.body.length > 0);
  if (call.dialog && call.invitePending && offers) return { status: 491, reason: 'Request Pending', headers: [] };
  switch (request.method) {
    case 'BYE':
      return { status: 200, reason: 'OK', headers: [] };
    case 'INVITE':
    case 'UPDATE': {
      if (!call.dialog) return { status: 481, reason: 'Call/Transaction Does Not Exist', headers: [] };
      const headers: [string, string][] = [['Contact', call.dialog.contact]];
      headers.push(...sessionTimerAnswer(request));
      return request.method === 'INVITE' ? { status: 200, reason: 'OK', headers, body: call.sdp() } : { status: 200, reason: 'OK', headers };
    }
    case 'OPTIONS':
      return { status: 200, reason: 'OK', headers: [['Allow', ALLOWED_METHODS], ['Accept', 'application/sdp']] };
    default:
      return { status: 405, reason: 'Method Not Allowed', headers: [['Allow', ALLOWED_METHODS]] };
  }
}

/**
 * RFC 4028 §9: the Session-Expires of our 2xx to the peer's session refresh. A peer that does session timers
 * (`timer` in its Supported or Require) keeps the refresher it chose (none chosen: we refresh, `uas`), and the 2xx
 * says `Require: timer`. A peer that does not (a Session-Expires a proxy added) cannot refresh: we do
 * (`refresher=uas`), and the 2xx has no `Require: timer`, which §9 allows only when the request said it supports it.
 */
function sessionTimerAnswer(request: SipRequest): [string, string][] {
  const asked = parseSessionExpires(getHeader(request, 'session-expires'));
  if (asked === undefined) return [];
  if (!supportsSessionTimer(request)) return [['Session-Expires', `${asked.seconds};refresher=uas`]];
  return [['Require', 'timer'], ['Session-Expires', `${asked.seconds};refresher=${asked.refresher ?? 'uas'}`]];
}
