/**
 * Session timers (RFC 4028): the Session-Expires a 2xx grants (§7.2: with refresher=uac we refresh, at half the
 * interval, §10) and the Min-SE of a 422 (§6: retry with Session-Expires raised to it).
 */
import { getHeader, type SipResponse } from '../sip/index.js';

export interface SessionExpires {
  seconds: number;
  refresher?: 'uac' | 'uas';
}

/** Session-Expires: delta-seconds *(;se-params), compact form x (§4). */
export function parseSessionExpires(value: string | undefined): SessionExpires | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+)\s*(.*)$/.exec(value);
  if (!match) return undefined;
  const refresher = /;\s*refresher\s*=\s*(uac|uas)\b/i.exec(match[2])?.[1]?.toLowerCase() as 'uac' | 'uas' | undefined;
  return refresher === undefined ? { seconds: Number(match[1]) } : { seconds: Number(match[1]), refresher };
}

export function sessionExpiresOf(response: SipResponse): SessionExpires | undefined {
  return parseSessionExpires(getHeader(response, 'session-expires'));
}

/** Min-SE: delta-seconds of a 422 (§5). */
export function minSessionExpiresOf(response: SipResponse): number | undefined {
  const match = /^\s*(\d+)/.exec(getHeader(response, 'min-se') ?? '');
  return match ? Number(match[1]) : undefined;
}

/** §10: the refresher sends its refresh at half the interval. */
export function refreshIntervalMs(granted: SessionExpires): number {
  return (granted.seconds * 1000) / 2;
}
