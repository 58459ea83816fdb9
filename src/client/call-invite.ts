/** The initial INVITE of a test call (RFC 3261 §13.2.1) with its SDP offer, and its 422 retry (RFC 4028 §7.3). */
import { newBranch } from '../sip/index.js';
import { requestCSeq, withBranch, withHeader, type OutgoingRequest } from './request.js';
import { outOfDialogHeaders, type TargetConnection } from './target-connection.js';

export interface InviteSettings {
  /** User part of From (our address-of-record). */
  user: string;
  contact?: string;
  /** Session-Expires to ask for, seconds (RFC 4028 §7.1); none: we only say `Supported: timer`. */
  sessionExpires?: number;
  headers?: [string, string][];
  userAgent?: string;
}

/** Methods we answer inside the dialog (§20.5). */
export const ALLOWED_METHODS = 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK';

export function buildInvite(connection: TargetConnection, settings: InviteSettings, sdp: string): OutgoingRequest {
  const { target } = connection;
  // pushed, not spread: a spread is an iteration each, on every call of load mode
  const headers = outOfDialogHeaders(connection, 'INVITE', settings.user, settings.contact);
  // RFC 3262 §3 and RFC 4028 §7.1: we can do reliable provisionals and session timers when the peer wants them
  headers.push(['Allow', ALLOWED_METHODS], ['Supported', '100rel, timer']);
  if (settings.sessionExpires !== undefined) headers.push(['Session-Expires', String(settings.sessionExpires)]);
  headers.push(['User-Agent', settings.userAgent ?? 'sipscope'], ['Content-Type', 'application/sdp']);
  if (settings.headers) for (const field of settings.headers) headers.push(field);
  return { method: 'INVITE', uri: target.text, headers, body: sdp };
}

/** RFC 4028 §7.3: after 422, the INVITE again with Session-Expires (and Min-SE) raised to the 422's Min-SE. */
export function inviteWithMinSe(previous: OutgoingRequest, minSe: number): OutgoingRequest {
  const cseq = requestCSeq(previous).seq + 1;
  let next = withHeader(previous, 'Session-Expires', String(minSe));
  next = withHeader(next, 'Min-SE', String(minSe));
  next = withHeader(next, 'CSeq', `${cseq} INVITE`);
  return withBranch(next, newBranch());
}
