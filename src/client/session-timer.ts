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

/** §10: the refresher sends its refresh at half the interval. */
export function refreshIntervalMs(granted: SessionExpires): number {
  return (granted.seconds * 1000) / 2;
}
