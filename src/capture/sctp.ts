/**
 * SIP over SCTP (RFC 4168) in captures: the SCTP common header and chunks (RFC 9260 §3), DATA chunks (§3.3.1)
 * and I-DATA chunks (RFC 8260 §2.1). Each SCTP user message carries one SIP message (RFC 4168 §5); user
 * messages split into fragments (B/E flags) are put back together, by TSN for DATA (fragments have consecutive
 * TSNs, RFC 9260 §6.9) and by message identifier and fragment sequence number for I-DATA. Bounded memory.
 */
import { isSipPayload } from './sip-datagram-payload.js';
import type { DecodeIssue, SipPayload } from './types.js';

export interface SctpMeta {
  file: string;
  packetNumber: number;
  timeUs: number;
  offset: number;
  src: string;
  dst: string;
}

export interface SctpSink {
  message(p: SipPayload): void;
  issue(i: DecodeIssue): void;
}

const CHUNK_DATA = 0;
const CHUNK_I_DATA = 64;
const FLAG_END = 0x01;
const FLAG_BEGIN = 0x02;
const FLAG_UNORDERED = 0x04;

/** Fragmented user messages held per decoding run: at most this many fragments and bytes in all. */
export const MAX_SCTP_FRAGMENTS = 1024;
export const MAX_SCTP_FRAGMENT_BYTES = 4 * 1024 * 1024;

interface Fragment {
  /** TSN (DATA) or fragment sequence number (I-DATA): consecutive within one user message. */
  order: number;
  begin: boolean;
  end: boolean;
  bytes: Uint8Array;
  packetNumber: number;
}

/** Fragments with consecutive orders that may be one message: no BEGIN after the first, no END before the last. */
interface Run {
  first: number;
  last: number;
}

/** The fragments of one stream (or I-DATA message) and the runs they form, each run found from either end. */
interface FragmentGroup {
  fragments: Map<number, Fragment>;
  runByFirst: Map<number, Run>;
  runByLast: Map<number, Run>;
}

/**
 * Fragments waiting for the rest of their user message, keyed by association direction and stream (+ MID).
 * Consecutive fragments are joined into runs as they arrive (a union of intervals), so a fragment costs O(1)
 * however many are held: a message is complete when its run starts with BEGIN and ends with END.
 */
export class SctpFragments {
  private readonly groups = new Map<string, FragmentGroup>();
  private count = 0;
  private bytes = 0;

  /** Fragments currently held. */
  get held(): number {
    return this.count;
  }

  /** Adds a fragment; returns the whole user message and its frames once every fragment is there. */
  add(key: string, fragment: Fragment): { bytes: Uint8Array; packets: number[] } | undefined {
    if (this.groups.get(key)?.fragments.has(fragment.order)) return undefined; // retransmitted chunk
    while ((this.count >= MAX_SCTP_FRAGMENTS || this.bytes + fragment.bytes.length > MAX_SCTP_FRAGMENT_BYTES) && this.groups.size > 0) {
      this.dropOldestGroup();
    }
    let group = this.groups.get(key);
    if (!group) {
      group = { fragments: new Map(), runByFirst: new Map(), runByLast: new Map() };
      this.groups.set(key, group);
    }
    group.fragments.set(fragment.order, fragment);
    this.count++;
    this.bytes += fragment.bytes.length;
    const run = this.join(group, fragment);
    const first = group.fragments.get(run.first);
    const last = group.fragments.get(run.last);
    if (!first?.begin || !last?.end) return undefined;
    return this.take(key, group, run);
  }

  /** Joins the fragment to the runs ending just before and starting just after it, where one message may continue. */
  private join(group: FragmentGroup, fragment: Fragment): Run {
    const order = fragment.order;
    let run: Run = { first: order, last: order };
    const before = fragment.begin ? undefined : group.runByLast.get((order - 1) >>> 0);
    if (before && !group.fragments.get(before.last)?.end) {
      group.runByLast.delete(before.last);
      before.last = order;
      run = before;
    } else {
      group.runByFirst.set(order, run);
    }
    const after = fragment.end ? undefined : group.runByFirst.get((order + 1) >>> 0);
    if (after && !group.fragments.get(after.first)?.begin) {
      group.runByFirst.delete(after.first);
      group.runByLast.delete(after.last);
      run.last = after.last;
    }
    group.runByLast.set(run.last, run);
    return run;
  }

  /** Removes the run's fragments and returns them as one message. */
  private take(key: string, group: FragmentGroup, run: Run): { bytes: Uint8Array; packets: number[] } {
    const parts: Fragment[] = [];
    for (let order = run.first; ; order = (order + 1) >>> 0) {
      parts.push(group.fragments.get(order)!);
      group.fragments.delete(order);
      if (order === run.last) break;
    }
    group.runByFirst.delete(run.first);
    group.runByLast.delete(run.last);
    let length = 0;
    for (const part of parts) length += part.bytes.length;
    const bytes = new Uint8Array(length);
    let at = 0;
    const packets = new Set<number>();
    for (const part of parts) {
      bytes.set(part.bytes, at);
      at += part.bytes.length;
      packets.add(part.packetNumber);
      this.count--;
      this.bytes -= part.bytes.length;
    }
    if (group.fragments.size === 0) this.groups.delete(key);
    return { bytes, packets: [...packets].sort((a, b) => a - b) };
  }

  private dropOldestGroup(): void {
    const [key, group] = this.groups.entries().next().value as [string, FragmentGroup];
    for (const fragment of group.fragments.values()) {
      this.count--;
      this.bytes -= fragment.bytes.length;
    }
    this.groups.delete(key);
  }
}

/** Fragment state per sink, so C1's pipeline (one sink per run) gets reassembly without extra wiring. */
const fragmentsBySink = new WeakMap<object, SctpFragments>();

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** Decodes one SCTP packet (`packet` starts at the SCTP common header) and emits the SIP messages it completes. */
export function decodeSctp(packet: Uint8Array, meta: SctpMeta, sink: SctpSink, fragments?: SctpFragments): void {
  const issue = (code: string, what: string) =>
    sink.issue({ code, message: `${what} (SCTP, packet ${meta.packetNumber})`, file: meta.file, packetNumber: meta.packetNumber, offset: meta.offset });
  if (packet.length < 12) {
    issue('sctp-truncated', `SCTP packet of ${packet.length} bytes is shorter than its 12-byte common header`);
    return;
  }
  let store = fragments ?? fragmentsBySink.get(sink);
  const srcPort = (packet[0] << 8) | packet[1];
  const dstPort = (packet[2] << 8) | packet[3];
  const association = `${meta.src}|${srcPort}|${meta.dst}|${dstPort}|${readUint32(packet, 4)}`;
  let at = 12;
  while (at + 4 <= packet.length) {
    const type = packet[at];
    const flags = packet[at + 1];
    const length = (packet[at + 2] << 8) | packet[at + 3];
    if (length < 4 || at + length > packet.length) {
      issue('sctp-bad-chunk', `SCTP chunk at byte ${at} claims ${length} bytes, ${packet.length - at} remain`);
      return;
    }
    if (type === CHUNK_DATA || type === CHUNK_I_DATA) {
      const headerLength = type === CHUNK_DATA ? 16 : 20;
      if (length < headerLength) {
        issue('sctp-bad-chunk', `SCTP ${type === CHUNK_DATA ? 'DATA' : 'I-DATA'} chunk of ${length} bytes is shorter than its header`);
        return;
      }
      const data = packet.subarray(at + headerLength, at + length);
      const stream = (packet[at + 8] << 8) | packet[at + 9];
      const whole = (flags & (FLAG_BEGIN | FLAG_END)) === (FLAG_BEGIN | FLAG_END);
      let message: { bytes: Uint8Array; packets: number[] } | undefined;
      if (whole) {
        message = { bytes: data.slice(), packets: [meta.packetNumber] };
      } else {
        if (!store) {
          store = new SctpFragments();
          fragmentsBySink.set(sink, store);
        }
        const key =
          type === CHUNK_DATA
            ? `${association}|${stream}`
            : `${association}|${stream}|${flags & FLAG_UNORDERED}|${readUint32(packet, at + 12)}`;
        // DATA fragments follow each other in TSN; I-DATA ones by FSN, which the first fragment leaves implicit (0).
        const order = type === CHUNK_DATA ? readUint32(packet, at + 4) : flags & FLAG_BEGIN ? 0 : readUint32(packet, at + 16);
        message = store.add(key, { order, begin: (flags & FLAG_BEGIN) !== 0, end: (flags & FLAG_END) !== 0, bytes: data.slice(), packetNumber: meta.packetNumber });
      }
      // a user message is one SIP message (RFC 4168 §5), as a datagram (sip-datagram-payload.ts)
      if (message && isSipPayload(message.bytes, 0, message.bytes.length, issue)) {
        sink.message({
          file: meta.file,
          packetNumber: meta.packetNumber,
          packets: message.packets,
          timeUs: meta.timeUs,
          src: { ip: meta.src, port: srcPort },
          dst: { ip: meta.dst, port: dstPort },
          transport: 'sctp',
          bytes: message.bytes,
        });
      }
    }
    at += (length + 3) & ~3; // chunks are padded to 4 bytes (RFC 9260 §3.2)
  }
}
