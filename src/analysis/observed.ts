/**
 * One decoded SIP message as the analysis sees it: where and when, its start line and the fields it needs.
 * A request or a response, as SipMessage is (src/sip): `kind` tells which, so method and status need no guessing.
 */
import { framesOf, type Endpoint, type SipPayload } from '../capture/types.js';
import { hostPort, type SipMessage } from '../sip/index.js';
import { readFields, type MessageFields } from './fields.js';

interface ObservedBase {
  file: string;
  packetNumber: number;
  packets: number[];
  timeUs: number;
  src: Endpoint;
  dst: Endpoint;
  /** Request line or status line as on the wire. */
  firstLine: string;
  fields: MessageFields;
}

export interface ObservedRequest extends ObservedBase {
  kind: 'request';
  /** Request method, upper case. */
  method: string;
}

export interface ObservedResponse extends ObservedBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type ObservedMessage = ObservedRequest | ObservedResponse;

/**
 * What the analysis reads of a message's start line and header fields, by either path: the plain reading of its
 * bytes (plain-message.ts) or the parser's message (observe).
 */
export type MessageReading =
  | { kind: 'request'; method: string; firstLine: string; fields: MessageFields }
  | { kind: 'response'; status: number; reason: string; firstLine: string; fields: MessageFields };

/** Combines a payload with its parsed message; undefined when the message lacks Call-ID or CSeq. */
export function observe(payload: SipPayload, message: SipMessage): ObservedMessage | undefined {
  const fields = readFields(message);
  if (!fields) return undefined;
  if (message.kind === 'request') return observeReading(payload, { kind: 'request', method: message.method, firstLine: message.method + ' ' + message.uri + ' ' + message.version, fields });
  return observeReading(payload, { kind: 'response', status: message.status, reason: message.reason, firstLine: (message.version + ' ' + message.status + ' ' + message.reason).trimEnd(), fields });
}

/**
 * Combines a payload with what was read of its message. Built as two plain literals (no object spread): this runs
 * once per message and spread was the slowest part.
 */
export function observeReading(payload: SipPayload, message: MessageReading): ObservedMessage {
  const packets = framesOf(payload);
  if (message.kind === 'request') {
    return {
      file: payload.file,
      packetNumber: payload.packetNumber,
      packets,
      timeUs: payload.timeUs,
      src: payload.src,
      dst: payload.dst,
      kind: 'request',
      method: message.method.toUpperCase(),
      firstLine: message.firstLine,
      fields: message.fields,
    };
  }
  return {
    file: payload.file,
    packetNumber: payload.packetNumber,
    packets,
    timeUs: payload.timeUs,
    src: payload.src,
    dst: payload.dst,
    kind: 'response',
    status: message.status,
    reason: message.reason,
    firstLine: message.firstLine,
    fields: message.fields,
  };
}

/** `udp 10.0.0.1:5060` style label of an endpoint. */
export function endpointLabel(endpoint: Endpoint): string {
  return hostPort(endpoint.ip, endpoint.port);
}
