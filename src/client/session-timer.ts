/**
 * Session timers (RFC 4028): the Session-Expires a 2xx grants (§7.2: with refresher=uac we refresh, at half the
 * interval, §10) and the Min-SE of a 422 (§6: retry with Session-Expires raised to it).
 */
import { byeBeforeExpiryMs, getHeader, parseMinSessionExpires, parseSessionExpires, type SessionExpires, type SipResponse } from '../sip/index.js';

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

/**
 * The session timer of one test call (RFC 4028), roles named as in our INVITE (`uac` is us): the interval granted
 * and who refreshes, the largest Min-SE a 422 named, and when the session was last refreshed by either side.
 */
export class CallSessionTimer {
  private granted?: SessionExpires;
  /** §7.4: the largest Min-SE a 422 named in this call; our refreshes carry it. */
  private minSe?: number;
  /** When the session was last refreshed (a re-INVITE or UPDATE of either side answered 2xx), §10. */
  private refreshedAt?: number;
  /** A refresh of the peer changed the interval or who refreshes since `takeChange` was last asked. */
  private changed = false;

  /** §7.2: the Session-Expires of a 2xx to our INVITE or refresh is the session's from now on; it, for the report. */
  answered(response: SipResponse): SessionExpires | undefined {
    const granted = sessionExpiresOf(response);
    if (granted !== undefined) this.granted = granted;
    return granted;
  }

  /** §10: a refresh of ours was answered 2xx at `now` (performance.now()). */
  refreshed(now: number): void {
    this.refreshedAt = now;
  }

  /**
   * §10, §9: the peer's re-INVITE or UPDATE was answered 200 at `now`; the Session-Expires of our answer (if any) is
   * the new interval and names the refresher of that transaction (`uas` is us). Returns the new grant, if any.
   */
  refreshedByPeer(answered: SessionExpires | undefined, now: number): SessionExpires | undefined {
    this.refreshedAt = now;
    if (answered === undefined) return undefined;
    this.granted = { seconds: answered.seconds, refresher: answered.refresher === 'uas' ? 'uac' : 'uas' };
    this.changed = true;
    return this.granted;
  }

  /** §7.3: a 422 named the peer's Min-SE (`undefined`: it named none, nothing to retry with); the largest is kept. */
  raiseMinSe(response: SipResponse): number | undefined {
    const minSe = minSessionExpiresOf(response);
    if (minSe !== undefined) this.minSe = Math.max(this.minSe ?? 0, minSe);
    return minSe === undefined ? undefined : this.minSe;
  }

  /** Whether a refresh of the peer changed the session since last asked (then the next refresh is planned again). */
  takeChange(): boolean {
    const changed = this.changed;
    this.changed = false;
    return changed;
  }

  /** ms between our refreshes: §7.2 half the interval when the 2xx names us refresher, or sooner if asked. */
  refreshIntervalMs(askedMs: number | undefined): number | undefined {
    const timer = this.granted?.refresher === 'uac' ? refreshIntervalMs(this.granted) : undefined;
    if (timer === undefined) return askedMs;
    return askedMs === undefined ? timer : Math.min(askedMs, timer);
  }

  /**
   * §10: with the peer as refresher, the session runs out one interval after its last refresh by either side (or
   * the answer at `answeredAt`); we send BYE min(32 s, interval/3) before that. Infinity when we refresh, or no
   * interval was granted.
   */
  byeAt(answeredAt: number): number {
    if (this.granted?.refresher !== 'uas') return Infinity;
    return (this.refreshedAt ?? answeredAt) + byeBeforeExpiryMs(this.granted.seconds);
  }

  /** §7.4: the session timer fields of our next refresh. */
  refreshHeaders(): [string, string][] {
    return refreshTimerHeaders(this.granted, this.minSe);
  }
}
