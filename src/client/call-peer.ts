/**
 * What a test call answers to the requests its peer sends within the dialog (RFC 3261 §12.2.2): BYE 200 (the call
 * is over), re-INVITE 200 with our unchanged SDP (§14.2), UPDATE 200 (RFC 3311), OPTIONS 200 with Allow; a
 * session refresh from the peer is confirmed with the peer as refresher (RFC 4028 §9). After the call ended, or
 * before it was set up, a re-INVITE or UPDATE gets 481; any other method 405 with Allow (§8.2.1).
 */
import { getHeader, type SipRequest } from '../sip/index.js';
import { ALLOWED_METHODS } from './call-invite.js';
import type { Dialog } from './dialog.js';

export interface PeerAnswer {
  status: number;
  reason: string;
  headers: [string, string][];
  body?: string;
}

export function answerPeerRequest(request: SipRequest, call: { dialog?: Dialog; sdp(): string }): PeerAnswer {
  switch (request.method) {
    case 'BYE':
      return { status: 200, reason: 'OK', headers: [] };
    case 'INVITE':
    case 'UPDATE': {
      if (!call.dialog) return { status: 481, reason: 'Call/Transaction Does Not Exist', headers: [] };
      const headers: [string, string][] = [['Contact', call.dialog.contact]];
      const asked = getHeader(request, 'session-expires');
      if (asked !== undefined) headers.push(['Require', 'timer'], ['Session-Expires', /refresher=/i.test(asked) ? asked : `${asked};refresher=uas`]);
      return request.method === 'INVITE' ? { status: 200, reason: 'OK', headers, body: call.sdp() } : { status: 200, reason: 'OK', headers };
    }
    case 'OPTIONS':
      return { status: 200, reason: 'OK', headers: [['Allow', ALLOWED_METHODS], ['Accept', 'application/sdp']] };
    default:
      return { status: 405, reason: 'Method Not Allowed', headers: [['Allow', ALLOWED_METHODS]] };
  }
}
