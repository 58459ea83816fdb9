/**
 * One decoded SIP message as the analysis sees it: where and when, its start line and the fields it needs.
 * A request or a response, as SipMessage is (src/sip): `kind` tells which, so method and status need no guessing.
 */
import { framesOf, type Endpoint, type SipPayload } from '../capture/types.js';
import { hostPort, type SipMessage } from '../sip/index.js';
import { readFields, type MessageFields } from './fields.js';
import { textHash } from './own-copy.js';

interface ObservedBase {
  readonly file: string;
  readonly packetNumber: number;
  readonly packets: number[];
  readonly timeUs: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  /** Request line or status line as on the wire. */
  readonly firstLine: string;
  /** textHash of firstLine (a repeated request has the same, RFC 3261 §17.2.3). */
  readonly startLineHash: number;
  readonly fields: MessageFields;
}

export interface ObservedRequest extends ObservedBase {
  readonly kind: 'request';
  /** Request method, upper case. */
  readonly method: string;
}

export interface ObservedResponse extends ObservedBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
}

export type ObservedMessage = ObservedRequest | ObservedResponse;

/**
 * What the analysis reads of a message's start line and header fields, by either path: the plain reading of its
 * bytes (plain-message.ts, whose texts are made when first read) or the parser's message (observe).
 */
export type MessageReading = RequestReading | ResponseReading;

export interface RequestReading {
  readonly kind: 'request';
  readonly method: string;
  readonly firstLine: string;
  readonly startLineHash: number;
  readonly fields: MessageFields;
}

export interface ResponseReading {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly firstLine: string;
  readonly startLineHash: number;
  readonly fields: MessageFields;
}

/** Combines a payload with its parsed message; undefined when the message lacks Call-ID or CSeq. */
export function observe(payload: SipPayload, message: SipMessage): ObservedMessage | undefined {
  const fields = readFields(message);
  if (!fields) return undefined;
  if (message.kind === 'request') {
    const firstLine = message.method + ' ' + message.uri + ' ' + message.version;
    return observeReading(payload, { kind: 'request', method: message.method, firstLine, startLineHash: textHash(firstLine), fields });
  }
  const firstLine = (message.version + ' ' + message.status + ' ' + message.reason).trimEnd();
  return observeReading(payload, { kind: 'response', status: message.status, reason: message.reason, firstLine, startLineHash: textHash(firstLine), fields });
}

/**
 * Combines a payload with what was read of its message. One class per kind (one object shape at every site that
 * reads a message); the start line's text and the reason are the reading's, made when first read.
 */
export function observeReading(payload: SipPayload, message: MessageReading): ObservedMessage {
  return message.kind === 'request' ? new ObservedRequestOf(payload, message) : new ObservedResponseOf(payload, message);
}

/** What both kinds take from the payload and the reading. */
abstract class ObservedOf<Reading extends MessageReading> {
  readonly file: string;
  readonly packetNumber: number;
  readonly packets: number[];
  readonly timeUs: number;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly fields: MessageFields;

  constructor(
    payload: SipPayload,
    protected readonly reading: Reading,
  ) {
    this.file = payload.file;
    this.packetNumber = payload.packetNumber;
    this.packets = framesOf(payload);
    this.timeUs = payload.timeUs;
    this.src = payload.src;
    this.dst = payload.dst;
    this.fields = reading.fields;
  }

  get firstLine(): string {
    return this.reading.firstLine;
  }

  get startLineHash(): number {
    return this.reading.startLineHash;
  }
}

class ObservedRequestOf extends ObservedOf<RequestReading> implements ObservedRequest {
  readonly kind = 'request';
  readonly method: string;

  constructor(payload: SipPayload, reading: RequestReading) {
    super(payload, reading);
    this.method = reading.method.toUpperCase();
  }
}

class ObservedResponseOf extends ObservedOf<ResponseReading> implements ObservedResponse {
  readonly kind = 'response';
  readonly status: number;

  constructor(payload: SipPayload, reading: ResponseReading) {
    super(payload, reading);
    this.status = reading.status;
  }

  get reason(): string {
    return this.reading.reason;
  }
}

/** `udp 10.0.0.1:5060` style label of an endpoint. */
export function endpointLabel(endpoint: Endpoint): string {
  return hostPort(endpoint.ip, endpoint.port);
}
