/**
 * State of one direction of a TCP connection during capture reassembly: the in-order bytes not yet framed into
 * messages, which frames contributed them, and segments that arrived ahead of a hole (RFC 9293 §3.10.7.4:
 * segments are processed in sequence order; later ones wait).
 */
import type { Endpoint, FrameMeta } from './types.js';

/** Most frames a message's lead-in lists (SipPayload.leadIn); a longer run of coalescing segments keeps the nearest. */
export const MAX_LEAD_IN_FRAMES = 256;

/**
 * What the bytes of the flow are currently read as.
 * unsynced: nothing recognised yet (new or mid-stream flow): look for a SIP start line or a WebSocket handshake.
 * sip: framed by Content-Length. resync: after a gap or garbage, skip to the next SIP start line.
 * ws: RFC 6455 frames. hep: HEP3 packets framed by their length. dropped: not SIP, ignored cheaply. closed: after FIN/RST; only retransmissions follow.
 */
export type FlowMode = 'unsynced' | 'sip' | 'resync' | 'ws' | 'hep' | 'dropped' | 'closed';

/** A segment received ahead of the next expected sequence number, kept (copied) until the hole is filled. */
export interface PendingSegment extends FrameMeta {
  seq: number;
  bytes: Uint8Array;
  fin: boolean;
}

/** Frame `packetNumber` contributed stream bytes [from, to) (absolute stream positions). */
interface Contribution {
  packetNumber: number;
  from: number;
  to: number;
}

const EMPTY = new Uint8Array(0);

export class TcpFlow {
  readonly key: string;
  readonly src: Endpoint;
  readonly dst: Endpoint;
  mode: FlowMode = 'unsynced';
  /** Next expected sequence number (uint32), or -1 before the first segment fixed it. */
  nextSeq = -1;
  /** Unframed in-order bytes are buffer[start..end). */
  buffer: Uint8Array = EMPTY;
  start = 0;
  end = 0;
  /** Absolute stream position of buffer[start] (counts every in-order byte since the flow began). */
  streamPosition = 0;
  /** Bytes examined while unsynced (bounds the look at a non-SIP stream). */
  looked = 0;
  /** True once bytes at the very start of the stream were seen (a WebSocket handshake can only be there). */
  atStreamStart = true;
  pending: PendingSegment[] = [];
  pendingBytes = 0;
  /** Capture time of the flow's last data segment. */
  lastTimeUs = 0;
  /** Value of lastTimeUs when the flow took its place in the reassembler's queue (second-chance LRU). */
  queuedTimeUs = 0;
  /** WebSocket message being assembled from fragments (RFC 6455 §5.4). */
  wsParts: Uint8Array[] = [];
  wsLength = 0;
  /** Absolute stream position where the current WebSocket message's first frame began, or -1. */
  wsMessageFrom = -1;
  /** Payload bytes still to skip of a frame too large to keep. */
  wsSkip = 0;
  /** The next byte may be inside a line (mid-stream start, after a gap, or a line running on). */
  unsureLineStart = false;
  /** A HEP stream holds bytes that are not HEP3 (or lost some): look for the next HEP3 header. */
  hepResync = false;
  /** A WebSocket stream lost bytes: look for the next frame that carries SIP, not for a start line. */
  wsResync = false;
  /**
   * Frames that opened the connection (SipPayload.opening): one array shared with the flow of the other direction
   * when that one was seen first (tcp-reassembly.ts `track`), so both directions' handshake frames end up in it.
   */
  opening: number[] = [];
  /** Opened by a SYN without ACK (the client's): the first ACK without data that follows completes the handshake. */
  awaitingHandshakeAck = false;
  /** Frames of the last message read from this flow, and its lead-in (SipPayload.leadIn): the next one's lead-in grows from them. */
  private lastPackets: number[] | undefined = undefined;
  private lastLeadIn: readonly number[] | undefined = undefined;
  /** Stream position of a message start line that arrived without the rest of the message, or -1. */
  awaitFrom = -1;
  /** Stream position where that message ends (its header block and Content-Length were read), or -1. */
  awaitEnd = -1;
  /** While its header block has not ended: stream position up to which it was searched for the blank line. */
  headerSearchedTo = -1;
  private contributions: Contribution[] = [];

  constructor(key: string, src: Endpoint, dst: Endpoint) {
    this.key = key;
    this.src = { ip: src.ip, port: src.port };
    this.dst = { ip: dst.ip, port: dst.port };
  }

  get buffered(): number {
    return this.end - this.start;
  }

  /** Bytes this flow holds: unframed, out of order, WebSocket fragments. */
  get held(): number {
    return this.end - this.start + this.pendingBytes + this.wsLength;
  }

  /** Records that `packetNumber` supplied `length` bytes starting at stream position `from`. */
  contributed(packetNumber: number, from: number, length: number): void {
    const last = this.contributions[this.contributions.length - 1];
    if (last && last.packetNumber === packetNumber && last.to === from) last.to = from + length;
    else this.contributions.push({ packetNumber, from, to: from + length });
  }

  /** Frames that supplied any byte of stream positions [from, to), ascending and distinct. */
  packetsOf(from: number, to: number): number[] {
    const packets: number[] = [];
    const contributions = this.contributions;
    let ascending = true;
    for (let i = 0; i < contributions.length; i++) {
      const c = contributions[i];
      if (c.to <= from || c.from >= to) continue;
      const last = packets.length > 0 ? packets[packets.length - 1] : -1;
      if (last === c.packetNumber) continue;
      if (c.packetNumber < last) ascending = false;
      packets.push(c.packetNumber);
    }
    // segments that arrived out of order contribute out of order; otherwise the list is sorted already
    if (!ascending) packets.sort((a, b) => a - b);
    return packets;
  }

  /**
   * Stream position of the first segment start after `after` and before `before` (the first byte a frame contributed,
   * where a sender's write may begin), or -1. Contributions are in stream order: found by binary search.
   */
  segmentStartBetween(after: number, before: number): number {
    const contributions = this.contributions;
    let low = 0;
    let high = contributions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (contributions[middle].from <= after) low = middle + 1;
      else high = middle;
    }
    return low < contributions.length && contributions[low].from < before ? contributions[low].from : -1;
  }

  /** Forgets contributions wholly before stream position `before` (and before a WebSocket message in progress). */
  pruneContributions(before: number): void {
    const keepFrom = this.wsMessageFrom >= 0 ? Math.min(before, this.wsMessageFrom) : before;
    let drop = 0;
    while (drop < this.contributions.length && this.contributions[drop].to <= keepFrom) drop++;
    if (drop > 0) this.contributions.splice(0, drop);
  }

  /** Appends bytes after buffer[end], compacting or growing the buffer as needed. */
  append(bytes: Uint8Array): void {
    const length = bytes.length;
    if (this.end + length > this.buffer.length) {
      const used = this.end - this.start;
      if (used + length <= this.buffer.length && this.start > 0) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        const grown = new Uint8Array(Math.max(1024, (used + length) * 2));
        grown.set(this.buffer.subarray(this.start, this.end));
        this.buffer = grown;
      }
      this.start = 0;
      this.end = used;
    }
    this.buffer.set(bytes, this.end);
    this.end += length;
  }

  /** Marks `count` buffered bytes as consumed. */
  consume(count: number): void {
    this.start += count;
    this.streamPosition += count;
    if (this.start === this.end) this.releaseBuffer();
    this.pruneContributions(this.streamPosition);
  }

  /**
   * The lead-in of a message (or HEP packet) whose frames are `frames` (SipPayload.leadIn): when its first frame is
   * also the last frame of the one read before it on the flow, that frame begins inside (or with) the earlier one,
   * so the earlier one's other frames and its own lead-in come first. Messages are read in stream order, so the
   * earlier one is the flow's last. Costs nothing for a message that starts its first frame.
   */
  leadInOf(frames: number[]): readonly number[] | undefined {
    const previous = this.lastPackets;
    const previousLeadIn = this.lastLeadIn;
    let result: number[] | undefined;
    if (previous !== undefined && previous[previous.length - 1] === frames[0] && (previous.length > 1 || previousLeadIn !== undefined)) {
      // the nearest frames first: the earlier message's own (the last of them when there are too many), then its lead-in
      result = previous.slice(Math.max(0, previous.length - 1 - MAX_LEAD_IN_FRAMES), -1);
      if (previousLeadIn !== undefined) {
        for (let i = 0; i < previousLeadIn.length && result.length < MAX_LEAD_IN_FRAMES; i++) result.push(previousLeadIn[i]);
      }
    }
    this.lastPackets = frames;
    this.lastLeadIn = result;
    return result;
  }

  /** Drops buffered bytes and their bookkeeping (after a gap, on close, or on eviction). */
  discardBuffered(): void {
    this.streamPosition += this.end - this.start;
    this.awaitFrom = -1;
    this.releaseBuffer();
    this.wsParts = [];
    this.wsLength = 0;
    this.wsMessageFrom = -1;
    this.wsSkip = 0;
    this.contributions = [];
    // bytes were lost or dropped: what comes next does not continue the last message's frames
    this.lastPackets = undefined;
    this.lastLeadIn = undefined;
  }

  /** Gives the memory back when empty, so thousands of idle flows cost little. */
  private releaseBuffer(): void {
    this.start = 0;
    this.end = 0;
    if (this.buffer.length > 64 * 1024 || this.mode === 'dropped' || this.mode === 'closed') this.buffer = EMPTY;
  }

  /** Keeps `segment` until the hole before it is filled, ordered by sequence number (RFC 1982-style compare). */
  addPending(segment: PendingSegment): void {
    // binary search for the first held segment after it: held segments cost O(log n) to pass, not O(n)
    const pending = this.pending;
    let at = 0;
    let high = pending.length;
    while (at < high) {
      const middle = (at + high) >>> 1;
      if (((pending[middle].seq - segment.seq) | 0) > 0) high = middle;
      else at = middle + 1;
    }
    const before = pending[at - 1];
    if (before && before.seq === segment.seq && before.bytes.length >= segment.bytes.length && (before.fin || !segment.fin)) return;
    this.pending.splice(at, 0, segment);
    this.pendingBytes += segment.bytes.length;
  }

  clearPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }
}
