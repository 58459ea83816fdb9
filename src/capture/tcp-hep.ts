/**
 * HEP over TCP (heplify `-nt tcp`, captagent, Kamailio siptrace to a TCP collector, usually port 9060): HEP3 packets
 * back to back in the stream, each framed by its total length (HEP3 rev12 spec). Bytes that do not start a HEP3
 * packet are reported once and skipped to the next HEP3 header. Each packet is decoded as a HEP datagram is.
 */
import { HEP3_HEADER_BYTES, isHep3Magic, readUint16 } from './hep-chunks.js';
import { decodeHep } from './hep.js';
import type { TcpFlow } from './tcp-flow.js';
import { reportIssue, type StreamContext } from './tcp-stream-context.js';

const CHUNK_HEADER_BYTES = 6;

/**
 * A HEP3 header at `at` that looks real: magic, a total length that holds at least one chunk and, when its bytes are
 * there, a first chunk of vendor 0 that fits. Used to find HEP in a stream first seen mid-way.
 */
export function plausibleHep(data: Uint8Array, at: number, to: number): boolean {
  if (to - at < HEP3_HEADER_BYTES || !isHep3Magic(data, at)) return false;
  const total = readUint16(data, at + 4);
  if (total < HEP3_HEADER_BYTES + CHUNK_HEADER_BYTES) return false;
  if (to - at < HEP3_HEADER_BYTES + CHUNK_HEADER_BYTES) return true;
  const chunkLength = readUint16(data, at + 10);
  return readUint16(data, at + 6) === 0 && chunkLength >= CHUNK_HEADER_BYTES && chunkLength <= total - HEP3_HEADER_BYTES;
}

/** Index of the first plausible HEP3 header in data[from..to), or -1. */
export function findHep(data: Uint8Array, from: number, to: number): number {
  // both magics ("HEP3", "EEP1") have "EP" at bytes 1-2
  for (let p = data.indexOf(0x50, from + 2); p >= 0 && p < to; p = data.indexOf(0x50, p + 1)) {
    if (plausibleHep(data, p - 2, to)) return p - 2;
  }
  return -1;
}

/** Reads HEP3 packets from data[from..to) (stream position base + index); returns where reading stopped. */
export function readHepStream(context: StreamContext, flow: TcpFlow, data: Uint8Array, from: number, to: number, base: number): number {
  let position = from;
  while (position < to) {
    if (flow.hepResync) {
      const found = findHep(data, position, to);
      // keep the last bytes: a header may begin there
      if (found < 0) return Math.max(position, to - (HEP3_HEADER_BYTES + CHUNK_HEADER_BYTES - 1));
      flow.hepResync = false;
      position = found;
    }
    if (to - position < HEP3_HEADER_BYTES) return position;
    const total = readUint16(data, position + 4);
    if (!isHep3Magic(data, position) || total < HEP3_HEADER_BYTES) {
      const what = isHep3Magic(data, position) ? `HEP3 total length ${total} is shorter than its header` : 'bytes that are not a HEP3 packet in a HEP stream';
      reportIssue(context, flow, isHep3Magic(data, position) ? 'hep-bad-length' : 'hep-bad-frame', `${what}; skipping to the next HEP3 header`);
      flow.hepResync = true;
      position++;
      continue;
    }
    if (to - position < total) return position;
    const end = position + total;
    const frames = flow.packetsOf(base + position, base + end);
    // RFC 9293 §3.5: the handshake, and the frames before the packet's first one, for a reader given only some frames
    decodeHep(data.subarray(position, end), context.meta, context.sink, frames, { opening: flow.opening, leadIn: flow.leadInOf(frames) });
    position = end;
  }
  return position;
}
