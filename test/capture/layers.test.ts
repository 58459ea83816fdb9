/** Link and network framing rules: VLAN/QinQ tags, cooked and raw link types, IPv6 extension headers, fragments. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, ipv6, pcap, sipRequest, udp } from './capture-bytes.js';
import { callIdsOf, decodeBytes, writeScratch } from './decode-helper.js';

const T0 = 1_700_000_000_000_000;
const datagram = (callId: string) => udp(sipRequest(callId), 40000, 5062);

describe('link layers', () => {
  it('steps over 802.1Q and QinQ (802.1ad) tags', async () => {
    const frames = [
      { timeUs: T0, bytes: ethernet(ipv4(datagram('one-tag')), 0x0800, [[0x8100, 100]]) },
      { timeUs: T0, bytes: ethernet(ipv4(datagram('qinq')), 0x0800, [[0x88a8, 10], [0x8100, 20]]) },
      { timeUs: T0, bytes: ethernet(ipv6(datagram('v6-tagged'), 17), 0x86dd, [[0x8100, 7]]) },
    ];
    const decoded = await decodeBytes(pcap(frames));
    expect(callIdsOf(decoded)).toEqual(['one-tag', 'qinq', 'v6-tagged']);
    expect(decoded.payloads[2].src).toEqual({ ip: '2001:db8::1', port: 40000 });
  });

  it('gives each IPv4 address and port its own endpoint (shared endpoints are keyed by both)', async () => {
    const frames = [
      { timeUs: T0, bytes: ethernet(ipv4(udp(sipRequest('a'), 40000, 5062), { src: '10.0.0.1', dst: '10.0.0.2' })) },
      { timeUs: T0, bytes: ethernet(ipv4(udp(sipRequest('b'), 40001, 5062), { src: '10.0.0.1', dst: '10.0.0.2' })) },
      { timeUs: T0, bytes: ethernet(ipv4(udp(sipRequest('c'), 40000, 5062), { src: '10.0.0.3', dst: '10.0.0.2' })) },
      { timeUs: T0, bytes: ethernet(ipv4(udp(sipRequest('d'), 5062, 40000), { src: '10.0.0.2', dst: '10.0.0.1' })) },
      { timeUs: T0, bytes: ethernet(ipv4(udp(sipRequest('e'), 40000, 5062), { src: '10.0.0.1', dst: '10.0.0.2' })) },
    ];
    const decoded = await decodeBytes(pcap(frames));
    expect(decoded.payloads.map((p) => [p.src, p.dst])).toEqual([
      [{ ip: '10.0.0.1', port: 40000 }, { ip: '10.0.0.2', port: 5062 }],
      [{ ip: '10.0.0.1', port: 40001 }, { ip: '10.0.0.2', port: 5062 }],
      [{ ip: '10.0.0.3', port: 40000 }, { ip: '10.0.0.2', port: 5062 }],
      [{ ip: '10.0.0.2', port: 5062 }, { ip: '10.0.0.1', port: 40000 }],
      [{ ip: '10.0.0.1', port: 40000 }, { ip: '10.0.0.2', port: 5062 }],
    ]);
  });

  it('ignores Ethernet padding after the IP packet', async () => {
    const padded = Buffer.concat([ethernet(ipv4(datagram('padded'))), Buffer.alloc(30, 0xee)]);
    const decoded = await decodeBytes(pcap([{ timeUs: T0, bytes: padded }]));
    expect(Buffer.from(decoded.payloads[0].bytes).toString()).toBe(sipRequest('padded').toString());
  });

  it('takes IPv4 total length 0 (captured before segmentation offload) as "up to the end of the frame"', async () => {
    const packet = ipv4(datagram('tso'));
    packet.writeUInt16BE(0, 2);
    expect(callIdsOf(await decodeBytes(pcap([{ timeUs: T0, bytes: ethernet(packet) }])))).toEqual(['tso']);
  });

  it('reads Linux cooked v1 (113) and v2 (276)', async () => {
    const sll = Buffer.concat([Buffer.from('00000001000600000000000000000800', 'hex'), ipv4(datagram('sll'))]);
    const sll2 = Buffer.concat([Buffer.from('0800000000000002000106000000000000000000', 'hex'), ipv4(datagram('sll2'))]);
    expect(callIdsOf(await decodeBytes(pcap([{ timeUs: T0, bytes: sll }], { linkType: 113 })))).toEqual(['sll']);
    expect(callIdsOf(await decodeBytes(pcap([{ timeUs: T0, bytes: sll2 }], { linkType: 276 })))).toEqual(['sll2']);
  });

  it('reads raw IP (101, 12, 228, 229) and BSD NULL (either host byte order) / LOOP', async () => {
    const v4 = ipv4(datagram('raw'));
    const v6 = ipv6(datagram('raw6'), 17);
    for (const linkType of [101, 12, 14]) {
      expect(callIdsOf(await decodeBytes(pcap([{ timeUs: T0, bytes: v4 }, { timeUs: T0, bytes: v6 }], { linkType })))).toEqual(['raw', 'raw6']);
    }
    expect(callIdsOf(await decodeBytes(pcap([{ timeUs: T0, bytes: v4 }], { linkType: 228 })))).toEqual(['raw']);
    expect(callIdsOf(await decodeBytes(pcap([{ timeUs: T0, bytes: v6 }], { linkType: 229 })))).toEqual(['raw6']);
    const nullLe = Buffer.concat([Buffer.from('02000000', 'hex'), v4]);
    const nullBe = Buffer.concat([Buffer.from('0000001e', 'hex'), v6]); // AF_INET6 on Darwin, big-endian host
    expect(callIdsOf(await decodeBytes(pcap([{ timeUs: T0, bytes: nullLe }, { timeUs: T0, bytes: nullBe }], { linkType: 0 })))).toEqual(['raw', 'raw6']);
    const loop = Buffer.concat([Buffer.from('00000018', 'hex'), v6]);
    expect(callIdsOf(await decodeBytes(pcap([{ timeUs: T0, bytes: loop }], { linkType: 108 })))).toEqual(['raw6']);
  });

  it('reads NFLOG (239): the packet is the NFULA_PAYLOAD TLV, TLV fields in either host byte order', async () => {
    const tlv = (type: number, value: Uint8Array, littleEndian: boolean) => {
      const header = Buffer.alloc(4);
      if (littleEndian) {
        header.writeUInt16LE(4 + value.length, 0);
        header.writeUInt16LE(type, 2);
      } else {
        header.writeUInt16BE(4 + value.length, 0);
        header.writeUInt16BE(type, 2);
      }
      return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
    };
    const frames = [true, false].map((littleEndian) => ({
      timeUs: T0,
      bytes: Buffer.concat([
        Buffer.from([2, 0, 0, 5]),
        tlv(1, Buffer.from([8, 0, 1, 0]), littleEndian), // NFULA_PACKET_HDR
        tlv(10, Buffer.from('prefix\0'), littleEndian), // NFULA_PREFIX
        tlv(9, ipv4(datagram(littleEndian ? 'nflog-le' : 'nflog-be')), littleEndian),
      ]),
    }));
    expect(callIdsOf(await decodeBytes(pcap(frames, { linkType: 239 })))).toEqual(['nflog-le', 'nflog-be']);
  });

  it('reports an unsupported link type once', async () => {
    const decoded = await decodeBytes(pcap([{ timeUs: T0, bytes: Buffer.alloc(40) }, { timeUs: T0, bytes: Buffer.alloc(40) }], { linkType: 147 }));
    expect(decoded.issues).toMatchObject([{ code: 'unsupported-link-type', packetNumber: 1 }]);
  });
});

describe('SIP recognised by its start line on any port', () => {
  it('takes requests and responses on unusual ports, leaves other payloads alone', async () => {
    const response = Buffer.from('SIP/2.0 403 Forbidden\r\nCall-ID: resp\r\nContent-Length: 0\r\n\r\n');
    const frames = [
      { timeUs: T0, bytes: ethernet(ipv4(udp(sipRequest('odd-port'), 33333, 44444))) },
      { timeUs: T0, bytes: ethernet(ipv4(udp(response, 7000, 7001))) },
      { timeUs: T0, bytes: ethernet(ipv4(udp(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 5060, 5060))) },
      { timeUs: T0, bytes: ethernet(ipv4(udp(Buffer.from('\r\n\r\n'), 5060, 5060))) },
      { timeUs: T0, bytes: ethernet(ipv4(udp(Buffer.from([0x80, 0x00, 0x12, 0x34, 0, 0, 0, 0]), 5060, 5060))) },
    ];
    const decoded = await decodeBytes(pcap(frames));
    expect(callIdsOf(decoded)).toEqual(['odd-port', 'resp']);
    expect(decoded.payloads.map((p) => p.packetNumber)).toEqual([1, 2]);
  });
});

describe('IPv6 extension headers', () => {
  it('walks hop-by-hop, routing and destination options to UDP', async () => {
    const hopByHop = Buffer.from([43, 0, 1, 4, 0, 0, 0, 0]); // next: routing; PadN
    const routing = Buffer.from([60, 0, 0, 0, 0, 0, 0, 0]); // next: destination options; segments left 0
    const destination = Buffer.from([17, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // next: UDP; 16 bytes
    const packet = ipv6(Buffer.concat([hopByHop, routing, destination, datagram('ext')]), 0);
    const decoded = await decodeBytes(pcap([{ timeUs: T0, bytes: ethernet(packet, 0x86dd) }]));
    expect(callIdsOf(decoded)).toEqual(['ext']);
  });
});

describe('IP fragments', () => {
  const whole = datagram('fragmented-' + 'x'.repeat(1400));
  it('builds three fragments of 1480 bytes', () => expect(Math.ceil(whole.length / 1480)).toBe(3));
  const pieces = (size: number) => {
    const list: Array<{ at: number; bytes: Buffer; more: boolean }> = [];
    for (let at = 0; at < whole.length; at += size) list.push({ at, bytes: whole.subarray(at, at + size), more: at + size < whole.length });
    return list;
  };

  it('reassembles IPv4 fragments arriving out of order, duplicated and overlapping; the completing frame numbers the message', async () => {
    const list = pieces(1480);
    const overlap = { at: 1480 - 8, bytes: whole.subarray(1480 - 8, 1480 + 800), more: true };
    const order = [list[2], list[0], overlap, list[0], list[1]];
    const frames = order.map((piece, i) => ({
      timeUs: T0 + i,
      bytes: ethernet(ipv4(piece.bytes, { id: 77, fragmentOffset: piece.at, moreFragments: piece.more })),
    }));
    const decoded = await decodeBytes(pcap(frames));
    expect(decoded.issues).toEqual([]);
    expect(decoded.payloads).toHaveLength(1);
    expect(decoded.payloads[0]).toMatchObject({ packetNumber: 5, packets: [1, 2, 3, 4, 5], timeUs: T0 + 4, src: { ip: '192.0.2.1', port: 40000 } });
    expect(Buffer.from(decoded.payloads[0].bytes).equals(whole.subarray(8))).toBe(true);
  });

  it('reports overlapping fragments whose bytes differ, keeping the first copy', async () => {
    const list = pieces(1480);
    const forged = Buffer.from(whole.subarray(0, 1480));
    forged.fill(0x41, 100, 200);
    const frames = [list[0], { ...list[0], bytes: forged }, list[1], list[2]].map((piece, i) => ({
      timeUs: T0 + i,
      bytes: ethernet(ipv4(piece.bytes, { id: 78, fragmentOffset: piece.at, moreFragments: piece.more })),
    }));
    const decoded = await decodeBytes(pcap(frames));
    expect(decoded.issues).toMatchObject([{ code: 'fragment-overlap', packetNumber: 2 }]);
    expect(Buffer.from(decoded.payloads[0].bytes).equals(whole.subarray(8))).toBe(true);
  });

  it('drops and reports a datagram still incomplete after the timeout (capture time), and at end of file', async () => {
    const list = pieces(1480);
    const frames = [
      { timeUs: T0, bytes: ethernet(ipv4(list[0].bytes, { id: 1, fragmentOffset: 0, moreFragments: true })) },
      { timeUs: T0 + 61e6, bytes: ethernet(ipv4(list[1].bytes, { id: 1, fragmentOffset: list[1].at, moreFragments: true })) },
      { timeUs: T0 + 62e6, bytes: ethernet(ipv4(datagram('later'))) },
    ];
    const decoded = await decodeBytes(pcap(frames));
    expect(decoded.issues.map((i) => [i.code, i.packetNumber])).toEqual([['fragment-timeout', 1], ['fragment-incomplete', 2]]);
    expect(callIdsOf(decoded)).toEqual(['later']);
  });

  it('bounds the table: the oldest datagram is evicted beyond maxDatagrams', async () => {
    const list = pieces(1480);
    const frames = [1, 2, 3].map((id) => ({ timeUs: T0, bytes: ethernet(ipv4(list[0].bytes, { id, fragmentOffset: 0, moreFragments: true })) }));
    const decoded = await decodeBytes(pcap(frames), { fragments: { maxDatagrams: 2 } });
    expect(decoded.issues.map((i) => [i.code, i.packetNumber])).toEqual([['fragment-evicted', 1], ['fragment-incomplete', 2], ['fragment-incomplete', 3]]);
  });

  it('bounds the buffered bytes: the oldest datagrams are evicted beyond maxBytes', async () => {
    const list = pieces(1480);
    const frames = [1, 2, 3].map((id) => ({ timeUs: T0, bytes: ethernet(ipv4(list[0].bytes, { id, fragmentOffset: 0, moreFragments: true })) }));
    const decoded = await decodeBytes(pcap(frames), { fragments: { maxBytes: 2 * 1480 } });
    expect(decoded.issues.map((i) => [i.code, i.packetNumber])).toEqual([['fragment-evicted', 1], ['fragment-incomplete', 2], ['fragment-incomplete', 3]]);
  });

  it('reassembles IPv6 fragments (fragment header after a destination options header)', async () => {
    const destination = Buffer.from([44, 0, 1, 4, 0, 0, 0, 0]);
    const list = pieces(1232);
    const frames = list.reverse().map((piece, i) => {
      const fragmentHeader = Buffer.alloc(8);
      fragmentHeader[0] = 17;
      fragmentHeader.writeUInt16BE(piece.at | (piece.more ? 1 : 0), 2);
      fragmentHeader.writeUInt32BE(0xabcdef, 4);
      return { timeUs: T0 + i, bytes: ethernet(ipv6(Buffer.concat([destination, fragmentHeader, piece.bytes]), 60), 0x86dd) };
    });
    const decoded = await decodeBytes(pcap(frames));
    expect(decoded.issues).toEqual([]);
    expect(decoded.payloads).toHaveLength(1);
    expect(decoded.payloads[0].packets).toEqual([1, 2, 3]);
    expect(Buffer.from(decoded.payloads[0].bytes).equals(whole.subarray(8))).toBe(true);
  });
});

describe('ICMP errors quoting a SIP datagram', () => {
  it('reads the quoted UDP datagram (v4 and v6) as tshark does, marked icmpQuote, with the quoted addresses', async () => {
    const invite = ipv4(udp(sipRequest('quoted', 'INVITE')), { src: '192.0.2.1', dst: '192.0.2.2' });
    const unreachable = Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), invite.subarray(0, 300)]);
    const invite6 = ipv6(udp(sipRequest('quoted6', 'INVITE')), 17);
    const unreachable6 = Buffer.concat([Buffer.from([1, 4, 0, 0, 0, 0, 0, 0]), invite6]);
    const echo = Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), invite]);
    const frames = [
      { timeUs: T0, bytes: ethernet(invite) },
      { timeUs: T0 + 1, bytes: ethernet(ipv4(unreachable, { src: '192.0.2.2', dst: '192.0.2.1', protocol: 1 })) },
      { timeUs: T0 + 2, bytes: ethernet(ipv6(unreachable6, 58, '20010db8000000000000000000000002', '20010db8000000000000000000000001'), 0x86dd) },
      { timeUs: T0 + 3, bytes: ethernet(ipv4(echo, { protocol: 1 })) },
    ];
    const bytes = pcap(frames);
    const decoded = await decodeBytes(bytes);
    expect(decoded.payloads.map((p) => [p.packetNumber, p.icmpQuote ?? false, p.src.ip, p.dst.ip])).toEqual([
      [1, false, '192.0.2.1', '192.0.2.2'],
      [2, true, '192.0.2.1', '192.0.2.2'],
      [3, true, '2001:db8::1', '2001:db8::2'],
    ]);
    const tsharkFrames = execFileSync('tshark', ['-r', writeScratch(bytes, 'icmp.pcap'), '-Y', 'sip', '-T', 'fields', '-e', 'frame.number'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(tsharkFrames.split('\n').filter(Boolean).map(Number)).toEqual([1, 2, 3]);
  });
});
