/**
 * TCP stream reassembly for captures: per direction of each connection, segments are put back in sequence
 * order (RFC 9293 §3.4 sequence numbers, compared modulo 2^32 as in RFC 1982), retransmitted and overlapping
 * bytes are trimmed so each stream byte is read once (first copy wins), and holes that never fill are reported as
 * 'tcp-gap' before reading resumes at the next SIP start line. The in-order bytes are read as SIP by
 * tcp-stream.ts. Memory is bounded by the limits below, whatever the capture holds.
 */
import { TcpFlow } from './tcp-flow.js';
import { reverseFlowKey, textFlowKey } from './tcp-flow-key.js';
import { readStream } from './tcp-stream.js';
import { flowName, reportIssue, type StreamContext, type StreamSink } from './tcp-stream-context.js';
import type { Endpoint, FrameMeta } from './types.js';

export const TCP_FIN = 1;
export const TCP_SYN = 2;
export const TCP_RST = 4;
export const TCP_PSH = 8;
export const TCP_ACK = 16;

/** A segment as the packet decoder hands it over: valid during the call only (the object is reused). */
export interface TcpSegment {
  file: string;
  packetNumber: number;
  timeUs: number;
  offset: number;
  src: Endpoint;
  dst: Endpoint;
  seq: number;
  ack: number;
  /** FIN=1 SYN=2 RST=4 PSH=8 ACK=16 */
  flags: number;
  /** A view into a reused buffer: copied where kept. */
  payload: Uint8Array;
  /** Compact key of the flow (same for every segment of one direction), when the caller has one. */
  flowKey?: string;
}

export interface TcpLimits {
  /** Flows tracked at once; the least recently used is evicted beyond this. */
  maxFlows: number;
  /** In-order bytes buffered per flow waiting for a message to complete. */
  maxBufferedBytes: number;
  /** Segments held per flow ahead of a hole before the hole is declared a gap. */
  maxOutOfOrderSegments: number;
  /** Bytes held per flow ahead of a hole before the hole is declared a gap. */
  maxOutOfOrderBytes: number;
  /** A flow without data for this long (capture time) is finished and forgotten. */
  idleTimeoutUs: number;
  /** Bytes looked at on a new flow for SIP or a WebSocket handshake before it is dropped as not SIP. */
  lookBytes: number;
  /** Bytes held by all flows together; beyond this, least recently used flows are evicted. */
  maxTotalBytes: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxFlows: 16384,
  maxBufferedBytes: 2 * 1024 * 1024,
  maxOutOfOrderSegments: 256,
  maxOutOfOrderBytes: 2 * 1024 * 1024,
  idleTimeoutUs: 300 * 1e6,
  lookBytes: 16 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
};

/** Idle flows are swept every quarter of the idle timeout (capture time), at least every second. */
const MIN_SWEEP_INTERVAL_US = 1e6;

export class TcpReassembler {
  private readonly flows = new Map<string, TcpFlow>();
  private readonly limits: TcpLimits;
  private readonly context: StreamContext;
  private lastSweepUs = -Infinity;
  /** Sum of every flow's `held` bytes. */
  private heldTotal = 0;

  constructor(sink: StreamSink, limits: Partial<TcpLimits> = {}) {
    this.limits = { ...DEFAULT_TCP_LIMITS, ...limits };
    this.context = {
      sink,
      meta: { file: '', packetNumber: 0, timeUs: 0, offset: 0 },
      maxBufferedBytes: this.limits.maxBufferedBytes,
      lookBytes: this.limits.lookBytes,
    };
  }

  /** Number of flows currently tracked (for tests and statistics). */
  get flowCount(): number {
    return this.flows.size;
  }

  segment(s: TcpSegment): void {
    if (s.timeUs - this.lastSweepUs >= Math.max(MIN_SWEEP_INTERVAL_US, this.limits.idleTimeoutUs / 4)) this.sweepIdle(s.timeUs);
    const key = s.flowKey ?? textFlowKey(s.src, s.dst);
    let flow = this.flows.get(key);
    const hasData = s.payload.length > 0;
    if (s.flags & TCP_SYN) {
      if (flow && flow.nextSeq === ((s.seq + 1) >>> 0)) return; // retransmitted SYN
      if (flow) this.forget(flow, s);
      flow = this.track(key, s);
      flow.nextSeq = (s.seq + 1) >>> 0;
      flow.opening.push(s.packetNumber);
      flow.awaitingHandshakeAck = (s.flags & TCP_ACK) === 0;
      if (!hasData) return;
      s = { ...s, seq: (s.seq + 1) >>> 0, flags: s.flags & ~TCP_SYN };
    }
    if (flow?.awaitingHandshakeAck) handshakeAck(flow, s, hasData);
    if (!flow) {
      if (!hasData) return; // pure ACK/FIN/RST of a connection we hold nothing for
      flow = this.track(key, s);
      flow.unsureLineStart = true; // first seen mid-stream, without its SYN
    }
    if (flow.mode === 'closed' || flow.mode === 'dropped') {
      if (flow.mode === 'closed' || !(s.flags & TCP_RST)) return;
    }
    const heldBefore = flow.held;
    this.apply(flow, s, hasData);
    this.heldTotal += flow.held - heldBefore;
    while (this.heldTotal > this.limits.maxTotalBytes && this.flows.size > 0) {
      this.forget(this.leastRecentlyUsed(), s, `TCP reassembly holds more than ${this.limits.maxTotalBytes} bytes`);
    }
  }

  /** Sequence-number processing of one segment of a tracked, open flow. */
  private apply(flow: TcpFlow, s: TcpSegment, hasData: boolean): void {
    if (hasData) flow.lastTimeUs = s.timeUs;
    if (flow.nextSeq < 0) flow.nextSeq = s.seq >>> 0;
    if (s.flags & TCP_RST) {
      this.setMeta(s);
      this.close(flow, false);
      return;
    }
    const ahead = (s.seq - flow.nextSeq) | 0;
    const fin = (s.flags & TCP_FIN) !== 0;
    if (ahead > 0) {
      if (!hasData && !fin) return;
      flow.addPending({ file: s.file, packetNumber: s.packetNumber, timeUs: s.timeUs, offset: s.offset, seq: s.seq >>> 0, bytes: s.payload.slice(), fin });
      if (flow.pending.length > this.limits.maxOutOfOrderSegments || flow.pendingBytes > this.limits.maxOutOfOrderBytes) {
        this.skipGap(flow);
      }
      return;
    }
    this.setMeta(s);
    this.accept(flow, s.payload, -ahead, fin);
    this.drainPending(flow);
  }

  /** End of input: every hole still open is a gap; what follows it is read; incomplete messages are reported. */
  flush(): void {
    for (const flow of this.flows.values()) this.finish(flow);
    this.flows.clear();
    this.heldTotal = 0;
  }

  private setMeta(meta: FrameMeta): void {
    const target = this.context.meta;
    target.file = meta.file;
    target.packetNumber = meta.packetNumber;
    target.timeUs = meta.timeUs;
    target.offset = meta.offset;
  }

  private track(key: string, s: TcpSegment): TcpFlow {
    if (this.flows.size >= this.limits.maxFlows) this.forget(this.leastRecentlyUsed(), s, `more than ${this.limits.maxFlows} TCP flows at once`);
    const flow = new TcpFlow(key, s.src, s.dst);
    // The client's SYN (no ACK) begins a new connection, even on the ports of an old one (RFC 9293 §3.5); any other
    // first segment belongs to the connection the other direction already opened, if it is tracked.
    const newConnection = (s.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    const reverse = newConnection ? undefined : this.flows.get(reverseFlowKey(key, s.src, s.dst));
    if (reverse) flow.opening = reverse.opening;
    flow.lastTimeUs = s.timeUs;
    flow.queuedTimeUs = s.timeUs;
    this.flows.set(key, flow);
    return flow;
  }

  /**
   * Second-chance LRU: the Map is a queue in insertion order; a flow at its head that saw data since it was
   * queued goes to the tail instead of being chosen. Amortised O(1), no reordering on the per-segment path.
   */
  private leastRecentlyUsed(): TcpFlow {
    for (;;) {
      const head = this.flows.values().next().value as TcpFlow;
      if (head.lastTimeUs <= head.queuedTimeUs) return head;
      head.queuedTimeUs = head.lastTimeUs;
      this.flows.delete(head.key);
      this.flows.set(head.key, head);
    }
  }

  /** Removes a flow, reading what it still holds; an eviction (`reason`) of a flow that held data is reported. */
  private forget(flow: TcpFlow, at: FrameMeta, reason?: string): void {
    if (reason && (flow.buffered > 0 || flow.pending.length > 0)) {
      this.setMeta(at);
      reportIssue(this.context, flow, 'tcp-flow-evicted', `${reason}; least recently used flow closed`);
    }
    this.heldTotal -= flow.held;
    this.finish(flow);
    this.flows.delete(flow.key);
  }

  private finish(flow: TcpFlow): void {
    while (flow.pending.length > 0) this.skipGap(flow);
    this.close(flow, true);
  }

  /** Bytes [skip..] of `payload` continue the stream at flow.nextSeq. */
  private accept(flow: TcpFlow, payload: Uint8Array, skip: number, fin: boolean): void {
    if (skip < payload.length) {
      const length = payload.length - skip;
      flow.nextSeq = (flow.nextSeq + length) >>> 0;
      if (flow.mode !== 'closed' && flow.mode !== 'dropped') this.read(flow, skip === 0 ? payload : payload.subarray(skip));
    }
    if (fin && skip <= payload.length) {
      flow.nextSeq = (flow.nextSeq + 1) >>> 0; // FIN occupies one sequence number (RFC 9293 §3.4)
      this.close(flow, true);
    }
  }

  /** Hands newly in-order bytes to the stream reader without copying when nothing is buffered. */
  private read(flow: TcpFlow, bytes: Uint8Array): void {
    const packetNumber = this.context.meta.packetNumber;
    if (flow.buffered === 0) {
      flow.contributed(packetNumber, flow.streamPosition, bytes.length);
      const used = readStream(this.context, flow, bytes, 0, bytes.length);
      flow.streamPosition += used;
      if (used < bytes.length && flow.mode !== 'dropped' && flow.mode !== 'closed') flow.append(bytes.subarray(used));
      flow.pruneContributions(flow.streamPosition);
      return;
    }
    flow.contributed(packetNumber, flow.streamPosition + flow.buffered, bytes.length);
    flow.append(bytes);
    const used = readStream(this.context, flow, flow.buffer, flow.start, flow.end);
    if (flow.mode === 'dropped') flow.discardBuffered();
    else flow.consume(used - flow.start);
  }

  /** Applies held segments that the stream has now reached. */
  private drainPending(flow: TcpFlow): void {
    while (flow.pending.length > 0 && flow.mode !== 'closed') {
      const next = flow.pending[0];
      const ahead = (next.seq - flow.nextSeq) | 0;
      if (ahead > 0) return;
      flow.pending.shift();
      flow.pendingBytes -= next.bytes.length;
      this.setMeta(next);
      this.accept(flow, next.bytes, -ahead, next.fin);
    }
    if (flow.mode === 'closed') flow.clearPending();
  }

  /** The hole before the first held segment will not fill: report it and continue from that segment. */
  private skipGap(flow: TcpFlow): void {
    const first = flow.pending[0];
    if (!first) return;
    const missing = (first.seq - flow.nextSeq) >>> 0;
    this.setMeta(first);
    if (flow.mode !== 'dropped' && flow.mode !== 'closed') {
      reportIssue(this.context, flow, 'tcp-gap', `${missing} bytes missing before packet ${first.packetNumber}; reading resumes at the next SIP start line`);
      const partial = flow.buffered > 0 || flow.wsMessageFrom >= 0;
      if (flow.mode === 'hep') {
        flow.hepResync = true;
      } else if (flow.mode === 'ws') {
        flow.mode = 'resync';
        flow.wsResync = true;
      } else if (flow.mode === 'sip' || partial) {
        flow.mode = 'resync';
      }
      flow.atStreamStart = false;
      flow.unsureLineStart = true;
    }
    flow.discardBuffered();
    flow.nextSeq = first.seq;
    this.drainPending(flow);
  }

  /** FIN, RST, end of capture or idle: whatever is still buffered never completes. */
  private close(flow: TcpFlow, graceful: boolean): void {
    if (flow.mode === 'closed') return;
    if ((flow.mode === 'sip' || flow.mode === 'ws' || flow.mode === 'hep') && hasContent(flow)) {
      reportIssue(
        this.context,
        flow,
        'tcp-incomplete-message',
        `${flow.buffered} bytes of an unfinished message when the flow ${graceful ? 'ended' : 'was reset'}`,
      );
    }
    flow.mode = 'closed';
    flow.discardBuffered();
    flow.clearPending();
  }

  private sweepIdle(nowUs: number): void {
    this.lastSweepUs = nowUs;
    const deadline = nowUs - this.limits.idleTimeoutUs;
    for (const flow of this.flows.values()) {
      if (flow.lastTimeUs >= deadline) continue;
      this.forget(flow, this.context.meta);
    }
  }

  /** For diagnostics: the flows' names. */
  describeFlows(): string[] {
    return [...this.flows.values()].map(flowName);
  }
}

/**
 * A segment on a flow opened by the client's SYN, before the handshake was seen to complete: the first ACK without
 * data is the third segment of the three-way handshake (RFC 9293 §3.5); data or a FIN first means it was not captured.
 */
function handshakeAck(flow: TcpFlow, s: TcpSegment, hasData: boolean): void {
  if (hasData || (s.flags & (TCP_FIN | TCP_RST | TCP_SYN)) !== 0) {
    flow.awaitingHandshakeAck = false;
    return;
  }
  if ((s.flags & TCP_ACK) === 0) return;
  flow.opening.push(s.packetNumber);
  flow.awaitingHandshakeAck = false;
}

/** Anything other than CRLF keep-alives left in the buffer (or a WebSocket message in progress). */
function hasContent(flow: TcpFlow): boolean {
  if (flow.wsMessageFrom >= 0) return true;
  for (let i = flow.start; i < flow.end; i++) {
    const byte = flow.buffer[i];
    if (byte !== 0x0d && byte !== 0x0a) return true;
  }
  return false;
}
