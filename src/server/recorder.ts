/**
 * `serve --record FILE.pcapng`: every SIP message the server receives and sends, written as a real capture
 * (pcapng, draft-ietf-opsawg-pcapng: a Section Header Block, one Interface Description Block for link type
 * Ethernet, one Enhanced Packet Block per packet, microsecond time stamps) with synthesized Ethernet (zero MACs,
 * as tcpdump on lo), IPv4 (RFC 791) or IPv6 (RFC 8200) and UDP (RFC 768) or TCP (RFC 9293) headers whose lengths
 * and checksums are correct. A TCP connection gets its three-way handshake, sequence and acknowledgement numbers
 * that follow the bytes sent, and a FIN exchange at its end, so tshark reassembles it without complaint. TLS
 * connections are recorded as their cleartext over TCP. Blocks are buffered and flushed every 100 ms.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../capture/pcapng-blocks.js';

export interface Address {
  address: string;
  port: number;
}

const LINKTYPE_ETHERNET = 1;
const TCP_SEGMENT_BYTES = 1448;
const FLUSH_BYTES = 256 * 1024;
const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

interface TcpState {
  /** Next sequence number of each side. */
  clientSeq: number;
  serverSeq: number;
  client: Address;
  server: Address;
}

export class PcapngRecorder {
  private readonly fd: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly flushTimer: ReturnType<typeof setInterval>;
  private readonly connections = new Map<string, TcpState>();
  private ipId = 1;
  private closed = false;
  packets = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
    this.queue(sectionHeaderBlock());
    this.queue(interfaceDescriptionBlock(LINKTYPE_ETHERNET, 262144));
    this.flushTimer = setInterval(() => this.flush(), 100);
    this.flushTimer.unref();
  }

  udp(from: Address, to: Address, payload: Uint8Array): void {
    this.packet(from, to, udpSegment(from, to, payload), 17);
  }

  /** A TCP connection opened by `client` towards `server` (handshake packets). */
  tcpOpen(client: Address, server: Address): void {
    const state: TcpState = { clientSeq: 1000, serverSeq: 5000, client, server };
    this.connections.set(connectionKey(client, server), state);
    this.tcp(client, server, state.clientSeq, 0, TCP_SYN, new Uint8Array(0));
    this.tcp(server, client, state.serverSeq, state.clientSeq + 1, TCP_SYN | TCP_ACK, new Uint8Array(0));
    state.clientSeq++;
    state.serverSeq++;
    this.tcp(client, server, state.clientSeq, state.serverSeq, TCP_ACK, new Uint8Array(0));
  }

  /** Bytes on an open connection, from one side to the other, cut into segments. */
  tcpData(from: Address, to: Address, payload: Uint8Array): void {
    const state = this.connections.get(connectionKey(from, to));
    if (!state) return;
    const fromClient = sameAddress(from, state.client);
    for (let offset = 0; offset < payload.length; offset += TCP_SEGMENT_BYTES) {
      const segment = payload.subarray(offset, Math.min(payload.length, offset + TCP_SEGMENT_BYTES));
      if (fromClient) {
        this.tcp(from, to, state.clientSeq, state.serverSeq, TCP_PSH | TCP_ACK, segment);
        state.clientSeq = (state.clientSeq + segment.length) >>> 0;
      } else {
        this.tcp(from, to, state.serverSeq, state.clientSeq, TCP_PSH | TCP_ACK, segment);
        state.serverSeq = (state.serverSeq + segment.length) >>> 0;
      }
    }
  }

  tcpClose(client: Address, server: Address): void {
    const key = connectionKey(client, server);
    const state = this.connections.get(key);
    if (!state) return;
    this.connections.delete(key);
    this.tcp(client, server, state.clientSeq, state.serverSeq, TCP_FIN | TCP_ACK, new Uint8Array(0));
    state.clientSeq++;
    this.tcp(server, client, state.serverSeq, state.clientSeq, TCP_FIN | TCP_ACK, new Uint8Array(0));
    state.serverSeq++;
    this.tcp(client, server, state.clientSeq, state.serverSeq, TCP_ACK, new Uint8Array(0));
  }

  private tcp(from: Address, to: Address, seq: number, ack: number, flags: number, payload: Uint8Array): void {
    this.packet(from, to, tcpSegment(from, to, seq, ack, flags, payload), 6);
  }

  private packet(from: Address, to: Address, transport: Buffer, protocol: number): void {
    if (this.closed) return;
    const v6 = isIPv6(from.address);
    const ip = v6 ? ipv6Header(from.address, to.address, transport.length, protocol) : ipv4Header(from.address, to.address, transport.length, protocol, this.ipId++ & 0xffff);
    const ethernet = Buffer.alloc(14);
    ethernet.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
    this.queue(enhancedPacket(Buffer.concat([ethernet, ip, transport])));
    this.packets++;
  }

  private queue(block: Buffer): void {
    this.pending.push(block);
    this.pendingBytes += block.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    if (this.closed) return;
    for (const state of [...this.connections.values()]) this.tcpClose(state.client, state.server);
    this.closed = true;
    clearInterval(this.flushTimer);
    this.flush();
    closeSync(this.fd);
  }
}

function sameAddress(a: Address, b: Address): boolean {
  return a.address === b.address && a.port === b.port;
}

function connectionKey(a: Address, b: Address): string {
  const one = `${a.address}|${a.port}`;
  const two = `${b.address}|${b.port}`;
  return one < two ? `${one} ${two}` : `${two} ${one}`;
}

/** EPB on interface 0 with a 64-bit microsecond time stamp from one monotonic clock (packets keep their order). */
function enhancedPacket(data: Buffer): Buffer {
  return enhancedPacketBlock(0, BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)), data);
}

function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

function ipv6Bytes(address: string): Buffer {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headParts : [...headParts, ...Array(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(parseInt(group || '0', 16), index * 2));
  return bytes;
}

/** RFC 1071 ones' complement sum of the given buffers, folded and complemented. */
function checksum(parts: Buffer[]): number {
  let sum = 0;
  for (const part of parts) {
    for (let i = 0; i + 1 < part.length; i += 2) sum += part.readUInt16BE(i);
    if (part.length % 2 === 1) sum += part[part.length - 1] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4Header(from: string, to: string, payloadLength: number, protocol: number, id: number): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + payloadLength, 2);
  header.writeUInt16BE(id, 4);
  header.writeUInt16BE(0x4000, 6); // don't fragment
  header[8] = 64;
  header[9] = protocol;
  ipv4Bytes(from).copy(header, 12);
  ipv4Bytes(to).copy(header, 16);
  header.writeUInt16BE(checksum([header]), 10);
  return header;
}

function ipv6Header(from: string, to: string, payloadLength: number, protocol: number): Buffer {
  const header = Buffer.alloc(40);
  header.writeUInt32BE(0x60000000, 0);
  header.writeUInt16BE(payloadLength, 4);
  header[6] = protocol;
  header[7] = 64;
  ipv6Bytes(from).copy(header, 8);
  ipv6Bytes(to).copy(header, 24);
  return header;
}

/** The pseudo-header the UDP and TCP checksums cover (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1). */
function pseudoHeader(from: string, to: string, protocol: number, length: number): Buffer {
  if (isIPv6(from)) {
    const tail = Buffer.alloc(8);
    tail.writeUInt32BE(length, 0);
    tail[7] = protocol;
    return Buffer.concat([ipv6Bytes(from), ipv6Bytes(to), tail]);
  }
  const tail = Buffer.alloc(4);
  tail[1] = protocol;
  tail.writeUInt16BE(length, 2);
  return Buffer.concat([ipv4Bytes(from), ipv4Bytes(to), tail]);
}

function udpSegment(from: Address, to: Address, payload: Uint8Array): Buffer {
  const segment = Buffer.alloc(8 + payload.length);
  segment.writeUInt16BE(from.port, 0);
  segment.writeUInt16BE(to.port, 2);
  segment.writeUInt16BE(segment.length, 4);
  segment.set(payload, 8);
  const sum = checksum([pseudoHeader(from.address, to.address, 17, segment.length), segment]);
  segment.writeUInt16BE(sum === 0 ? 0xffff : sum, 6); // RFC 768: a computed 0 is sent as all ones
  return segment;
}

function tcpSegment(from: Address, to: Address, seq: number, ack: number, flags: number, payload: Uint8Array): Buffer {
  const segment = Buffer.alloc(20 + payload.length);
  segment.writeUInt16BE(from.port, 0);
  segment.writeUInt16BE(to.port, 2);
  segment.writeUInt32BE(seq >>> 0, 4);
  segment.writeUInt32BE(ack >>> 0, 8);
  segment[12] = 5 << 4;
  segment[13] = flags;
  segment.writeUInt16BE(65535, 14);
  segment.set(payload, 20);
  segment.writeUInt16BE(checksum([pseudoHeader(from.address, to.address, 6, segment.length), segment]), 16);
  return segment;
}
