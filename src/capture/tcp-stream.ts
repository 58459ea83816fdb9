/**
 * Reads the in-order bytes of one TCP flow as SIP: messages framed by Content-Length (RFC 3261 §18.3, shared
 * framing in src/sip/framing.ts), keep-alive CRLFs skipped (RFC 5626 §3.5.1), resynchronisation at the next SIP
 * start line after a gap or garbage, and SIP over WebSocket (RFC 7118) once the handshake switched the stream.
 */
import { frameMessage, MAX_HEADER_BYTES, type FrameResult } from '../sip/framing.js';
import { isSipPayload } from './sip-datagram-payload.js';
import { findSipStartLine, sipStartLineAt, START_LINE_MORE, START_LINE_NO, START_LINE_YES } from './tcp-start-line.js';
import type { TcpFlow } from './tcp-flow.js';
import { reportIssue, type StreamContext } from './tcp-stream-context.js';
import { HEP3_HEADER_BYTES, isHep3Magic } from './hep-chunks.js';
import { findHep, readHepStream } from './tcp-hep.js';
import { keepBytes } from './packet-record.js';
import {
  copyWsPayload,
  findWsSipFrame,
  MAX_WS_MESSAGE_BYTES,
  readWsFrameHeader,
  readWsHandshake,
  WS_OPCODE_BINARY,
  WS_OPCODE_CLOSE,
  WS_OPCODE_CONTINUATION,
  WS_OPCODE_TEXT,
} from './websocket.js';

function emit(context: StreamContext, flow: TcpFlow, bytes: Uint8Array, packets: number[], transport: 'tcp' | 'ws'): void {
  const { meta } = context;
  const frames = packets.length > 0 ? packets : [meta.packetNumber];
  context.sink.message({
    file: meta.file,
    packetNumber: meta.packetNumber,
    packets: frames,
    timeUs: meta.timeUs,
    src: flow.src,
    dst: flow.dst,
    transport,
    opening: flow.opening,
    leadIn: flow.leadInOf(frames),
    bytes,
  });
}

/**
 * Reads as much of data[from..to) as can be read now; `data[from]` is at stream position flow.streamPosition.
 * Returns the index up to which bytes are consumed; the caller keeps the rest for the next segment.
 */
export function readStream(context: StreamContext, flow: TcpFlow, data: Uint8Array, from: number, to: number): number {
  const base = flow.streamPosition - from;
  let position = from;
  for (;;) {
    const before = position;
    const mode = flow.mode;
    if (mode === 'sip') position = readSip(context, flow, data, position, to, base);
    else if (mode === 'unsynced' || mode === 'resync') position = readUnsynced(context, flow, data, position, to, base);
    else if (mode === 'ws') position = readWebSocket(context, flow, data, position, to, base);
    else if (mode === 'hep') position = readHepStream(context, flow, data, position, to, base);
    else return to;
    // Stop when nothing moved and the mode stayed: more bytes are needed.
    if (position === before && flow.mode === mode) return position;
    if (position >= to && flow.mode === mode) return position;
  }
}

function readSip(context: StreamContext, flow: TcpFlow, data: Uint8Array, from: number, to: number, base: number): number {
  let position = from;
  while (position < to) {
    if (stillWaiting(flow, data, position, to, base)) return position;
    const frame = frameMessage(data, position, to);
    const messageStart = position + frame.start;
    if (frame.kind === 'incomplete') {
      const startLine = messageStart < to ? sipStartLineAt(data, messageStart, to) : START_LINE_MORE;
      if (startLine === START_LINE_NO) {
        reportIssue(context, flow, 'tcp-not-sip', `bytes that do not start a SIP message in a SIP stream at stream byte ${base + messageStart}; skipping to the next start line`);
        flow.mode = 'resync';
        return messageStart;
      }
      if (to - messageStart > context.maxBufferedBytes) {
        reportIssue(context, flow, 'tcp-buffer-limit', `message larger than the ${context.maxBufferedBytes}-byte reassembly limit skipped`);
        flow.mode = 'resync';
        return skipLine(data, messageStart, to);
      }
      return startLine === START_LINE_YES ? awaitRest(context, flow, data, messageStart, to, base, frame) : messageStart;
    }
    if (sipStartLineAt(data, messageStart, to) !== START_LINE_YES) {
      reportIssue(context, flow, 'tcp-not-sip', `bytes that do not start a SIP message in a SIP stream at stream byte ${base + messageStart}; skipping to the next start line`);
      flow.mode = 'resync';
      return skipDamagedLine(flow, data, messageStart, to, base);
    }
    if (frame.kind === 'message') {
      const end = messageStart + frame.length;
      emit(context, flow, keepBytes(data, messageStart, end), flow.packetsOf(base + messageStart, base + end), 'tcp');
      position = end;
      continue;
    }
    if (frame.code === 'missing-content-length') {
      // RFC 3261 §18.3 requires Content-Length on streams; keep the header block as a body-less message.
      reportIssue(context, flow, 'tcp-missing-content-length', 'SIP message over TCP without Content-Length; taken as having no body');
      emit(context, flow, keepBytes(data, messageStart, frame.headerEnd), flow.packetsOf(base + messageStart, base + frame.headerEnd), 'tcp');
      position = frame.headerEnd;
      continue;
    }
    reportIssue(context, flow, `tcp-${frame.code}`, `SIP message over TCP with ${frame.code} at stream byte ${base + messageStart}; skipping to the next start line`);
    flow.mode = 'resync';
    return skipDamagedLine(flow, data, messageStart, to, base);
  }
  return position;
}

type IncompleteFrame = Extract<FrameResult, { kind: 'incomplete' }>;

/**
 * A message whose start line has arrived but not all of it: remembers where it must end (or how far its header
 * block was searched), so that the segments that bring the rest are not rescanned from the message start each
 * time (which would cost the held bytes once per segment). A Content-Length beyond the reassembly limit is
 * reported at once: its header block is kept as a message without body, and reading resumes at the next start line.
 */
function awaitRest(context: StreamContext, flow: TcpFlow, data: Uint8Array, messageStart: number, to: number, base: number, frame: IncompleteFrame): number {
  flow.awaitFrom = base + messageStart;
  const { headerEnd, contentLength = 0 } = frame;
  if (headerEnd === undefined) {
    flow.awaitEnd = -1;
    flow.headerSearchedTo = base + to;
    return messageStart;
  }
  if (headerEnd - messageStart + contentLength <= context.maxBufferedBytes) {
    flow.awaitEnd = base + headerEnd + contentLength;
    return messageStart;
  }
  flow.awaitFrom = -1;
  reportIssue(
    context,
    flow,
    'content-length-too-large',
    `Content-Length ${contentLength} is beyond the ${context.maxBufferedBytes}-byte reassembly limit; the header block is kept without its body and reading resumes at the next start line`,
  );
  emit(context, flow, keepBytes(data, messageStart, headerEnd), flow.packetsOf(base + messageStart, base + headerEnd), 'tcp');
  flow.mode = 'resync';
  return headerEnd;
}

/** True when the message awaited at `position` cannot be complete in data[..to) yet (only new bytes are looked at). */
function stillWaiting(flow: TcpFlow, data: Uint8Array, position: number, to: number, base: number): boolean {
  if (flow.awaitFrom !== base + position) return false;
  if (flow.awaitEnd >= 0) return base + to < flow.awaitEnd;
  if (to - position > MAX_HEADER_BYTES) return false;
  // the blank line may have begun in the bytes searched before: step back over its first two bytes
  const searchFrom = Math.max(position, flow.headerSearchedTo - base - 2);
  if (hasBlankLine(data, searchFrom, to)) return false;
  flow.headerSearchedTo = base + to;
  return true;
}

/** Does data[from..to) hold an empty line's start (LF LF or LF CR LF)? LFs found by memchr (Buffer#indexOf). */
function hasBlankLine(data: Uint8Array, from: number, to: number): boolean {
  const view = Buffer.from(data.buffer, data.byteOffset + from, to - from);
  for (let at = view.indexOf(0x0a); at >= 0 && at + 1 < view.length; at = view.indexOf(0x0a, at + 1)) {
    const next = view[at + 1];
    if (next === 0x0a || (next === 0x0d && at + 2 < view.length && view[at + 2] === 0x0a)) return true;
  }
  return false;
}

/**
 * Where reading resumes after damage at `from` (mode 'resync'): just past its line (so a resync does not find the
 * same start line again), or earlier, where a segment that begins inside that line begins (or may begin) a start
 * line (resumeAtSegment).
 */
function skipDamagedLine(flow: TcpFlow, data: Uint8Array, from: number, to: number, base: number): number {
  const lineEnd = skipLine(data, from, to);
  const segmentAt = resumeAtSegment(flow, data, from, lineEnd, to, base);
  return segmentAt >= 0 ? segmentAt : lineEnd;
}

/**
 * The first segment start after `from` and before `before` at which a SIP start line begins, or may begin once more
 * bytes come (START_LINE_MORE: the caller keeps the bytes from there); -1 when none. Damage (a line break or a
 * Content-Length lost) leaves the stream out of step with its messages, and a sender usually writes a message from
 * the start of a segment: tshark resynchronises there, and so does this (besides line starts, which
 * findSipStartLine tries). A segment start inside a line must begin with a well-known start line (knownStartLine),
 * as after a gap. Each segment start is looked at once, unless kept: the caller moves past `before`.
 */
function segmentStartLine(flow: TcpFlow, data: Uint8Array, from: number, before: number, to: number, base: number): number {
  for (let start = flow.segmentStartBetween(base + from, base + before); start >= 0; start = flow.segmentStartBetween(start, base + before)) {
    const at = start - base;
    const kind = sipStartLineAt(data, at, to);
    if (kind === START_LINE_MORE || (kind === START_LINE_YES && (data[at - 1] === 0x0a || knownStartLine(data, at)))) return at;
  }
  return -1;
}

/**
 * After damage (mode 'resync'), where a segment starting after `from` and before `before` begins a start line
 * (segmentStartLine): reading goes on there as SIP, or, when that line has not ended yet, the bytes are kept from
 * there (a line start, or inside a line: then only a well-known start line is taken, knownStartLine). -1: none.
 */
function resumeAtSegment(flow: TcpFlow, data: Uint8Array, from: number, before: number, to: number, base: number): number {
  if (flow.mode !== 'resync' || flow.wsResync) return -1;
  const at = segmentStartLine(flow, data, from, before, to, base);
  if (at < 0) return -1;
  if (sipStartLineAt(data, at, to) === START_LINE_YES) {
    flow.mode = 'sip';
    flow.unsureLineStart = false;
  } else {
    flow.unsureLineStart = data[at - 1] !== 0x0a;
  }
  return at;
}

/** Index just past the line at `from` (or `to`), so a resync does not find the same start line again. */
function skipLine(data: Uint8Array, from: number, to: number): number {
  const lf = data.indexOf(0x0a, from);
  return lf < 0 || lf >= to ? to : lf + 1;
}

function readUnsynced(context: StreamContext, flow: TcpFlow, data: Uint8Array, from: number, to: number, base: number): number {
  if (flow.mode === 'unsynced' && flow.atStreamStart) {
    const handshake = readWsHandshake(data, from, to);
    if (handshake.kind === 'incomplete') return from;
    flow.atStreamStart = false;
    if (handshake.kind === 'sip-websocket') {
      flow.mode = 'ws';
      // RFC 6455 §4: without the Upgrade request and the 101 a reader takes the frames that follow for raw bytes
      for (const packet of flow.packetsOf(base + from, base + from + handshake.length)) flow.opening.push(packet);
      return from + handshake.length;
    }
    if (handshake.kind === 'other-http') {
      flow.mode = 'dropped';
      return to;
    }
  }
  // HEP over TCP: a HEP3 magic where the stream starts
  if (flow.mode === 'unsynced' && !flow.wsResync && !flow.unsureLineStart && to - from >= 4 && isHep3Magic(data, from)) return startHep(flow, from);
  let scanFrom = from;
  if (!flow.wsResync) {
    const kind = sipStartLineAt(data, from, to);
    // After a gap or a mid-stream start, `from` may be inside a line ("VITE sip:... SIP/2.0" is the tail of an
    // INVITE line): there only a status line or a well-known method is taken as a start line.
    if (kind === START_LINE_YES && (!flow.unsureLineStart || knownStartLine(data, from))) {
      flow.mode = 'sip';
      flow.unsureLineStart = false;
      return from;
    }
    // ... or a plausible HEP3 header further on (a stream first seen mid-way, or after bytes that are neither: a
    // HEP stream joined inside a packet may have been taken for SIP by the SIP message in that packet's payload)
    const hepAt = findHep(data, from, to);
    if (hepAt >= 0) return startHep(flow, hepAt);
    if (flow.unsureLineStart) {
      if (kind === START_LINE_MORE) return from;
      scanFrom = skipLine(data, from, to);
      if (scanFrom === to && data[to - 1] !== 0x0a) {
        const segmentAt = resumeAtSegment(flow, data, from, to, to, base);
        return segmentAt >= 0 ? segmentAt : looked(context, flow, from, to, to);
      }
      flow.unsureLineStart = false;
    }
  }
  if (flow.mode === 'unsynced' || flow.wsResync) {
    // RFC 7118 stream whose handshake was not captured, or which lost bytes: resync at a frame carrying SIP
    const frameAt = findWsSipFrame(data, from, to, startsSip);
    if (frameAt >= 0) {
      flow.mode = 'ws';
      flow.wsResync = false;
      return frameAt;
    }
    if (flow.wsResync) return Math.max(from, to - 14); // keep what may be the start of a frame header
  }
  const found = findSipStartLine(data, scanFrom, to);
  // after damage, a segment that begins with a start line before the next line that does
  const segmentAt = resumeAtSegment(flow, data, from, 'found' in found ? found.found : found.keep, to, base);
  if (segmentAt >= 0) return segmentAt;
  if ('found' in found) {
    flow.mode = 'sip';
    return found.found;
  }
  // the last line, not a start line, runs on into the next segment: its rest is not at a line start
  if (found.keep === to && to > scanFrom && data[to - 1] !== 0x0a) flow.unsureLineStart = true;
  return looked(context, flow, from, found.keep, to);
}

function startHep(flow: TcpFlow, at: number): number {
  flow.mode = 'hep';
  flow.unsureLineStart = false;
  return at;
}

/** Counts bytes looked at on an unsynced flow; past the limit the flow is not SIP and is dropped. */
function looked(context: StreamContext, flow: TcpFlow, from: number, keep: number, to: number): number {
  // the stream may be HEP: keep the bytes where a HEP3 header may begin and run on into the next segment
  const kept = Math.min(keep, Math.max(from, to - (HEP3_HEADER_BYTES - 1)));
  if (flow.mode !== 'unsynced') return kept;
  flow.looked += kept - from;
  if (flow.looked <= context.lookBytes) return kept;
  flow.mode = 'dropped';
  return to;
}

/** RFC 3261 §7.1 methods and the extension methods in common use (IANA "Methods" registry), and responses. */
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE']);

function knownStartLine(data: Uint8Array, at: number): boolean {
  let end = at;
  while (end < at + 10 && data[end] !== 0x20) end++;
  const token = String.fromCharCode(...data.subarray(at, end));
  return token === 'SIP/2.0' || KNOWN_METHODS.has(token);
}

function startsSip(probe: Uint8Array): boolean {
  return sipStartLineAt(probe, 0, probe.length) === START_LINE_YES;
}

function readWebSocket(context: StreamContext, flow: TcpFlow, data: Uint8Array, from: number, to: number, base: number): number {
  let position = from;
  while (position < to) {
    if (flow.wsSkip > 0) {
      const skipped = Math.min(flow.wsSkip, to - position);
      flow.wsSkip -= skipped;
      position += skipped;
      continue;
    }
    const header = readWsFrameHeader(data, position, to);
    if (header === undefined) return position;
    if (header === 'invalid') {
      reportIssue(context, flow, 'ws-bad-frame', 'invalid WebSocket frame header; rest of the connection ignored');
      flow.mode = 'dropped';
      return to;
    }
    const { opcode, payloadLength } = header;
    const isData = opcode === WS_OPCODE_TEXT || opcode === WS_OPCODE_BINARY || opcode === WS_OPCODE_CONTINUATION;
    if (isData && flow.wsLength + payloadLength > MAX_WS_MESSAGE_BYTES) {
      reportIssue(context, flow, 'ws-message-too-large', `WebSocket message over ${MAX_WS_MESSAGE_BYTES} bytes skipped`);
      resetWsMessage(flow);
      flow.wsSkip = payloadLength - Math.min(payloadLength, to - header.payloadAt);
      position = Math.min(to, header.payloadAt + payloadLength);
      continue;
    }
    const frameEnd = header.payloadAt + payloadLength;
    if (frameEnd > to) return position;
    if (opcode === WS_OPCODE_CLOSE) {
      flow.mode = 'dropped';
      return to;
    }
    if (isData) readWsDataFrame(context, flow, data, header, base + position, base + frameEnd);
    position = frameEnd;
  }
  return position;
}

function resetWsMessage(flow: TcpFlow): void {
  flow.wsParts = [];
  flow.wsLength = 0;
  flow.wsMessageFrom = -1;
}

/** RFC 6455 §5.4: a message is one frame with FIN, or a text/binary frame then continuations up to FIN. */
function readWsDataFrame(
  context: StreamContext,
  flow: TcpFlow,
  data: Uint8Array,
  header: Exclude<ReturnType<typeof readWsFrameHeader>, 'invalid' | undefined>,
  frameFrom: number,
  frameTo: number,
): void {
  if (header.opcode !== WS_OPCODE_CONTINUATION) {
    if (flow.wsMessageFrom >= 0) reportIssue(context, flow, 'ws-unfinished-message', 'WebSocket message without its final fragment dropped');
    resetWsMessage(flow);
    flow.wsMessageFrom = frameFrom;
  } else if (flow.wsMessageFrom < 0) {
    reportIssue(context, flow, 'ws-stray-continuation', 'WebSocket continuation frame without a first fragment skipped');
    return;
  }
  const payload = new Uint8Array(header.payloadLength);
  copyWsPayload(data, header, payload, 0);
  if (!header.fin) {
    flow.wsParts.push(payload);
    flow.wsLength += payload.length;
    return;
  }
  let message = payload;
  if (flow.wsParts.length > 0) {
    message = new Uint8Array(flow.wsLength + payload.length);
    let at = 0;
    for (const part of flow.wsParts) {
      message.set(part, at);
      at += part.length;
    }
    message.set(payload, at);
  }
  const packets = flow.packetsOf(flow.wsMessageFrom, frameTo);
  resetWsMessage(flow);
  // RFC 7118 §5: each WebSocket message carries exactly one SIP message, judged as a datagram's
  const report = (code: string, what: string): void => reportIssue(context, flow, code, what);
  if (isSipPayload(message, 0, message.length, report)) emit(context, flow, message, packets, 'ws');
  else report('ws-not-sip', 'WebSocket message that is not a SIP message skipped');
}
