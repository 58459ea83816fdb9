/**
 * The header fields of session timers (RFC 4028) and of extensions in general (RFC 3261 §19.2, §20.32, §20.37):
 * Session-Expires (compact x) and the option tags of Require and Supported (compact k).
 */
import { getHeaders, type SipMessage } from '../message.js';
import { splitHeaderList } from './list.js';

export interface SessionExpires {
  seconds: number;
  refresher?: 'uac' | 'uas';
}

/** RFC 4028 §4: Session-Expires: delta-seconds *(;se-params), refresher=uac|uas among them. */
export function parseSessionExpires(value: string | undefined): SessionExpires | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+)\s*(.*)$/.exec(value);
  if (!match) return undefined;
  const refresher = /;\s*refresher\s*=\s*(uac|uas)\b/i.exec(match[2])?.[1]?.toLowerCase() as 'uac' | 'uas' | undefined;
  return refresher === undefined ? { seconds: Number(match[1]) } : { seconds: Number(match[1]), refresher };
}

/** The option tags of a message's Require or Supported fields (§20.32, §20.37), as written, empty elements left out. */
export function optionTagsOf(message: SipMessage, name: 'require' | 'supported'): string[] {
  const fields = getHeaders(message, name);
  // most messages have no Require: no list work for them (a call reads it of every provisional response)
  if (fields.length === 0) return fields;
  return fields.flatMap(splitHeaderList).filter((tag) => tag !== '');
}

/** Whether the message names `tag` (lower case) in its Require or Supported fields, in any letter case. */
export function namesOptionTag(message: SipMessage, name: 'require' | 'supported', tag: string): boolean {
  return optionTagsOf(message, name).some((written) => written.toLowerCase() === tag);
}

/**
 * RFC 4028 §9: whether the sender of a request does session timers: `timer` in its Supported (or, stronger, in its
 * Require). Only then may an answer name it the refresher or carry `Require: timer`, and only then is a 422 useful.
 */
export function supportsSessionTimer(message: SipMessage): boolean {
  return namesOptionTag(message, 'supported', 'timer') || namesOptionTag(message, 'require', 'timer');
}

/** RFC 4028 §5: Min-SE: delta-seconds *(;generic-param). */
export function parseMinSessionExpires(value: string | undefined): number | undefined {
  const match = /^\s*(\d+)\s*(;|$)/.exec(value ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * RFC 4028 §10: the side that does not refresh sends its BYE min(32 s, one third of the interval) before the session
 * expires: this many ms after the last refresh, for an interval of `seconds`.
 */
export function byeBeforeExpiryMs(seconds: number): number {
  const intervalMs = seconds * 1000;
  return intervalMs - Math.min(32_000, intervalMs / 3);
}
