/**
 * SIP over WebSocket in captures (RFC 7118) on top of a reassembled TCP stream: the HTTP/1.1 Upgrade handshake
 * (RFC 6455 §4) that switches the connection, and the base framing (RFC 6455 §5.2) of what follows.
 * Stateless helpers; the per-flow state lives in tcp-reassembly.ts.
 */

export const WS_OPCODE_CONTINUATION = 0x0;
export const WS_OPCODE_TEXT = 0x1;
export const WS_OPCODE_BINARY = 0x2;
export const WS_OPCODE_CLOSE = 0x8;

/** Largest WebSocket message we reassemble (bounded memory); larger ones are skipped with an issue. */
export const MAX_WS_MESSAGE_BYTES = 1024 * 1024;
/** Largest HTTP handshake header block we wait for. */
export const MAX_HANDSHAKE_BYTES = 16 * 1024;

export interface WsFrameHeader {
  fin: boolean;
  opcode: number;
  /** Index of the 4-byte masking key, or -1 when the frame is not masked (server to client, RFC 6455 §5.1). */
  maskAt: number;
  /** Index of the first payload byte. */
  payloadAt: number;
  payloadLength: number;
}

/**
 * Reads a frame header at `at` (RFC 6455 §5.2). Returns undefined when more bytes are needed, or 'invalid' for a
 * header no WebSocket peer may send (reserved opcodes, 64-bit length with the top bit set, fragmented control).
 */
export function readWsFrameHeader(bytes: Uint8Array, at: number, end: number): WsFrameHeader | 'invalid' | undefined {
  if (end - at < 2) return undefined;
  const first = bytes[at];
  const second = bytes[at + 1];
  const opcode = first & 0x0f;
  const fin = (first & 0x80) !== 0;
  if ((opcode > 0x2 && opcode < 0x8) || opcode > 0xa) return 'invalid';
  if (opcode >= 0x8 && !fin) return 'invalid'; // §5.5: control frames are not fragmented
  let payloadLength = second & 0x7f;
  let next = at + 2;
  if (payloadLength === 126) {
    if (end - next < 2) return undefined;
    payloadLength = (bytes[next] << 8) | bytes[next + 1];
    next += 2;
  } else if (payloadLength === 127) {
    if (end - next < 8) return undefined;
    if (bytes[next] & 0x80) return 'invalid'; // §5.2: the most significant bit MUST be 0
    const high = ((bytes[next] << 24) | (bytes[next + 1] << 16) | (bytes[next + 2] << 8) | bytes[next + 3]) >>> 0;
    const low = ((bytes[next + 4] << 24) | (bytes[next + 5] << 16) | (bytes[next + 6] << 8) | bytes[next + 7]) >>> 0;
    payloadLength = high * 0x100000000 + low;
    next += 8;
  }
  let maskAt = -1;
  if (second & 0x80) {
    if (end - next < 4) return undefined;
    maskAt = next;
    next += 4;
  }
  return { fin, opcode, maskAt, payloadAt: next, payloadLength };
}

/** Copies `length` payload bytes into `target` at `targetAt`, unmasking them (RFC 6455 §5.3) when masked. */
export function copyWsPayload(bytes: Uint8Array, header: WsFrameHeader, target: Uint8Array, targetAt: number): void {
  const { payloadAt, payloadLength, maskAt } = header;
  if (maskAt < 0) {
    target.set(bytes.subarray(payloadAt, payloadAt + payloadLength), targetAt);
    return;
  }
  const mask0 = bytes[maskAt];
  const mask1 = bytes[maskAt + 1];
  const mask2 = bytes[maskAt + 2];
  const mask3 = bytes[maskAt + 3];
  for (let i = 0; i < payloadLength; i++) {
    const key = (i & 3) === 0 ? mask0 : (i & 3) === 1 ? mask1 : (i & 3) === 2 ? mask2 : mask3;
    target[targetAt + i] = bytes[payloadAt + i] ^ key;
  }
}

export type HandshakeResult =
  /** Need more bytes to see the whole header block. */
  | { kind: 'incomplete' }
  /** Not an HTTP request or response line at all. */
  | { kind: 'not-http' }
  /** An HTTP header block of `length` bytes that does not switch to WebSocket with the `sip` subprotocol. */
  | { kind: 'other-http'; length: number }
  /** An Upgrade request or 101 response for WebSocket carrying `sip` (RFC 7118 §4): frames follow after `length`. */
  | { kind: 'sip-websocket'; length: number; response: boolean };

const latin1 = new TextDecoder('latin1');

function startsWithAscii(bytes: Uint8Array, at: number, end: number, text: string): boolean {
  if (end - at < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Looks for the opening handshake at `at`: `GET ... HTTP/1.1` with `Upgrade: websocket` from the client, or
 * `HTTP/1.1 101` from the server (RFC 6455 §4.1, §4.2.2), with `Sec-WebSocket-Protocol: sip` (RFC 7118 §4).
 */
export function readWsHandshake(bytes: Uint8Array, at: number, end: number): HandshakeResult {
  const isRequest = startsWithAscii(bytes, at, end, 'GET ');
  const isResponse = startsWithAscii(bytes, at, end, 'HTTP/1.');
  if (!isRequest && !isResponse) {
    const prefix = end - at < 7 && ('GET '.startsWith(latin1.decode(bytes.subarray(at, end))) || 'HTTP/1.'.startsWith(latin1.decode(bytes.subarray(at, end))));
    return prefix ? { kind: 'incomplete' } : { kind: 'not-http' };
  }
  const limit = Math.min(end, at + MAX_HANDSHAKE_BYTES);
  let headerEnd = -1;
  for (let i = at; i + 3 < limit; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a) {
      headerEnd = i + 4;
      break;
    }
  }
  if (headerEnd < 0) return limit === end && end - at < MAX_HANDSHAKE_BYTES ? { kind: 'incomplete' } : { kind: 'not-http' };
  const head = latin1.decode(bytes.subarray(at, headerEnd)).toLowerCase();
  const length = headerEnd - at;
  const upgrade = /\r\nupgrade:[ \t]*websocket[ \t]*\r\n/.test(head);
  const sipProtocol = /\r\nsec-websocket-protocol:[^\r\n]*\bsip\b/.test(head);
  if (isResponse && !/^http\/1\.\d 101[ \r]/.test(head)) return { kind: 'other-http', length };
  if (upgrade && sipProtocol) return { kind: 'sip-websocket', length, response: isResponse };
  return { kind: 'other-http', length };
}

/** Longest start line looked at when checking that a frame carries SIP. */
const SIP_PROBE_BYTES = 256;

/**
 * Finds, in bytes[from..to), the first complete-header data frame (text or binary, RFC 6455 §5.6) whose payload
 * begins with a SIP start line once unmasked: where a WebSocket stream whose handshake was not captured (or that
 * lost bytes in a gap) can be read again. `startsSip` says whether a payload prefix starts a SIP message.
 */
export function findWsSipFrame(bytes: Uint8Array, from: number, to: number, startsSip: (probe: Uint8Array) => boolean): number {
  const probe = new Uint8Array(SIP_PROBE_BYTES);
  for (let at = from; at + 2 < to; at++) {
    const first = bytes[at];
    if (first !== 0x81 && first !== 0x82 && first !== 0x01 && first !== 0x02) continue;
    const header = readWsFrameHeader(bytes, at, to);
    if (header === undefined || header === 'invalid' || header.payloadLength < 16) continue;
    const length = Math.min(SIP_PROBE_BYTES, header.payloadLength, to - header.payloadAt);
    if (length < 16) continue;
    for (let i = 0; i < length; i++) {
      probe[i] = header.maskAt < 0 ? bytes[header.payloadAt + i] : bytes[header.payloadAt + i] ^ bytes[header.maskAt + (i & 3)];
    }
    if (startsSip(probe.subarray(0, length))) return at;
  }
  return -1;
}
