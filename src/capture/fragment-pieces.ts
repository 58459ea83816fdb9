/**
 * The bytes of one IP datagram being reassembled, as an ordered list of disjoint pieces (an interval structure):
 * a fragment is placed by binary search, only its bytes not yet held are copied (the first copy of a byte wins,
 * RFC 791 §3.2 leaves overlaps to the receiver), and completeness is one comparison (held bytes against the
 * length the last fragment gave). A fragment costs O(log pieces) plus its own length and the pieces it overlaps;
 * nothing is re-sorted or re-scanned as pieces accumulate. With n fragments there are at most 2n pieces.
 */
import { copyBytes } from './packet-record.js';

interface Piece {
  /** Offset of bytes[0] in the datagram payload. */
  at: number;
  bytes: Uint8Array;
}

/** What adding a fragment found. */
export const PLACED = 0;
/** Overlapped bytes already held with different values (the held copy was kept). */
export const PLACED_CONFLICTING = 1;

export class DatagramPieces {
  /** Disjoint, ascending by `at`. */
  private readonly pieces: Piece[] = [];
  /** Bytes held (sum of piece lengths; pieces never overlap). */
  held = 0;
  /** Payload length once a last fragment (more-fragments clear) arrived, else -1. */
  totalLength = -1;

  get pieceCount(): number {
    return this.pieces.length;
  }

  /**
   * Places bytes[start..end) at offset `at`. `last`: the fragment ends the datagram, so bytes held beyond its end
   * are dropped (and later bytes beyond it are not kept). Returns PLACED or PLACED_CONFLICTING.
   */
  add(at: number, bytes: Uint8Array, start: number, end: number, last: boolean, compare: boolean): number {
    let until = at + (end - start);
    if (last) this.setTotal(until);
    if (this.totalLength >= 0 && until > this.totalLength) until = this.totalLength;
    let result = PLACED;
    let cursor = at;
    let index = this.firstEndingAfter(at);
    const pieces = this.pieces;
    while (cursor < until) {
      const piece = index < pieces.length ? pieces[index] : undefined;
      if (piece === undefined || piece.at >= until) {
        this.insert(index, cursor, copyBytes(bytes, start + cursor - at, start + until - at));
        break;
      }
      if (piece.at > cursor) {
        this.insert(index, cursor, copyBytes(bytes, start + cursor - at, start + piece.at - at));
        index++;
      }
      const overlapEnd = Math.min(until, piece.at + piece.bytes.length);
      const overlapFrom = Math.max(cursor, piece.at);
      if (compare && result === PLACED && differs(piece, overlapFrom, overlapEnd, bytes, start - at)) result = PLACED_CONFLICTING;
      cursor = overlapEnd;
      index++;
    }
    return result;
  }

  /** True when the held bytes cover [0, totalLength) without a hole. */
  complete(): boolean {
    return this.totalLength >= 0 && this.held === this.totalLength;
  }

  /** The whole payload (call when complete()). */
  payload(): Uint8Array {
    const payload = new Uint8Array(this.totalLength);
    for (const piece of this.pieces) payload.set(piece.bytes, piece.at);
    return payload;
  }

  /** A last fragment fixes the length: bytes held beyond it can never belong to the payload. */
  private setTotal(total: number): void {
    this.totalLength = total;
    const pieces = this.pieces;
    while (pieces.length > 0) {
      const tail = pieces[pieces.length - 1];
      const tailEnd = tail.at + tail.bytes.length;
      if (tailEnd <= total) break;
      if (tail.at >= total) {
        pieces.pop();
        this.held -= tail.bytes.length;
      } else {
        this.held -= tailEnd - total;
        tail.bytes = tail.bytes.subarray(0, total - tail.at);
        break;
      }
    }
  }

  /** Index of the first piece that ends after `at` (binary search). */
  private firstEndingAfter(at: number): number {
    const pieces = this.pieces;
    let low = 0;
    let high = pieces.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const piece = pieces[middle];
      if (piece.at + piece.bytes.length <= at) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private insert(index: number, at: number, bytes: Uint8Array): void {
    if (index === this.pieces.length) this.pieces.push({ at, bytes });
    else this.pieces.splice(index, 0, { at, bytes });
    this.held += bytes.length;
  }
}

/** Do the held bytes of `piece` over [from, to) differ from the fragment's (fragment byte for offset o is bytes[o + shift])? */
function differs(piece: Piece, from: number, to: number, bytes: Uint8Array, shift: number): boolean {
  const held = piece.bytes;
  for (let offset = from; offset < to; offset++) if (held[offset - piece.at] !== bytes[offset + shift]) return true;
  return false;
}
