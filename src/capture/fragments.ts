/**
 * IP fragment reassembly for IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5), bounded: at most `maxDatagrams`
 * datagrams and `maxBytes` buffered bytes (the oldest are dropped beyond), datagrams above 65,535 bytes refused,
 * and a datagram still incomplete `timeoutUs` of capture time after its first fragment is dropped and reported.
 * Overlaps: the first copy of a byte wins; overlapping fragments whose bytes differ are reported
 * (RFC 5722 asks receivers to drop such IPv6 datagrams; for analysis we keep the first copy and say so).
 */
import { copyBytes } from './packet-record.js';
import type { FrameMeta } from './types.js';

export interface FragmentLimits {
  maxDatagrams: number;
  maxBytes: number;
  timeoutUs: number;
}

export const DEFAULT_FRAGMENT_LIMITS: FragmentLimits = {
  maxDatagrams: 1024,
  maxBytes: 16 * 1024 * 1024,
  // RFC 8200 §4.5: 60 s for IPv6; Linux uses 30 s for IPv4 (ipfrag_time). One value for both: the longer one.
  timeoutUs: 60 * 1e6,
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

interface Piece {
  at: number;
  bytes: Uint8Array;
}

interface PendingDatagram {
  /** The frame of its first fragment (a copy). */
  first: FrameMeta;
  pieces: Piece[];
  /** Payload length once the last fragment (more-fragments clear) has arrived, else -1. */
  totalLength: number;
  bufferedBytes: number;
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
    const { key, at, bytes, start, end, frame } = fragment;
    this.expire(frame.timeUs);
    const length = end - start;
    if (at + length > MAX_DATAGRAM_BYTES) {
      this.issue('fragment-too-large', `fragment at offset ${at} would make the datagram exceed ${MAX_DATAGRAM_BYTES} bytes`, frame);
      this.drop(key);
      return undefined;
    }
    let datagram = this.pending.get(key);
    if (datagram === undefined) {
      this.makeRoom(length);
      datagram = { first: { ...frame }, pieces: [], totalLength: -1, bufferedBytes: 0, packets: [], overlapReported: false };
      this.pending.set(key, datagram);
    } else {
      this.makeRoom(length, datagram);
    }
    if (fragment.last) datagram.totalLength = at + length;
    this.checkOverlap(datagram, fragment);
    datagram.pieces.push({ at, bytes: copyBytes(bytes, start, end) });
    datagram.bufferedBytes += length;
    this.bufferedBytes += length;
    datagram.packets.push(frame.packetNumber);
    const payload = this.complete(datagram);
    if (payload === undefined) return undefined;
    this.drop(key);
    return { payload, packets: datagram.packets.sort((a, b) => a - b) };
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
    this.bufferedBytes -= datagram.bufferedBytes;
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

  private checkOverlap(datagram: PendingDatagram, fragment: IpFragment): void {
    if (datagram.overlapReported) return;
    const { at, bytes, start, end } = fragment;
    const until = at + (end - start);
    for (const piece of datagram.pieces) {
      const from = Math.max(at, piece.at);
      const to = Math.min(until, piece.at + piece.bytes.length);
      for (let i = from; i < to; i++) {
        if (piece.bytes[i - piece.at] === bytes[start + i - at]) continue;
        datagram.overlapReported = true;
        this.issue('fragment-overlap', `fragment at offset ${at} overlaps an earlier one with different bytes; the first copy is kept`, fragment.frame);
        return;
      }
    }
  }

  /** The whole payload when fragments cover [0, totalLength) without a hole; earlier fragments win overlaps. */
  private complete(datagram: PendingDatagram): Uint8Array | undefined {
    if (datagram.totalLength < 0) return undefined;
    const ordered = [...datagram.pieces].sort((a, b) => a.at - b.at);
    let covered = 0;
    for (const piece of ordered) {
      if (piece.at > covered) return undefined;
      covered = Math.max(covered, piece.at + piece.bytes.length);
    }
    if (covered < datagram.totalLength) return undefined;
    const payload = new Uint8Array(datagram.totalLength);
    for (let i = datagram.pieces.length - 1; i >= 0; i--) {
      const piece = datagram.pieces[i];
      payload.set(piece.bytes.subarray(0, Math.max(0, Math.min(piece.bytes.length, datagram.totalLength - piece.at))), piece.at);
    }
    return payload;
  }
}
