/**
 * What `sipscope serve` does with bytes that arrive, before its core sees them (RFC 3261 §8.2, §18.3, §21):
 * a message that does not parse is dropped with a log line (there is nothing to answer to); a response goes to
 * the core (the answer to a session-expiry BYE; anything else is ignored); a request larger than MAX_MESSAGE_BYTES gets 513, one whose body is larger than
 * MAX_BODY_BYTES gets 413, one with a defect that breaks a MUST (missing mandatory header, bad CSeq, ...) gets
 * 400 naming it; without a Via nothing can be answered and it is dropped with a log line. Log lines of bad input
 * are limited to LOG_BURST per second (a flood cannot flood the log).
 */
import { buildResponseTo, getHeader, parseMessage, type SipRequest } from '../sip/index.js';
import type { Origin, ServerCore, ServerLog } from './core.js';

export const MAX_MESSAGE_BYTES = 16 * 1024;
export const MAX_BODY_BYTES = 8 * 1024;
const LOG_BURST = 20;

/** At most LOG_BURST lines per second; the number suppressed is told with the next line that passes. */
export class LimitedLog {
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  constructor(private readonly log: ServerLog) {}

  line(text: string): void {
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (++this.inWindow > LOG_BURST) {
      this.suppressed++;
      return;
    }
    if (this.suppressed > 0) {
      this.log(`(${this.suppressed} similar lines suppressed)`);
      this.suppressed = 0;
    }
    this.log(text);
  }
}

export function describeOrigin(origin: Origin): string {
  const host = origin.remote.address.includes(':') ? `[${origin.remote.address}]` : origin.remote.address;
  return `${origin.transport.toUpperCase()} ${host}:${origin.remote.port}`;
}

export function intake(bytes: Buffer, origin: Origin, core: ServerCore, badInput: LimitedLog): void {
  let message;
  try {
    // a datagram and a WebSocket message (RFC 7118 §5.1) each hold one whole message
    message = parseMessage(bytes, { datagram: origin.transport === 'udp' || origin.transport === 'ws' || origin.transport === 'wss', validate: true });
  } catch (error) {
    badInput.line(`dropped ${bytes.length} bytes from ${describeOrigin(origin)}: not a SIP message (${(error as { code?: string }).code ?? (error as Error).message})`);
    return;
  }
  // a response answers serve's one request, the BYE of a session that expired; any other is ignored there
  if (message.kind === 'response') return core.response(message);
  if (getHeader(message, 'via') === undefined) {
    badInput.line(`dropped ${message.method} from ${describeOrigin(origin)}: no Via to answer to`);
    return;
  }
  const refuse = (status: number, reason: string) => {
    badInput.line(`${status} to ${message.method} from ${describeOrigin(origin)}: ${reason}`);
    if (message.method !== 'ACK') origin.send(buildResponseTo(message as SipRequest, { status, reason, toTag: 'refused' }));
  };
  if (bytes.length > MAX_MESSAGE_BYTES) return refuse(513, 'Message Too Large');
  if (message.body.length > MAX_BODY_BYTES) return refuse(413, 'Request Entity Too Large');
  const defect = message.defects.find((found) => found.severity !== 'warning');
  if (defect) return refuse(400, `Bad Request (${defect.code}${defect.header ? ` in ${defect.header}` : ''})`);
  try {
    core.handle(message, origin);
  } catch (error) {
    // a request our core cannot take apart (a header that parsed leniently but not strictly): answer 400
    refuse(400, `Bad Request (${(error as { code?: string }).code ?? 'unreadable'})`);
  }
}
