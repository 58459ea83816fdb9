/**
 * One decoded SIP message as a ladder arrow of the report: the analysis's view of it (time, endpoints, start line,
 * retransmission) plus its text, read from the captured bytes, with credentials redacted (RFC 3261 §22.2, §22.3:
 * the Digest `response` proves the password) unless the user asked for secrets.
 */
import type { ObservedMessage } from '../../analysis/observed.js';
import type { SipPayload } from '../../capture/types.js';
import { redactCredentials } from '../../sip/digest/redact.js';
import { getHeader, parseMessage } from '../../sip/index.js';
import type { ReportMessage } from './model.js';

/** Longest message text embedded; the rest is cut with a note (a big SDP or a hostile message bloats the page). */
export const MAX_MESSAGE_TEXT = 16 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: false });

export function reportMessageOf(observed: ObservedMessage, retransmission: boolean, payload: SipPayload, showSecrets: boolean): ReportMessage {
  const bytes = payload.bytes;
  const shown = bytes.length > MAX_MESSAGE_TEXT ? bytes.subarray(0, MAX_MESSAGE_TEXT) : bytes;
  let text = utf8.decode(shown);
  if (bytes.length > MAX_MESSAGE_TEXT) text += `\n[... ${bytes.length - MAX_MESSAGE_TEXT} more bytes not shown]`;
  const hide = (value: string) => (showSecrets ? value : redactCredentials(value));
  const status = observed.kind === 'response' ? observed.status : undefined;
  const label = observed.kind === 'request' ? (observed.method ?? '') : `${observed.status ?? ''} ${observed.reason ?? ''}`.trim();
  return {
    packetNumber: observed.packetNumber,
    timeUs: observed.timeUs,
    src: observed.src,
    dst: observed.dst,
    transport: payload.hep ? `${payload.transport} (HEP)` : payload.transport,
    label: hide(label),
    status,
    cseq: `${observed.fields.cseqNumber} ${observed.fields.cseqMethod}`,
    retransmission,
    agent: agentOf(bytes, observed.kind),
    text: hide(text),
  };
}

/** User-Agent of a request's sender, Server of a response's (RFC 3261 §20.41, §20.35). */
function agentOf(bytes: Uint8Array, kind: 'request' | 'response'): string | undefined {
  try {
    const message = parseMessage(bytes, { datagram: true });
    return getHeader(message, kind === 'request' ? 'user-agent' : 'server') ?? getHeader(message, kind === 'request' ? 'server' : 'user-agent');
  } catch {
    return undefined;
  }
}
