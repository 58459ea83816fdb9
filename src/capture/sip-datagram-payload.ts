/**
 * What a datagram-like SIP payload is: one SIP message in one piece, a UDP datagram (RFC 3261 §18.3), an SCTP user
 * message (RFC 4168 §5), a WebSocket message (RFC 7118 §5) or the payload of a HEP packet. The one place that decides
 * whether such a payload is SIP and how it is damaged, for the UDP, HEP, SCTP and WebSocket decoders alike. A payload is SIP when it starts with a SIP start line
 * (§7.1, §7.2), as tshark's heuristic takes it; one that is SIP but not whole is still shown (tshark shows it), and
 * its damage is reported:
 *
 * - `sip-no-line-end`: only a start line, without its CRLF (a message cut short, or sent so);
 * - `sip-no-header-end`: a start line and header fields, but no blank line ends the header block (§7: the empty
 *   line is required; cut by a sender, or by the capture's snapshot length, which `truncated-packet` reports then);
 * - `sip-bare-cr`: lines ended by a bare CR, not CRLF (§7 requires CRLF; sipscope's parser and framing take a bare
 *   LF too, not a bare CR). tshark reads such a message's fields (its line reader takes CR, LF or CRLF for a line
 *   end); the one parser of sipscope keeps to §7, so the message is shown with its start line and reported, its
 *   header fields unread (the analysis reports it as unparsable-message).
 */
import { findHeaderEnd } from '../sip/framing.js';
import { isTokenChar } from '../sip/syntax.js';
import { sipStartLineAt, START_LINE_MORE, START_LINE_YES, startLineWithoutLineEnd } from './tcp-start-line.js';

export const SIP_PAYLOAD_NOT_SIP = 0;
export const SIP_PAYLOAD_WHOLE = 1;
export const SIP_PAYLOAD_NO_LINE_END = 2;
export const SIP_PAYLOAD_NO_HEADER_END = 3;
export const SIP_PAYLOAD_BARE_CR = 4;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** What bytes[start..end) is, the whole payload: one of the SIP_PAYLOAD_ kinds. */
function sipPayloadKind(bytes: Uint8Array, start: number, end: number): number {
  const kind = sipPayloadStart(bytes, start, end);
  return kind === SIP_PAYLOAD_WHOLE ? sipPayloadEnd(bytes, start, end) : kind;
}

/**
 * The first half of sipPayloadKind, by the start line: SIP_PAYLOAD_NOT_SIP, SIP_PAYLOAD_NO_LINE_END, or
 * SIP_PAYLOAD_WHOLE when a whole start line begins the payload (sipPayloadEnd then says whether the rest is whole).
 * Split so that a caller can copy a SIP payload between the two (the second reads its end from the copy, just written).
 */
export function sipPayloadStart(bytes: Uint8Array, start: number, end: number): number {
  const startLine = sipStartLineAt(bytes, start, end);
  if (startLine === START_LINE_YES) return SIP_PAYLOAD_WHOLE;
  return startLine === START_LINE_MORE && startLineWithoutLineEnd(bytes, start, end) ? SIP_PAYLOAD_NO_LINE_END : SIP_PAYLOAD_NOT_SIP;
}

/** The second half of sipPayloadKind, for a payload that begins with a whole start line: whole, or how it is damaged. */
export function sipPayloadEnd(bytes: Uint8Array, start: number, end: number): number {
  // most datagrams have no body and end with their blank line: no call for them
  const last = end - 1;
  if (last - 2 > start && bytes[last] === LF && (bytes[last - 1] === LF || (bytes[last - 1] === CR && bytes[last - 2] === LF))) return SIP_PAYLOAD_WHOLE;
  if (!mayEndInHeaderBlock(bytes, start, end) || findHeaderEnd(bytes, start, end) >= 0) return SIP_PAYLOAD_WHOLE;
  return startLineEnd(bytes, start, end);
}

/**
 * Whether the last line of bytes[start..end) could still belong to the header block: the start line, a header field
 * line (RFC 3261 §7.3.1: a token, optional whitespace, a colon), a continuation line, or a field name cut short; so
 * too a payload without any LF. When it cannot (the payload ends with its blank line, or with a line of its body such
 * as SDP's "a=sendrecv", whose "=" no field name holds), the message is taken as whole without a search for its blank
 * line (findHeaderEnd), which would pass the bytes of nearly every datagram (a measured 5-10% of the decode's CPU). A body
 * line after header fields with no blank line between them is not found so: such a message is malformed otherwise.
 */
function mayEndInHeaderBlock(bytes: Uint8Array, start: number, end: number): boolean {
  let lineEnd = end;
  if (lineEnd > start && bytes[lineEnd - 1] === LF) lineEnd--;
  if (lineEnd > start && bytes[lineEnd - 1] === CR) lineEnd--;
  let lineStart = lineEnd;
  while (lineStart > start && bytes[lineStart - 1] !== LF) lineStart--;
  if (lineStart === start) return true;
  // an empty last line is the blank line
  if (lineStart === lineEnd) return false;
  const first = bytes[lineStart];
  if (first === SP || first === HT) return true;
  let at = lineStart;
  while (at < lineEnd && isTokenChar(bytes[at])) at++;
  while (at < lineEnd && (bytes[at] === SP || bytes[at] === HT)) at++;
  return at === lineEnd || bytes[at] === COLON;
}

/** Of a SIP payload without a blank line: how its start line ends (a bare CR, or nothing after it). */
function startLineEnd(bytes: Uint8Array, start: number, end: number): number {
  let at = start;
  while (at < end && bytes[at] !== CR && bytes[at] !== LF) at++;
  if (at >= end || (bytes[at] === CR && at + 1 === end)) return SIP_PAYLOAD_NO_LINE_END;
  return bytes[at] === CR && bytes[at + 1] !== LF ? SIP_PAYLOAD_BARE_CR : SIP_PAYLOAD_NO_HEADER_END;
}

/**
 * Whether bytes[start..end), a whole HEP, SCTP or WebSocket payload, is SIP (sipPayloadKind); when it is but is not
 * whole, its damage is first reported through `report` (the caller's issue, which says which packet).
 */
export function isSipPayload(bytes: Uint8Array, start: number, end: number, report: (code: string, message: string) => void): boolean {
  const kind = sipPayloadKind(bytes, start, end);
  if (kind === SIP_PAYLOAD_NOT_SIP) return false;
  const damage = sipPayloadDamage(kind);
  if (damage) report(damage.code, damage.message);
  return true;
}

/** The issue code and words for a SIP payload of `kind` that is not whole (the caller says which packet). */
export function sipPayloadDamage(kind: number): { code: string; message: string } | undefined {
  switch (kind) {
    case SIP_PAYLOAD_NO_LINE_END:
      return { code: 'sip-no-line-end', message: 'SIP datagram that is only a start line, without its CRLF and header fields (RFC 3261 §7); read as it is' };
    case SIP_PAYLOAD_NO_HEADER_END:
      return { code: 'sip-no-header-end', message: 'SIP datagram whose header fields are not ended by a blank line (RFC 3261 §7), cut short or sent so; read as it is' };
    case SIP_PAYLOAD_BARE_CR:
      return { code: 'sip-bare-cr', message: 'SIP datagram whose lines end with a bare CR, not CRLF (RFC 3261 §7); shown with its start line, its header fields not read' };
    default:
      return undefined;
  }
}
