/** One decoding problem as the stderr line of decode, analyze, calls and flow. */
import type { DecodeIssue } from '../capture/types.js';
import { printable } from '../report/printable.js';

/**
 * Where a problem is: file, packet, byte offset. Damage that never became a packet lies "before packet N" (the
 * packet read after it): only readable packets are numbered, so the packet after a corrupt record 2 is packet 2.
 * Of a .gz input, damage inside the capture is at an "inflated offset" (bytes of the inflated capture), damage to
 * the gzip stream at an "offset" of the compressed file.
 */
export function issuePlace(issue: DecodeIssue): string {
  const packet = issue.packetNumber !== undefined ? `packet ${issue.packetNumber}` : issue.beforePacket !== undefined ? `before packet ${issue.beforePacket}` : undefined;
  const offset = issue.offset === undefined ? undefined : `${issue.offsetInflated ? 'inflated offset' : 'offset'} ${issue.offset}`;
  return [issue.file, packet, offset].filter(Boolean).join(', ');
}

/** `sipscope COMMAND: FILE, packet N, offset M: code: message`, every part made printable. */
export function issueLine(command: string, issue: DecodeIssue): string {
  return `sipscope ${command}: ${printable(issuePlace(issue))}: ${issue.code}: ${printable(issue.message)}`;
}
