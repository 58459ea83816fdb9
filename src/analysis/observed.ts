/**
 * One decoded SIP message as the analysis sees it: where and when, its start line and the fields it needs.
 * A request or a response, as SipMessage is (src/sip): `kind` tells which, so method and status need no guessing.
 */
import type { Endpoint, SipPayload } from '../capture/types.js';
import { hostPort, type SipMessage } from '../sip/index.js';
import { readFields, type MessageFields } from './fields.js';
import type { PlainMessage } from './plain-message.js';

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
 * Combines a payload with its parsed message; undefined when the message lacks Call-ID or CSeq.
 * Built as two plain literals (no object spread): this runs once per message and spread was the slowest part.
 */
export function observe(payload: SipPayload, message: SipMessage): ObservedMessage | undefined {
  const fields = readFields(message);
  if (!fields) return undefined;
  const packets = payload.packets.length > 0 ? payload.packets : [payload.packetNumber];
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
      firstLine: message.method + ' ' + message.uri + ' ' + message.version,
      fields,
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
    firstLine: (message.version + ' ' + message.status + ' ' + message.reason).trimEnd(),
    fields,
  };
}

/** Combines a payload with the plain reading of its message (plain-message.ts): as observe does with the parser's. */
export function observePlain(payload: SipPayload, message: PlainMessage): ObservedMessage {
  const packets = payload.packets.length > 0 ? payload.packets : [payload.packetNumber];
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
