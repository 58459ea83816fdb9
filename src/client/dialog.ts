/**
 * The UAC side of a dialog (RFC 3261 §12): its identifiers, route set and remote target taken from the response
 * that created it (§12.1.2), and the requests sent within it (§12.2.1.1): ACK for a 2xx (§13.2.2.4, its own
 * transaction-less request), re-INVITE, UPDATE (RFC 3311), PRACK (RFC 3262) and BYE (§15.1.1). CANCEL (§9.1) is
 * built from the INVITE it cancels.
 */
import { getHeader, getHeaders, namesOptionTag, parseCSeq, parseNameAddr, parseNameAddrList, plainNameAddr, splitHeaderList, type SipResponse } from '../sip/index.js';
import { headerValue, type OutgoingRequest } from './request.js';
import { viaHeader, type TargetConnection } from './target-connection.js';

export interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From of our requests, without the tag (name-addr as sent in the INVITE). */
  localUri: string;
  /** To of our requests, without the tag. */
  remoteUri: string;
  /** §12.1.2: the Contact of the response; the Request-URI of every later request. */
  remoteTarget: string;
  /** §12.1.2: Record-Route of the response in reverse order (UAC side), sent as Route (loose routing, §16.12.1.1). */
  routeSet: string[];
  /** The last CSeq number we used (INVITE, its challenge rounds, PRACK, refreshes): the next request takes one more. */
  localCSeq: number;
  /** Our Contact header value. */
  contact: string;
}

/** The dialog a 1xx (with a To tag, an early dialog) or 2xx to `invite` creates; undefined without a To tag. */
export function dialogFromResponse(invite: OutgoingRequest, response: SipResponse, localCSeq: number): Dialog | undefined {
  // read once per response: the parsers directly, not the per-message cache (a WeakMap entry per message costs the
  // garbage collector more than it saves here, in load mode)
  const to = getHeader(response, 'to');
  // most answers write To and Contact as <URI> and a tag: their quick path, the general parsers for any other form
  const remoteTag = to === undefined ? undefined : (plainNameAddr(to) ?? parseNameAddr(to)).tag;
  if (remoteTag === undefined) return undefined;
  const from = headerValue(invite, 'From') ?? '';
  const localTag = /;\s*tag=([^;>\s]+)/i.exec(from)?.[1] ?? '';
  const recordRouteFields = getHeaders(response, 'record-route');
  // most calls have no Record-Route: no list work for them
  const recordRoute = recordRouteFields.length === 0 ? recordRouteFields : recordRouteFields.flatMap(splitHeaderList).filter((value) => value !== '');
  const contact = getHeader(response, 'contact');
  const remoteTarget = (contact === undefined ? undefined : (plainNameAddr(contact) ?? parseNameAddrList(contact)[0])?.uri) ?? invite.uri;
  return {
    callId: headerValue(invite, 'Call-ID') ?? '',
    localTag,
    remoteTag,
    localUri: from.replace(/;\s*tag=[^;>\s]+/i, ''),
    remoteUri: (headerValue(invite, 'To') ?? '').replace(/;\s*tag=[^;>\s]+/i, ''),
    remoteTarget,
    routeSet: recordRoute.reverse(),
    localCSeq,
    contact: headerValue(invite, 'Contact') ?? '',
  };
}

/** A new request within the dialog (§12.2.1.1): CSeq one more than the last, Route from the route set. */
export function requestInDialog(connection: TargetConnection, dialog: Dialog, method: string, extra: [string, string][] = [], body?: string): OutgoingRequest {
  dialog.localCSeq++;
  return inDialog(connection, dialog, method, dialog.localCSeq, extra, body);
}

/** §13.2.2.4: the ACK for a 2xx carries the INVITE's CSeq number and a branch of its own. */
export function ackFor2xx(connection: TargetConnection, dialog: Dialog, inviteCSeq: number, credentials: [string, string][] = []): OutgoingRequest {
  return inDialog(connection, dialog, 'ACK', inviteCSeq, credentials);
}

function inDialog(connection: TargetConnection, dialog: Dialog, method: string, cseq: number, extra: [string, string][], body?: string): OutgoingRequest {
  const headers: [string, string][] = [['Via', viaHeader(connection)], ['Max-Forwards', '70']];
  for (const route of dialog.routeSet) headers.push(['Route', route]);
  headers.push(
    ['From', `${dialog.localUri};tag=${dialog.localTag}`],
    ['To', `${dialog.remoteUri};tag=${dialog.remoteTag}`],
    ['Call-ID', dialog.callId],
    ['CSeq', `${cseq} ${method}`],
  );
  if (method !== 'ACK' && method !== 'BYE' && method !== 'PRACK') headers.push(['Contact', dialog.contact]);
  for (const field of extra) headers.push(field);
  // body always present (undefined when none), as in the INVITE: one object shape for every request of a call, so
  // the code reading them stays specialised on it (a second shape deoptimised it once per run in load mode)
  return { method, uri: dialog.remoteTarget, headers, body };
}

/**
 * §9.1: CANCEL has the Request-URI, Call-ID, To, From, top Via (same branch: it names the INVITE's server
 * transaction) and Route of the INVITE, and its CSeq number with the method CANCEL.
 */
export function cancelFor(invite: OutgoingRequest): OutgoingRequest {
  const headers: [string, string][] = [];
  let viaSeen = false;
  for (const [name, value] of invite.headers) {
    const lower = name.toLowerCase();
    if (lower === 'via' && !viaSeen) {
      viaSeen = true;
      headers.push([name, value]);
    } else if (lower === 'route' || lower === 'from' || lower === 'to' || lower === 'call-id' || lower === 'max-forwards') {
      headers.push([name, value]);
    } else if (lower === 'cseq') {
      headers.push([name, `${parseCSeq(value).seq} CANCEL`]);
    }
  }
  return { method: 'CANCEL', uri: invite.uri, headers };
}

/** RFC 3262 §4: a reliable provisional response carries Require: 100rel and an RSeq. */
export function reliableSequence(response: SipResponse): number | undefined {
  if (response.status <= 100 || response.status >= 200) return undefined;
  if (!namesOptionTag(response, 'require', '100rel')) return undefined;
  const rseq = Number(getHeader(response, 'rseq'));
  return Number.isInteger(rseq) && rseq > 0 ? rseq : undefined;
}
