/**
 * One packet whose timestamp alone is far from both its neighbours, which agree with each other, has a corrupt
 * timestamp (a flipped bit of its seconds): the capture's clock did not jump there, since it comes straight back.
 * The rule and the words of the `bad-timestamp` issue that the pcap and pcapng readers share; each reader decides
 * first that the packet's own record or block is whole and where the packet after it is.
 */
import { formatTimeUs } from './time-format.js';

/**
 * More than a day apart is a jump in time (in seconds; MAX_TIME_JUMP_US in microseconds): a clock may jump so, and
 * so does a corrupt or misread timestamp (a flipped high bit, a pcap header read 4 bytes late: decades away).
 */
export const MAX_TIME_JUMP_SECONDS = 86400;
const MAX_TIME_JUMP_US = MAX_TIME_JUMP_SECONDS * 1e6;

/** Whether two times in microseconds are more than a day apart; false when either is NaN (no time to compare with). */
export function farInTime(aUs: number, bUs: number): boolean {
  return Math.abs(aUs - bUs) > MAX_TIME_JUMP_US;
}

/** Whether `timeUs` is alone in its time: far from the packets before and after it, which are close to each other. */
export function aloneInTime(previousUs: number, timeUs: number, nextUs: number): boolean {
  return farInTime(timeUs, previousUs) && farInTime(timeUs, nextUs) && !farInTime(nextUs, previousUs);
}

/**
 * The `bad-timestamp` message: `stamp` names what holds the time (`pcap record`), `whole` why the rest of it is
 * right; the packet is read at `previousUs`, the time of the packet before it.
 */
export function corruptTimestampMessage(stamp: string, timeUs: number, previousUs: number, whole: string): string {
  const jumpUs = timeUs - previousUs;
  const days = (Math.abs(jumpUs) / 86400e6).toFixed(1);
  return `${stamp} timestamp ${formatTimeUs(timeUs)} is ${days} days ${jumpUs < 0 ? 'before' : 'after'} the packets before and after it (${whole}): a corrupt timestamp; read at the time of the packet before it`;
}
