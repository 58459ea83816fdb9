/**
 * What capture decoding hands to the rest of sipscope: one SIP message's bytes with where and when it was seen.
 * Stages (gopacket-style, one decoder per layer): container (pcap/pcapng) -> link -> IPv4/IPv6 (+fragments)
 * -> UDP | TCP reassembly | SCTP -> optional HEP / WebSocket -> SIP message bytes.
 */

export interface Endpoint {
  /** Textual address: dotted IPv4 or RFC 5952 IPv6. */
  ip: string;
  port: number;
}

export type CaptureTransport = 'udp' | 'tcp' | 'ws' | 'sctp';

/** The frames that carry a payload's message: its `packets`, or its own frame when that list is empty. */
export function framesOf(payload: Pick<SipPayload, 'packets' | 'packetNumber'>): number[] {
  return payload.packets.length > 0 ? payload.packets : [payload.packetNumber];
}

export interface SipPayload {
  /** Capture file the packet came from (path as given by the user, '-' for stdin). */
  file: string;
  /** 1-based frame number of the packet that completed this message, numbered as tshark numbers frames. */
  packetNumber: number;
  /** Every frame that carried part of this message (TCP segments, IP fragments), ascending. */
  packets: number[];
  /** Capture time of `packetNumber`, microseconds since the Unix epoch. */
  timeUs: number;
  src: Endpoint;
  dst: Endpoint;
  transport: CaptureTransport;
  /**
   * For a message read from a TCP stream (SIP or WebSocket): the frames that opened its connection, as far as the
   * capture holds them: the three-way handshake (RFC 9293 §3.5: SYN, SYN-ACK, the ACK that completes it) and, for
   * WebSocket, the segments of the HTTP/1.1 Upgrade request and of its 101 response (RFC 6455 §4). A reader that is
   * given only some frames of the connection (tshark on `sipscope extract`'s output) needs these to know how to read
   * it. One array for both directions of the connection, shared by its messages: read it, never change it.
   */
  opening?: readonly number[];
  /**
   * For a message read from a TCP stream whose first frame also carries the end of an earlier message (segments
   * that coalesce messages, of any call): the earlier frames of that message, and of the one before it if the
   * same holds for it, and so on (at most MAX_LEAD_IN_FRAMES). A reader given this message's frames without these
   * starts in the middle of the earlier message and cannot find where this one begins. Absent when the first frame
   * starts with this message or with a message wholly inside it.
   */
  leadIn?: readonly number[];
  /** Set when the message arrived inside HEP (HOMER) encapsulation. */
  hep?: boolean;
  /**
   * Set when these bytes are the copy of a datagram quoted inside an ICMP error (RFC 792, RFC 4443 §3: port
   * unreachable, time exceeded, ...): the message was sent but not delivered, and the quote may be cut short.
   * `src`/`dst` are those of the quoted (original) datagram. tshark counts these as SIP too.
   */
  icmpQuote?: boolean;
  /**
   * The bytes of exactly one SIP message, the receiver's to keep. Small messages are views into a shared pool
   * (as Node's Buffer pool): read them through byteOffset/byteLength, never through `bytes.buffer` alone.
   */
  bytes: Uint8Array;
}

/** Where and when a frame was captured: what issues and messages point at. */
export interface FrameMeta {
  /** The capture file the frame is in (several files can be read as one capture). */
  file: string;
  packetNumber: number;
  timeUs: number;
  /** Byte offset of the frame's record in the file. */
  offset: number;
}

/** A problem met while decoding; decoding goes on with the next packet. */
export interface DecodeIssue {
  /** Stable code: 'truncated-packet', 'bad-block-length', 'tcp-gap', 'fragment-timeout', 'not-sip', ... */
  code: string;
  message: string;
  file: string;
  /** The packet the problem is in. */
  packetNumber?: number;
  /**
   * For damaged bytes that never became a packet (a corrupt record or block, a cut file): the number of the packet
   * read after them, or that would have been read at the end of the file. Only readable packets are numbered, as
   * tshark numbers frames, so the packet after a corrupt record 2 is packet 2.
   */
  beforePacket?: number;
  /**
   * Byte offset in the capture file where the packet or block starts (of a .gz input: in the inflated capture);
   * for damage to the gzip stream itself ('truncated-file', 'corrupt-gzip' of a .gz), in the compressed file.
   */
  offset?: number;
  /** Set when `offset` counts bytes of the inflated capture of a .gz input, not bytes of the file itself. */
  offsetInflated?: true;
  /** The whole input could not be opened and was skipped (DecodeStats.unusableInputs): no problem of one packet. */
  unusableInput?: true;
}

export interface DecodeStats {
  files: number;
  /** Frames read from all files. */
  packets: number;
  /** Bytes of capture files read. */
  bytes: number;
  sipMessages: number;
  /** Number of DecodeIssue reported. */
  decodeErrors: number;
  /**
   * Inputs that could not be opened (missing, a directory, empty, not a capture), as named, each also reported as a
   * DecodeIssue: the others were read. Absent when every input was read.
   */
  unusableInputs?: string[];
}
