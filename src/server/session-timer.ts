/**
 * Session timers (RFC 4028) of `sipscope serve`: which interval a 2xx grants (§9) and when a request gets 422 (§9, §6).
 */
import { getHeader, parseSessionExpires, supportsSessionTimer, type SipRequest } from '../sip/index.js';

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
