/**
 * IP fragment reassembly for IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5), bounded: at most `maxDatagrams`
 * datagrams and `maxBytes` buffered bytes (the oldest are dropped beyond), datagrams above 65,535 bytes refused,
 * a datagram still incomplete `timeoutUs` of capture time after its first fragment is dropped and reported, and
 * a datagram sent in more than `maxFragmentsPerDatagram` fragments dropped as hostile (`fragment-too-many`): no
 * real sender needs that many (a 65,535-byte datagram over a 576-byte MTU takes 117), and each datagram's pieces
 * are kept in order (fragment-pieces.ts), so time is linear in the fragments and memory bounded, whatever comes.
 * Overlaps: the first copy of a byte wins; overlapping fragments whose bytes differ are reported
 * (RFC 5722 asks receivers to drop such IPv6 datagrams; for analysis we keep the first copy and say so).
 */
import { DatagramPieces, PLACED_CONFLICTING } from './fragment-pieces.js';
import type { FrameMeta } from './types.js';

export interface FragmentLimits {
  maxDatagrams: number;
  maxBytes: number;
  timeoutUs: number;
  /** Fragments taken for one datagram; one more drops it with `fragment-too-many`. */
  maxFragmentsPerDatagram: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = {
  maxDatagrams: 1024,
  maxBytes: 16 * 1024 * 1024,
  // RFC 8200 §4.5: 60 s for IPv6; Linux uses 30 s for IPv4 (ipfrag_time). One value for both: the longer one.
  timeoutUs: 60 * 1e6,
  maxFragmentsPerDatagram: 256,
};

const MAX_DATAGRAM_BYTES = 65535;

/** Reports a problem with the frame `at` (the fragment being added, or a dropped datagram's first fragment). */
export type FragmentIssue = (code: string, message: string, at: FrameMeta) => void;

/** One fragment as an IP layer hands it over (RFC 791 §3.2, RFC 8200 §4.5): valid during the call only, reused. */
export interface IpFragment {
  /** Names the datagram: IP version, addresses, identification (and protocol for IPv4). */
  key: string;
  /** Fragment offset: where the fragment's bytes go in the datagram's payload. */
  at: number;
  /** More-fragments flag clear: this fragment ends the datagram. */
  last: boolean;
  /** The fragment's bytes are bytes[start..end) (copied when kept). */
  bytes: Uint8Array;
  start: number;
  end: number;
  /** The frame that carried it. */
  frame: FrameMeta;
}

interface PendingDatagram {
  /** The frame of its first fragment (a copy). */
  first: FrameMeta;
  pieces: DatagramPieces;
  /** Frames of its fragments, in arrival order. */
  packets: number[];
  overlapReported: boolean;
}

export interface ReassembledDatagram {
  payload: Uint8Array;
  /** Packet numbers of every fragment, ascending. */
  packets: number[];
}

export class FragmentTable {
  private readonly pending = new Map<string, PendingDatagram>();
  private bufferedBytes = 0;

  constructor(
    private readonly limits: FragmentLimits,
    private readonly issue: FragmentIssue,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** Adds `fragment`; returns the whole payload when it completes its datagram. */
  add(fragment: IpFragment): ReassembledDatagram | undefined {
    const { key, at, start, end, frame } = fragment;
    this.expire(frame.timeUs);
    const length = end - start;
    if (at + length > MAX_DATAGRAM_BYTES) {
      this.issue('fragment-too-large', `fragment at offset ${at} would make the datagram exceed ${MAX_DATAGRAM_BYTES} bytes`, frame);
      this.drop(key);
      return undefined;
    }
    let datagram = this.pending.get(key);
    if (datagram !== undefined && datagram.packets.length >= this.limits.maxFragmentsPerDatagram) {
      this.issue('fragment-too-many', `IP datagram sent in more than ${this.limits.maxFragmentsPerDatagram} fragments; dropped`, frame);
      this.drop(key);
      return undefined;
    }
    if (datagram === undefined) {
      this.makeRoom(length);
      datagram = { first: { ...frame }, pieces: new DatagramPieces(), packets: [], overlapReported: false };
      this.pending.set(key, datagram);
    } else {
      this.makeRoom(length, datagram);
    }
    const heldBefore = datagram.pieces.held;
    const placed = datagram.pieces.add(at, fragment.bytes, start, end, fragment.last, !datagram.overlapReported);
    this.bufferedBytes += datagram.pieces.held - heldBefore;
    datagram.packets.push(frame.packetNumber);
    if (placed === PLACED_CONFLICTING) {
      datagram.overlapReported = true;
      this.issue('fragment-overlap', `fragment at offset ${at} overlaps an earlier one with different bytes; the first copy is kept`, frame);
    }
    if (!datagram.pieces.complete()) return undefined;
    this.drop(key);
    return { payload: datagram.pieces.payload(), packets: datagram.packets.sort((a, b) => a - b) };
  }

  /** Drops datagrams whose first fragment is older than the timeout (capture time). */
  expire(nowUs: number): void {
    for (const [key, datagram] of this.pending) {
      if (nowUs - datagram.first.timeUs <= this.limits.timeoutUs) break;
      this.issue('fragment-timeout', `IP datagram incomplete ${this.limits.timeoutUs / 1e6} s after its first fragment; dropped`, datagram.first);
      this.drop(key);
    }
  }

  /** End of capture: whatever is still incomplete is reported. */
  flush(): void {
    for (const [key, datagram] of this.pending) {
      this.issue('fragment-incomplete', `IP datagram still incomplete at end of capture (${datagram.packets.length} fragments)`, datagram.first);
      this.drop(key);
    }
  }

  private drop(key: string): void {
    const datagram = this.pending.get(key);
    if (datagram === undefined) return;
    this.bufferedBytes -= datagram.pieces.held;
    this.pending.delete(key);
  }

  private makeRoom(incoming: number, keep?: PendingDatagram): void {
    for (const [key, datagram] of this.pending) {
      const full = this.pending.size >= this.limits.maxDatagrams && keep === undefined;
      if (!full && this.bufferedBytes + incoming <= this.limits.maxBytes) return;
      if (datagram === keep) continue;
      this.issue('fragment-evicted', 'fragment table full: oldest incomplete IP datagram dropped', datagram.first);
      this.drop(key);
    }
  }
}
