/** Container framing rules: pcap byte orders and magics, pcapng sections/interfaces/blocks, damaged files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openCapture } from '../../src/capture/open-capture.js';
import { STEP_NEED_BYTES, STEP_PACKET } from '../../src/capture/packet-record.js';
import { EmptyCaptureError, TruncatedHeaderError, UnrecognisedCaptureError } from '../../src/capture/errors.js';
import { ethernet, ipv4, pcap, PcapngBuilder, sipRequest, udp } from './capture-bytes.js';
import { callIdsOf, decodeBytes, writeScratch } from './decode-helper.js';

const T0 = 1_700_000_000_123_456;
const frame = (callId: string, timeUs = T0) => ({ timeUs, bytes: ethernet(ipv4(udp(sipRequest(callId)))) });

describe('classic pcap', () => {
  for (const littleEndian of [true, false]) {
    it(`reads ${littleEndian ? 'little' : 'big'}-endian microsecond files`, async () => {
      const decoded = await decodeBytes(pcap([frame('a', T0), frame('b', T0 + 1)], { littleEndian }));
      expect(callIdsOf(decoded)).toEqual(['a', 'b']);
      expect(decoded.payloads.map((p) => [p.packetNumber, p.timeUs])).toEqual([[1, T0], [2, T0 + 1]]);
      expect(decoded.payloads[0].src).toEqual({ ip: '192.0.2.1', port: 5060 });
      expect(decoded.issues).toEqual([]);
    });
    it(`reads ${littleEndian ? 'little' : 'big'}-endian nanosecond files (0xA1B23C4D)`, async () => {
      const decoded = await decodeBytes(pcap([frame('a', T0)], { littleEndian, nanosecond: true }));
      // the builder writes micros*1000 + 789 ns: microseconds are kept, the 789 ns are below our resolution
      expect(decoded.payloads.map((p) => p.timeUs)).toEqual([T0]);
    });
  }

  it('reports packets cut by the snapshot length, with packet number and offset, and goes on', async () => {
    const whole = frame('a');
    const cut = { timeUs: T0 + 5, bytes: whole.bytes.subarray(0, 60), originalLength: whole.bytes.length };
    const decoded = await decodeBytes(pcap([cut, frame('b', T0 + 9)]));
    expect(decoded.issues).toMatchObject([{ code: 'truncated-packet', packetNumber: 1, offset: 24 }]);
    expect(callIdsOf(decoded)).toEqual(['b']);
  });

  it('keeps what was read when the file ends inside a record', async () => {
    const bytes = pcap([frame('a'), frame('b')]);
    const decoded = await decodeBytes(bytes.subarray(0, bytes.length - 10));
    expect(callIdsOf(decoded)).toEqual(['a']);
    const secondRecord = 24 + 16 + frame('a').bytes.length;
    // the cut record never becomes a packet: the cut lies where packet 2 would have been
    expect(decoded.issues).toEqual([expect.objectContaining({ code: 'truncated-file', beforePacket: 2, offset: secondRecord })]);
    expect(decoded.issues[0].packetNumber).toBeUndefined();
  });

  it('resynchronises after a corrupt record length', async () => {
    const bytes = pcap([frame('a'), frame('b'), frame('c'), frame('d')]);
    const secondRecord = 24 + 16 + frame('a').bytes.length;
    bytes.writeUInt32LE(0x7fffffff, secondRecord + 8);
    const decoded = await decodeBytes(bytes);
    const thirdRecord = secondRecord + 16 + frame('b').bytes.length;
    // only readable records are packets (tshark's frame numbers): 'c' is packet 2, and the damage lies before it
    expect(decoded.issues.map((i) => [i.code, i.beforePacket, i.offset, i.packetNumber])).toEqual([
      ['bad-record-length', 2, secondRecord, undefined],
      ['resynchronised', 2, thirdRecord, undefined],
    ]);
    expect(callIdsOf(decoded)).toEqual(['a', 'c', 'd']);
    expect(decoded.payloads.map((p) => p.packetNumber)).toEqual([1, 2, 3]);
  });
});

describe('pcapng', () => {
  const sip = (callId: string) => ethernet(ipv4(udp(sipRequest(callId))));

  it('reads sections of both byte orders, interfaces with decimal and binary if_tsresol, EPB/SPB/PB, skips unknown blocks', async () => {
    const big = new PcapngBuilder(false)
      .section()
      .interface(1) // default resolution: microseconds
      .interface(1, 9) // nanoseconds
      .enhancedPacket(0, BigInt(T0), sip('us'))
      .enhancedPacket(1, BigInt(T0) * 1000n + 999n, sip('ns'))
      .block(0x00000bad, Buffer.alloc(8))
      .simplePacket(sip('simple'))
      .build();
    const little = new PcapngBuilder(true)
      .section()
      .interface(1, 0x80 | 20) // 2^-20 s
      .obsoletePacket(0, (BigInt(T0) << 20n) / 1_000_000n, sip('obsolete'))
      .block(0x12345678, Buffer.alloc(4))
      .enhancedPacket(0, (BigInt(T0 + 2) << 20n) / 1_000_000n + 1n, sip('binary'))
      .build();
    const decoded = await decodeBytes(Buffer.concat([big, little]));
    expect(decoded.issues).toEqual([]);
    expect(callIdsOf(decoded)).toEqual(['us', 'ns', 'simple', 'obsolete', 'binary']);
    expect(decoded.payloads.map((p) => p.packetNumber)).toEqual([1, 2, 3, 4, 5]);
    // SPB carries no timestamp: it keeps the previous packet's
    expect(decoded.payloads.map((p) => p.timeUs)).toEqual([T0, T0, T0, T0 - 1, T0 + 2]);
  });

  it('keeps packet comments on the record', async () => {
    const bytes = new PcapngBuilder().section().interface(1).enhancedPacket(0, BigInt(T0), sip('a'), 'the 403 is here').build();
    const capture = await openCapture(writeScratch(bytes), () => undefined);
    let step = capture.reader.step();
    while (step === STEP_NEED_BYTES) {
      await capture.reader.refill();
      step = capture.reader.step();
    }
    expect(step).toBe(STEP_PACKET);
    expect(capture.reader.record.comment).toBe('the 403 is here');
    await capture.close();
  });

  it('resynchronises after a corrupt block length and keeps counting packets', async () => {
    const builder = new PcapngBuilder().section().interface(1);
    for (const id of ['a', 'b', 'c', 'd']) builder.enhancedPacket(0, BigInt(T0), sip(id));
    const bytes = builder.build();
    const shbAndIdb = 28 + 20;
    const secondBlock = shbAndIdb + (bytes.readUInt32LE(shbAndIdb + 4));
    bytes.writeUInt32LE(13, secondBlock + 4);
    const decoded = await decodeBytes(bytes);
    expect(decoded.issues.map((i) => [i.code, i.beforePacket, i.offset])).toEqual([
      ['bad-block-length', 2, secondBlock],
      ['resynchronised', 2, secondBlock + bytes.readUInt32LE(shbAndIdb + 4)],
    ]);
    expect(callIdsOf(decoded)).toEqual(['a', 'c', 'd']);
    expect(decoded.payloads.map((p) => p.packetNumber)).toEqual([1, 2, 3]);
  });

  it('reports a packet on an undeclared interface and goes on', async () => {
    const bytes = new PcapngBuilder().section().interface(1).enhancedPacket(3, BigInt(T0), sip('a')).enhancedPacket(0, BigInt(T0), sip('b')).build();
    const decoded = await decodeBytes(bytes);
    expect(decoded.issues).toMatchObject([{ code: 'unknown-interface', packetNumber: 1 }]);
    expect(decoded.payloads.map((p) => p.packetNumber)).toEqual([2]);
  });
});

describe('unrecognised input', () => {
  it('is fatal, naming the file and its first bytes (as text too, when they are)', async () => {
    const path = writeScratch(Buffer.from('GET / HTTP/1.1\r\n'), 'http.txt');
    await expect(decodeBytes(Buffer.from('GET / HTTP/1.1\r\n'))).rejects.toBeInstanceOf(UnrecognisedCaptureError);
    const { decodeCaptures } = await import('../../src/capture/decode.js');
    await expect(decodeCaptures([path], { payload: () => undefined })).rejects.toThrow(`${path}: not a pcap or pcapng capture (first bytes: 47 45 54 20 2f 20 48 54, as text "GET / HT")`);
  });
  it('an empty file is fatal, and said to be empty', async () => {
    await expect(decodeBytes(Buffer.alloc(0))).rejects.toBeInstanceOf(EmptyCaptureError);
    await expect(decodeBytes(Buffer.alloc(0))).rejects.toMatchObject({ code: 'empty-file' });
    await expect(decodeBytes(gzipSync(Buffer.alloc(0)))).rejects.toMatchObject({ code: 'empty-file', message: expect.stringMatching(/: empty once inflated \(0 bytes\): no capture to read$/) });
  });
});

describe('a file cut inside its file header (every length: cut-headers.test.ts)', () => {
  const recorded = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/captures/recorded', name));
  // tshark says of the same files "cut short in the middle of a packet or other data" (pcap) and "isn't a capture
  // file in a format TShark understands" (pcapng)
  for (const [name, format, header] of [
    ['udp.pcap', 'pcap', 'file header: it ends at byte 10, inside the reserved fields (bytes 8 to 15); the header is 24 bytes'],
    ['udp-nanosecond.pcap', 'pcap', 'file header: it ends at byte 10, inside the reserved fields (bytes 8 to 15); the header is 24 bytes'],
    ['tcp.pcapng', 'pcapng', 'file header, the section header block: it ends at byte 10, inside the byte-order magic (bytes 8 to 11); the block is at least 28 bytes'],
  ] as const) {
    it(`${name} cut to 10 bytes: a ${format} file cut inside its file header, not an unknown format`, async () => {
      const path = writeScratch(recorded(name).subarray(0, 10), `cut-${name}`);
      const { decodeCaptures } = await import('../../src/capture/decode.js');
      const error = await decodeCaptures([path], { payload: () => undefined }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(TruncatedHeaderError);
      expect(error).toMatchObject({ code: 'truncated-header', file: path, offset: 10, message: `${path}: a ${format} file cut inside its ${header}` });
    });
  }

  it('gzip of a pcap cut inside its header: the same', async () => {
    await expect(decodeBytes(gzipSync(recorded('udp.pcap').subarray(0, 20)))).rejects.toMatchObject({
      code: 'truncated-header',
      message: expect.stringMatching(/a pcap file cut inside its file header: it ends at byte 20, inside the link type \(bytes 20 to 23\); the header is 24 bytes$/),
    });
  });

  it('a pcapng section header block whose byte-order magic is zeroed is no capture, and the message names the magic', async () => {
    const bytes = Buffer.from(recorded('tcp.pcapng'));
    bytes.fill(0, 8, 12);
    await expect(decodeBytes(bytes)).rejects.toMatchObject({
      code: 'unrecognised-format',
      message: expect.stringMatching(/: not a pcap or pcapng capture: its pcapng section header block has the byte-order magic 00 00 00 00, not 4d 3c 2b 1a or 1a 2b 3c 4d \(first bytes: 0a 0d 0d 0a /),
    });
  });

  it('3 bytes of a pcap magic are too few to tell: unrecognised, with those bytes', async () => {
    await expect(decodeBytes(recorded('udp.pcap').subarray(0, 3))).rejects.toMatchObject({ code: 'unrecognised-format', message: expect.stringMatching(/\(first bytes: d4 c3 b2\)$/) });
  });
});
