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
  const packets = framesOf(payload);
  if (message.kind === 'request') return new ObservedRequestOf(payload.file, payload.packetNumber, packets, payload.timeUs, payload.src, payload.dst, message.method.toUpperCase(), message.fields, message);
  return new ObservedResponseOf(payload.file, payload.packetNumber, packets, payload.timeUs, payload.src, payload.dst, message.status, message.fields, message);
}

class ObservedRequestOf implements ObservedRequest {
  readonly kind = 'request';
  constructor(
    readonly file: string,
    readonly packetNumber: number,
    readonly packets: number[],
    readonly timeUs: number,
    readonly src: Endpoint,
    readonly dst: Endpoint,
    readonly method: string,
    readonly fields: MessageFields,
    private readonly reading: RequestReading,
  ) {}

  get firstLine(): string {
    return this.reading.firstLine;
  }

  get startLineHash(): number {
    return this.reading.startLineHash;
  }
}

class ObservedResponseOf implements ObservedResponse {
  readonly kind = 'response';
  constructor(
    readonly file: string,
    readonly packetNumber: number,
    readonly packets: number[],
    readonly timeUs: number,
    readonly src: Endpoint,
    readonly dst: Endpoint,
    readonly status: number,
    readonly fields: MessageFields,
    private readonly reading: ResponseReading,
  ) {}

  get firstLine(): string {
    return this.reading.firstLine;
  }

  get reason(): string {
    return this.reading.reason;
  }

  get startLineHash(): number {
    return this.reading.startLineHash;
  }
}

/** `udp 10.0.0.1:5060` style label of an endpoint. */
export function endpointLabel(endpoint: Endpoint): string {
  return hostPort(endpoint.ip, endpoint.port);
}
