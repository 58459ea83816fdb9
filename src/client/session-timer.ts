/**
 * Session timers (RFC 4028): the Session-Expires a 2xx grants (§7.2: with refresher=uac we refresh, at half the
 * interval, §10) and the Min-SE of a 422 (§6: retry with Session-Expires raised to it).
 */
import { getHeader, parseMinSessionExpires, parseSessionExpires, type SessionExpires, type SipResponse } from '../sip/index.js';

export { parseSessionExpires, type SessionExpires };

export function sessionExpiresOf(response: SipResponse): SessionExpires | undefined {
  return parseSessionExpires(getHeader(response, 'session-expires'));
}

/** Min-SE: delta-seconds of a 422 (§5). */
export function minSessionExpiresOf(response: SipResponse): number | undefined {
  return parseMinSessionExpires(getHeader(response, 'min-se'));
}

/**
 * §7.4: the session timer fields of our refresh: the interval granted (raised to the Min-SE a 422 named, §7.3) with
 * us as refresher, and that Min-SE, which every later refresh of the dialog carries.
 */
export function refreshTimerHeaders(granted: SessionExpires | undefined, minSe: number | undefined): [string, string][] {
  const seconds = granted === undefined ? minSe : Math.max(granted.seconds, minSe ?? 0);
  const headers: [string, string][] = seconds === undefined ? [] : [['Session-Expires', `${seconds};refresher=uac`]];
  if (minSe !== undefined) headers.push(['Min-SE', String(minSe)]);
  return headers;
}

/** §10: the refresher sends its refresh at half the interval. */
export function refreshIntervalMs(granted: SessionExpires): number {
  return (granted.seconds * 1000) / 2;
}
