/**
 * Which inputs a capture command found nothing in, for the one wording decode, analyze, calls, flow and extract use
 * when the inputs hold no SIP message (or no call, or none of the Call-ID asked for): only the inputs that were read
 * are named as holding nothing; an input skipped as unusable (already named on stderr with why) is named apart, as
 * not read, never among them.
 */
import { printable } from '../report/printable.js';

/** The inputs read, in the order given: `files` less those skipped as unusable. */
export function readInputs(files: readonly string[], unusableInputs: readonly string[] | undefined): string[] {
  if (unusableInputs === undefined || unusableInputs.length === 0) return [...files];
  const skipped = new Set(unusableInputs);
  return files.filter((file) => !skipped.has(file));
}

/** `in a.pcap b.pcap`, and when some inputs were skipped, ` (not read, skipped above: c.pcap)` after them. */
export function inInputsRead(files: readonly string[], unusableInputs: readonly string[] | undefined): string {
  const read = `in ${namesOf(readInputs(files, unusableInputs))}`;
  return unusableInputs === undefined || unusableInputs.length === 0 ? read : `${read} (not read, skipped above: ${namesOf(unusableInputs)})`;
}

/** decode and analyze: the inputs read hold no SIP message at all. */
export function noSipMessageText(files: readonly string[], unusableInputs: readonly string[] | undefined): string {
  return `no SIP message ${inInputsRead(files, unusableInputs)}`;
}

/** The names as the user gave them, one space apart, each made printable. */
export function namesOf(files: readonly string[]): string {
  return files.map((file) => printable(file)).join(' ');
}
