/**
 * Session timers (RFC 4028) of `sipscope serve`: which interval a 2xx grants (§9), when a request gets 422 (§9, §6),
 * and what happens when the caller stops refreshing (§10).
 *
 * serve grants a session interval only with the caller as refresher, so serve is the side that does not refresh,
 * and for that side a session that sees no refresh within the interval is over (§10): it sends BYE min(32 s,
 * interval/3) before the session would expire. Each refresh that is granted again arms the timer anew; a refresh
 * answered without Session-Expires (no session timer from then on, §10) disarms it, as does the caller's BYE.
 *
 * The BYE is built as RFC 3261 §12.2.1.1 says (Request-URI the remote target, Route the route set, From and To the
 * dialog's URIs with their tags, a CSeq of ours, §8.1.1.5) and sent back the way the caller's requests came (the
 * same UDP socket and source address, or the same connection): serve answers on loopback, where that is the path.
 */
import { byeBeforeExpiryMs, formatMessage, getHeader, hostPort, newBranch, parseSessionExpires, supportsSessionTimer, type SipRequest } from '../sip/index.js';
import type { ServerDialog } from './dialogs.js';

/** RFC 4028 §4, §5: session intervals below 90 s are not recommended; serve's Min-SE unless told otherwise. */
export const DEFAULT_MIN_SESSION_EXPIRES = 90;

/**
 * RFC 4028 §9: the session interval our 2xx grants, seconds, or none. serve never sends refreshes of its own, so
 * it grants a session interval only when the caller will be the refresher: the caller does session timers (`timer`
 * in its Supported or Require; without it §9 would make us the refresher, and a Require: timer it does not
 * understand is forbidden) and did not ask us to refresh (`refresher=uas`, which §9 says the answer must keep).
 * Then the interval is granted unchanged (never raised, so never below the request's Min-SE; never below ours,
 * which a smaller one got 422 for). Otherwise the answer has no Session-Expires: no session timer (§7.2).
 */
export function grantedInterval(request: SipRequest): number | undefined {
  const asked = parseSessionExpires(getHeader(request, 'session-expires'));
  if (asked === undefined || !supportsSessionTimer(request) || asked.refresher === 'uas') return undefined;
  return asked.seconds;
}

/**
 * RFC 4028 §9: the caller does session timers and asks for an interval below our minimum: 422 with our Min-SE. A
 * caller that does not (a Session-Expires a proxy added) is not refused (§8.1, erratum 1687: that would only fail
 * the call); serve grants it no session timer anyway.
 */
export function intervalTooSmall(request: SipRequest, minimumSeconds: number): boolean {
  const asked = parseSessionExpires(getHeader(request, 'session-expires'));
  return asked !== undefined && asked.seconds < minimumSeconds && supportsSessionTimer(request);
}

/** RFC 4028 §9: the 2xx granting `seconds` names the caller the refresher, and `Require: timer` says the 2xx does. */
export function sessionTimerHeaders(seconds: number | undefined): [string, string][] {
  return seconds === undefined ? [] : [['Require', 'timer'], ['Session-Expires', `${seconds};refresher=uac`]];
}

/** Our end of the way the caller's requests came: its transport and the local address they reached. */
export interface ByeWay {
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
  local: { address: string; port: number };
}

/**
 * serve's requests in a dialog start their CSeq here (§8.1.1.5: any number below 2**31); the only one it sends is
 * the session-expiry BYE.
 */
export const LOCAL_CSEQ = 1;

/** The BYE of a dialog whose session expired (RFC 3261 §12.2.1.1, §15.1.1). */
export function byeOf(dialog: ServerDialog, way: ByeWay): Buffer {
  // RFC 7118 §5: the Via transport of WebSocket is WS, of secure WebSocket WSS
  const via = `SIP/2.0/${way.transport.toUpperCase()} ${hostPort(way.local.address, way.local.port)};branch=${newBranch()};rport`;
  const headers = [
    { name: 'Via', value: via },
    { name: 'Max-Forwards', value: '70' },
    ...dialog.routeSet.map((route) => ({ name: 'Route', value: route })),
    { name: 'From', value: dialog.localUri },
    { name: 'To', value: dialog.remoteUri },
    { name: 'Call-ID', value: dialog.callId },
    { name: 'CSeq', value: `${LOCAL_CSEQ} BYE` },
    { name: 'User-Agent', value: 'sipscope serve' },
  ];
  return formatMessage({ kind: 'request', method: 'BYE', uri: dialog.remoteTarget, headers });
}

/** The armed session timers, one per dialog. */
export class SessionTimers {
  private readonly armed = new Map<ServerDialog, ReturnType<typeof setTimeout>>();

  /** A granted interval of `seconds` starts now (the 2xx of the INVITE or of a refresh); `expired` runs at its BYE time. */
  arm(dialog: ServerDialog, seconds: number, expired: () => void): void {
    this.disarm(dialog);
    const timer = setTimeout(() => {
      this.armed.delete(dialog);
      expired();
    }, byeBeforeExpiryMs(seconds));
    timer.unref();
    this.armed.set(dialog, timer);
  }

  disarm(dialog: ServerDialog): void {
    const timer = this.armed.get(dialog);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.armed.delete(dialog);
  }

  close(): void {
    for (const timer of this.armed.values()) clearTimeout(timer);
    this.armed.clear();
  }
}
