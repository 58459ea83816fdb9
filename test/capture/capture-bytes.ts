/**
 * Hand-built capture bytes for tests of framing rules only (byte order, magic numbers, block layout, VLAN tags,
 * fragment offsets). Packet contents elsewhere come from real captures.
 */

export function sipRequest(callId: string, method = 'OPTIONS'): Buffer {
  return Buffer.from(
    `${method} sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK${callId}\r\n` +
      `From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: ${callId}\r\nCSeq: 1 ${method}\r\n` +
      `Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
  );
}

export function udp(payload: Uint8Array, srcPort = 5060, dstPort = 5060): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([header, payload]);
}

export interface Ipv4Fields {
  src?: string;
  dst?: string;
  protocol?: number;
  id?: number;
  /** Fragment offset in bytes (multiple of 8). */
  fragmentOffset?: number;
  moreFragments?: boolean;
}

export function ipv4(payload: Uint8Array, fields: Ipv4Fields = {}): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + payload.length, 2);
  header.writeUInt16BE(fields.id ?? 1, 4);
  header.writeUInt16BE(((fields.moreFragments ? 1 : 0) << 13) | ((fields.fragmentOffset ?? 0) / 8), 6);
  header[8] = 64;
  header[9] = fields.protocol ?? 17;
  Buffer.from((fields.src ?? '192.0.2.1').split('.').map(Number)).copy(header, 12);
  Buffer.from((fields.dst ?? '192.0.2.2').split('.').map(Number)).copy(header, 16);
  return Buffer.concat([header, payload]);
}

/** IPv6 header; `chain` is the payload including any extension headers, `nextHeader` the first of them. */
export function ipv6(chain: Uint8Array, nextHeader: number, src = '20010db8000000000000000000000001', dst = '20010db8000000000000000000000002'): Buffer {
  const header = Buffer.alloc(40);
  header[0] = 0x60;
  header.writeUInt16BE(chain.length, 4);
  header[6] = nextHeader;
  header[7] = 64;
  Buffer.from(src, 'hex').copy(header, 8);
  Buffer.from(dst, 'hex').copy(header, 24);
  return Buffer.concat([header, chain]);
}

export function ethernet(network: Uint8Array, etherType = 0x0800, vlanTags: Array<[tpid: number, vid: number]> = []): Buffer {
  const parts = [Buffer.from('020000000002020000000001', 'hex')];
  for (const [tpid, vid] of vlanTags) {
    const tag = Buffer.alloc(4);
    tag.writeUInt16BE(tpid, 0);
    tag.writeUInt16BE(vid, 2);
    parts.push(tag);
  }
  const type = Buffer.alloc(2);
  type.writeUInt16BE(etherType, 0);
  parts.push(type, Buffer.from(network));
  return Buffer.concat(parts);
}

export interface Frame {
  timeUs: number;
  bytes: Uint8Array;
  /** Original length when cut (default: bytes.length). */
  originalLength?: number;
}

export function pcap(frames: Frame[], options: { littleEndian?: boolean; nanosecond?: boolean; linkType?: number; snaplen?: number } = {}): Buffer {
  const le = options.littleEndian ?? true;
  const u32 = (buffer: Buffer, value: number, at: number) => (le ? buffer.writeUInt32LE(value >>> 0, at) : buffer.writeUInt32BE(value >>> 0, at));
  const u16 = (buffer: Buffer, value: number, at: number) => (le ? buffer.writeUInt16LE(value, at) : buffer.writeUInt16BE(value, at));
  const header = Buffer.alloc(24);
  u32(header, options.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(header, 2, 4);
  u16(header, 4, 6);
  u32(header, options.snaplen ?? 262144, 16);
  u32(header, options.linkType ?? 1, 20);
  const parts = [header];
  for (const frame of frames) {
    const record = Buffer.alloc(16);
    const seconds = Math.floor(frame.timeUs / 1e6);
    const micros = frame.timeUs % 1e6;
    u32(record, seconds, 0);
    u32(record, options.nanosecond ? micros * 1000 + 789 : micros, 4);
    u32(record, frame.bytes.length, 8);
    u32(record, frame.originalLength ?? frame.bytes.length, 12);
    parts.push(record, Buffer.from(frame.bytes));
  }
  return Buffer.concat(parts);
}

/** pcapng block writer in one byte order. */
export class PcapngBuilder {
  private readonly parts: Buffer[] = [];
  constructor(private readonly littleEndian = true) {}

  private u32(buffer: Buffer, value: number, at: number): void {
    if (this.littleEndian) buffer.writeUInt32LE(value >>> 0, at);
    else buffer.writeUInt32BE(value >>> 0, at);
  }
  private u16(buffer: Buffer, value: number, at: number): void {
    if (this.littleEndian) buffer.writeUInt16LE(value, at);
    else buffer.writeUInt16BE(value, at);
  }

  option(code: number, value: Uint8Array): Buffer {
    const padded = (value.length + 3) & ~3;
    const option = Buffer.alloc(4 + padded);
    this.u16(option, code, 0);
    this.u16(option, value.length, 2);
    option.set(value, 4);
    return option;
  }

  block(type: number, body: Uint8Array): this {
    const length = 12 + body.length;
    const block = Buffer.alloc(length);
    this.u32(block, type, 0);
    this.u32(block, length, 4);
    block.set(body, 8);
    this.u32(block, length, length - 4);
    this.parts.push(block);
    return this;
  }

  section(): this {
    const body = Buffer.alloc(16);
    this.u32(body, 0x1a2b3c4d, 0);
    this.u16(body, 1, 4);
    this.u16(body, 0, 6);
    body.fill(0xff, 8, 16);
    return this.block(0x0a0d0d0a, body);
  }

  interface(linkType: number, tsresol?: number): this {
    const head = Buffer.alloc(8);
    this.u16(head, linkType, 0);
    this.u32(head, 0, 4);
    const options = tsresol === undefined ? [] : [this.option(9, Buffer.from([tsresol])), Buffer.alloc(4)];
    return this.block(1, Buffer.concat([head, ...options]));
  }

  enhancedPacket(interfaceId: number, units: bigint, bytes: Uint8Array, comment?: string): this {
    const options = comment === undefined ? [] : [this.option(1, Buffer.from(comment)), Buffer.alloc(4)];
    return this.timedPacket(6, (head) => this.u32(head, interfaceId, 0), units, bytes, options);
  }

  /** The Packet Block of pcapng 1.0 (type 2): a 16-bit interface id, then drops count (0 here). */
  obsoletePacket(interfaceId: number, units: bigint, bytes: Uint8Array): this {
    return this.timedPacket(2, (head) => this.u16(head, interfaceId, 0), units, bytes, []);
  }

  /** A packet block with interface field(s), 64-bit timestamp, captured and original length, padded data, options. */
  private timedPacket(type: number, writeInterface: (head: Buffer) => void, units: bigint, bytes: Uint8Array, options: Buffer[]): this {
    const head = Buffer.alloc(20);
    writeInterface(head);
    this.u32(head, Number(units >> 32n), 4);
    this.u32(head, Number(units & 0xffffffffn), 8);
    this.u32(head, bytes.length, 12);
    this.u32(head, bytes.length, 16);
    const data = Buffer.alloc((bytes.length + 3) & ~3);
    data.set(bytes);
    return this.block(type, Buffer.concat([head, data, ...options]));
  }

  simplePacket(bytes: Uint8Array): this {
    const head = Buffer.alloc(4);
    this.u32(head, bytes.length, 0);
    const data = Buffer.alloc((bytes.length + 3) & ~3);
    data.set(bytes);
    return this.block(3, Buffer.concat([head, data]));
  }

  raw(bytes: Uint8Array): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export const TCP_FLAG_SYN = 0x02;
export const TCP_FLAG_PSH = 0x08;
export const TCP_FLAG_ACK = 0x10;

/** A TCP header (RFC 9293 §3.1, no options, checksum left 0: tshark does not check it by default) and `payload`. */
export function tcp(payload: Uint8Array, fields: { srcPort: number; dstPort: number; seq: number; ack: number; flags: number }): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(fields.srcPort, 0);
  header.writeUInt16BE(fields.dstPort, 2);
  header.writeUInt32BE(fields.seq >>> 0, 4);
  header.writeUInt32BE(fields.ack >>> 0, 8);
  header[12] = 5 << 4;
  header[13] = fields.flags;
  header.writeUInt16BE(65535, 14);
  return Buffer.concat([header, payload]);
}

/**
 * One TCP connection over Ethernet/IPv4 built segment by segment, sequence and acknowledgement numbers following the
 * bytes sent: the three-way handshake, then `send` cuts each side's bytes into the segments asked for.
 */
export class TcpConversation {
  readonly frames: Frame[] = [];
  private readonly next = { client: 1000, server: 5000 };

  constructor(
    private readonly client: { ip: string; port: number },
    private readonly server: { ip: string; port: number },
  ) {}

  handshake(): this {
    this.segment('client', TCP_FLAG_SYN, new Uint8Array(0));
    this.segment('server', TCP_FLAG_SYN | TCP_FLAG_ACK, new Uint8Array(0));
    return this.segment('client', TCP_FLAG_ACK, new Uint8Array(0));
  }

  /** One segment from `side` carrying `payload`. */
  send(side: 'client' | 'server', payload: Uint8Array): this {
    return this.segment(side, TCP_FLAG_ACK | TCP_FLAG_PSH, payload);
  }

  private segment(side: 'client' | 'server', flags: number, payload: Uint8Array): this {
    const other = side === 'client' ? 'server' : 'client';
    const [from, to] = side === 'client' ? [this.client, this.server] : [this.server, this.client];
    const segment = tcp(payload, { srcPort: from.port, dstPort: to.port, seq: this.next[side], ack: flags === TCP_FLAG_SYN ? 0 : this.next[other], flags });
    this.frames.push({ timeUs: 1_700_000_000_000_000 + this.frames.length * 1000, bytes: ethernet(ipv4(segment, { src: from.ip, dst: to.ip, protocol: 6 })) });
    this.next[side] += payload.length + (flags & TCP_FLAG_SYN ? 1 : 0);
    return this;
  }
}
