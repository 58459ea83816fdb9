/**
 * HEP mirror copies: a capture agent (Kamailio siptrace, heplify, captagent) sends each SIP message it handles to a
 * HOMER collector as HEP, with the message's own addresses, ports and time in its chunks (src/capture/hep.ts). A
 * capture taken where that happens (on an SBC that runs siptrace; on the collector's host while two agents mirror
 * the same traffic) holds a message twice or more: on the wire and in HEP, or in two HEP packets. Those are one
 * message seen several times, not retransmissions: only the first sighting is analysed, the others are set aside
 * (counted in summary.mirrorCopies).
 *
 * The rule: a sighting is a copy of an earlier one when
 *  - at least one of the two came through HEP (two wire sightings are never merged: a retransmission is sent on the
 *    wire again, and a copy of one frame from a second interface stays a retransmission as before);
 *  - their SIP bytes are the same, every byte (a retransmission is byte for byte the same too, so this alone would
 *    not do: RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1);
 *  - their source and destination addresses and ports are the same (HEP's chunks 0x0003..0x0008 against the
 *    packet's): the same bytes between other addresses are the message on another hop, which the analysis keeps
 *    (a transaction per hop, transactions.ts);
 *  - their message times (HEP's timestamp chunks, the capture time of a wire frame) are at most MIRROR_WINDOW_US
 *    apart;
 *  - and, for a wire sighting, the earlier one is not a wire sighting already: one group holds at most one wire
 *    sighting and any number of HEP ones, so a retransmission on the wire is never taken for a copy, even when its
 *    network uses a T1 smaller than the window.
 * The first sighting of a group is the one analysed, whichever it is (an agent may send its copy before the
 * message reaches the wire); later ones are matched to the newest group that can take them.
 *
 * The window is half of T1. A mirror copy follows its message within milliseconds (10 ms in the recorded Kamailio
 * siptrace capture, fixtures/captures/recorded/hep3-kamailio.pcap: the time of the trace, taken after processing);
 * a retransmission comes T1 = 500 ms after the first transmission at the soonest (Timer A, E and G start at T1,
 * RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1), so the middle leaves as much room on either side. Only the HEP
 * copies of retransmissions of a network that uses the NOT RECOMMENDED smaller T1 (§17.1.1.2: "closed, private
 * networks") of 250 ms or less would be merged with each other, and then their wire copies still count.
 *
 * How others do it (docs/architecture.md, "HEP mirror copies"): heplify-server (sipcapture/heplify-server 0112e4d
 * decoder/decoder.go, normPayload, option Dedup, off by default) drops a HEP packet whose payload hashes (xxhash)
 * like one seen less than 500 ms before by HEP time, whatever its addresses; heplify (sipcapture/heplify 8d33a94
 * src/sniffer/sniffer.go, -dd) drops a payload already among the last 10,000, with no time limit at all: both drop
 * retransmissions too. sngrep (irontec/sngrep 1ff74ee src/sip_call.c, call_msg_retrans_check) marks a message as a
 * retransmission when the call's previous message between the same address:port pair has the same payload: a HEP
 * copy is then shown as a retransmission, which is what this avoids.
 */
import type { SipPayload } from '../capture/types.js';
import type { MessageFields } from './fields.js';
import { TimedQueue } from './timed-queue.js';
import { T1_US } from './timers.js';

/** Two sightings of the same bytes at most this far apart (µs, message time) are one message. */
export const MIRROR_WINDOW_US = T1_US / 2;

/**
 * Most sightings remembered at once: the window's worth of messages of a very busy capture. Beyond it the oldest
 * are forgotten (a HEP agent whose clock runs far ahead would otherwise keep everything queued behind its copies).
 */
const MAX_SIGHTINGS = 20_000;

/** Bytes of the start of a message that go into its key: start line and top Via (its branch), usually. */
const KEY_BYTES = 256;

/** The first sighting of a message, and whether its group holds a wire sighting. */
export interface Sighting {
  payload: SipPayload;
  key: number;
  wire: boolean;
  /**
   * The fields the analysis read from it, noted there for its copies (which have the same bytes): their Call-ID is
   * made only if a copy comes.
   */
  fields?: MessageFields;
}

/**
 * Tells mirror copies from messages, one payload at a time in capture order. Until the first HEP payload it only
 * queues the recent wire payloads (a capture without HEP costs a queue entry per message); from then on every
 * sighting is indexed by a hash of its addresses, length and first bytes, and a candidate is compared whole.
 */
export class MirrorCopies {
  private readonly recent = new TimedQueue<Sighting>();
  /** Sightings by key, oldest first (the order of `recent`); filled from the first HEP payload on. */
  private readonly byKey = new Map<number, Sighting[]>();
  private indexed = false;
  private readonly forget = (sighting: Sighting): void => {
    if (this.indexed) this.unindex(sighting);
  };

  /** Whether `payload` is a copy of a message already seen (then it is to be set aside); else it is remembered. */
  isCopy(payload: SipPayload): boolean {
    return this.sight(payload).payload !== payload;
  }

  /**
   * The first sighting of the message `payload` is a copy of (then its `payload` is another one, and `payload` is
   * to be set aside), else the sighting `payload` is now remembered as (its `payload` is `payload`).
   */
  sight(payload: SipPayload): Sighting {
    const timeUs = payload.timeUs;
    if (this.recent.hasDue(timeUs - MIRROR_WINDOW_US - 1)) this.recent.takeDue(timeUs - MIRROR_WINDOW_US - 1, this.forget);
    if (payload.hep && !this.indexed) this.indexAll();
    if (!this.indexed) {
      // fields from the start: the analyzer notes them on every sighting (no property array added then)
      const wireSighting: Sighting = { payload, key: 0, wire: true, fields: undefined };
      this.remember(wireSighting);
      return wireSighting;
    }
    const key = keyOf(payload);
    const group = this.groupOf(payload, key);
    if (group) {
      if (!payload.hep) group.wire = true;
      return group;
    }
    const sighting: Sighting = { payload, key, wire: !payload.hep, fields: undefined };
    this.remember(sighting);
    this.index(sighting);
    return sighting;
  }

  /** The newest group within the window that `payload` belongs to (see the rule above). */
  private groupOf(payload: SipPayload, key: number): Sighting | undefined {
    const candidates = this.byKey.get(key);
    if (candidates === undefined) return undefined;
    for (let i = candidates.length - 1; i >= 0; i--) {
      const group = candidates[i];
      if (Math.abs(group.payload.timeUs - payload.timeUs) > MIRROR_WINDOW_US) continue;
      if (!payload.hep && group.wire) continue;
      if (sameMessage(group.payload, payload)) return group;
    }
    return undefined;
  }

  private remember(sighting: Sighting): void {
    this.recent.push(sighting, sighting.payload.timeUs);
    if (this.recent.size > MAX_SIGHTINGS) {
      const [oldest] = this.recent.shift()!;
      this.forget(oldest);
    }
  }

  /** The first HEP payload: the wire payloads of the window before it are indexed (one of them may be its message). */
  private indexAll(): void {
    this.indexed = true;
    const queued: Sighting[] = [];
    while (this.recent.size > 0) queued.push(this.recent.shift()![0]);
    for (const sighting of queued) {
      sighting.key = keyOf(sighting.payload);
      this.recent.push(sighting, sighting.payload.timeUs);
      this.index(sighting);
    }
  }

  private index(sighting: Sighting): void {
    const list = this.byKey.get(sighting.key);
    if (list === undefined) this.byKey.set(sighting.key, [sighting]);
    else list.push(sighting);
  }

  private unindex(sighting: Sighting): void {
    const list = this.byKey.get(sighting.key);
    if (list === undefined) return;
    const at = list.indexOf(sighting);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.byKey.delete(sighting.key);
  }
}

/** Same addresses, ports and bytes. */
function sameMessage(a: SipPayload, b: SipPayload): boolean {
  return (
    a.src.port === b.src.port &&
    a.dst.port === b.dst.port &&
    a.bytes.byteLength === b.bytes.byteLength &&
    a.src.ip === b.src.ip &&
    a.dst.ip === b.dst.ip &&
    Buffer.compare(a.bytes, b.bytes) === 0
  );
}

/** 32-bit FNV-1a of the ports, the length and the first KEY_BYTES bytes: finds the candidates, compared whole. */
function keyOf(payload: SipPayload): number {
  const bytes = payload.bytes;
  let hash = 0x811c9dc5;
  hash = Math.imul(hash ^ payload.src.port, 0x01000193);
  hash = Math.imul(hash ^ payload.dst.port, 0x01000193);
  hash = Math.imul(hash ^ bytes.byteLength, 0x01000193);
  const end = Math.min(bytes.byteLength, KEY_BYTES);
  for (let i = 0; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return hash >>> 0;
}
