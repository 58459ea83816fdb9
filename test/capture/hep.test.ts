import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCaptures } from '../../src/capture/decode.js';
import { decodeHep } from '../../src/capture/hep.js';
import { ipv6Text as ipv6 } from '../../src/capture/ip-address.js';
import type { DecodeIssue, SipPayload } from '../../src/capture/types.js';
import { readCapturePackets } from './tcp-capture-helper.js';
import { callIdOf } from './tcp-expect-helper.js';

const recorded = (name: string) => join(import.meta.dirname, '../../fixtures/captures/recorded', name);

function decodeHepPackets(path: string) {
  const messages: SipPayload[] = [];
  const issues: DecodeIssue[] = [];
  const captureTimes = new Map<number, number>();
  for (const p of readCapturePackets(path)) {
    if (p.protocol !== 17 || ((p.l4[2] << 8) | p.l4[3]) !== 9060) continue;
    captureTimes.set(p.packetNumber, p.timeUs);
    const isHep = decodeHep(p.l4.subarray(8), { file: path, packetNumber: p.packetNumber, timeUs: p.timeUs, offset: p.offset }, {
      message: (m) => messages.push(m),
      issue: (i) => issues.push(i),
    });
    expect(isHep).toBe(true);
  }
  return { messages, issues, captureTimes };
}

/** What tshark sees on the wire at port 35060: "src:port > dst:port | first line | Call-ID". */
function wireMessages(path: string): string[] {
  const out = execFileSync(
    'tshark',
    ['-r', path, '-Y', 'sip && udp.port==35060', '-T', 'fields', '-E', 'separator=|', '-e', 'ip.src', '-e', 'udp.srcport', '-e', 'ip.dst', '-e', 'udp.dstport', '-e', 'sip.Request-Line', '-e', 'sip.Status-Line', '-e', 'sip.Call-ID'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [src, sport, dst, dport, request, status, callId] = l.split('|');
      return `${src}:${sport} > ${dst}:${dport} | ${request || status} | ${callId}`;
    });
}

const describeHep = (m: SipPayload) => {
  const text = Buffer.from(m.bytes).toString('latin1');
  return `${m.src.ip}:${m.src.port} > ${m.dst.ip}:${m.dst.port} | ${text.slice(0, text.indexOf('\r\n'))} | ${callIdOf(m.bytes)}`;
};

describe('HEP from a real Kamailio siptrace (recorded by fixtures/captures/recorded/record-hep-kamailio.sh)', () => {
  for (const version of [3, 2]) {
    it(`HEP${version}: every message tshark sees on the wire comes out of the HEP copies with its addresses, ports and time`, () => {
      const path = recorded(`hep${version}-kamailio.pcap`);
      const { messages, issues, captureTimes } = decodeHepPackets(path);
      expect(issues).toEqual([]);
      const wire = wireMessages(path);
      expect(wire.length).toBe(9);
      expect(new Set(messages.map(describeHep))).toEqual(new Set(wire));
      // one SIP message per HEP datagram (Kamailio mirrors the ACK twice: core event and stateless ACK)
      const hepDatagrams = execFileSync('tshark', ['-r', path, '-Y', 'udp.dstport==9060'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      expect(messages).toHaveLength(hepDatagrams.trim().split('\n').length);
      expect(messages).toHaveLength(10);
      for (const m of messages) {
        expect(m.hep).toBe(true);
        expect(m.transport).toBe('udp');
        // the encapsulated time is Kamailio's clock when it traced the message, just before it sent the copy
        expect(Math.abs(m.timeUs - captureTimes.get(m.packetNumber)!)).toBeLessThan(50_000);
      }
    });
  }
});

describe('HEP through the whole pipeline (decodeCaptures)', () => {
  it('hep3-kamailio.pcap: the wire messages plus their HEP copies, the copies marked hep', async () => {
    const path = recorded('hep3-kamailio.pcap');
    const messages: SipPayload[] = [];
    await decodeCaptures([path], { payload: (p) => messages.push(p) });
    const wire = wireMessages(path);
    expect(messages.filter((m) => !m.hep).map(describeHep).sort()).toEqual([...wire].sort());
    expect(messages.filter((m) => m.hep)).toHaveLength(10);
  });
});

describe('HEP edge cases', () => {
  const sip = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n');
  const meta = { file: 'built', packetNumber: 3, timeUs: 5, offset: 0 };

  function hep3(chunks: Array<[number, Buffer]>): Buffer {
    const body = Buffer.concat(chunks.map(([type, data]) => Buffer.concat([Buffer.from([0, 0, type >> 8, type & 0xff, (data.length + 6) >> 8, (data.length + 6) & 0xff]), data])));
    const total = body.length + 6;
    return Buffer.concat([Buffer.from('HEP3'), Buffer.from([total >> 8, total & 0xff]), body]);
  }

  it('reads IPv6 addresses, TCP protocol and splits two messages in one TCP payload; never exposes the auth key', () => {
    const src = Buffer.from('20010db8000000000000000000000001', 'hex');
    const dst = Buffer.from('20010db8000100000000000000000002', 'hex');
    const bytes = hep3([
      [1, Buffer.from([10])],
      [2, Buffer.from([6])],
      [5, src],
      [6, dst],
      [7, Buffer.from([0x13, 0xc4])],
      [8, Buffer.from([0x13, 0xc5])],
      [0x0e, Buffer.from('secret-key')],
      [0x0f, Buffer.concat([sip, sip])],
    ]);
    const messages: SipPayload[] = [];
    expect(decodeHep(bytes, meta, { message: (m) => messages.push(m), issue: () => {} })).toBe(true);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ src: { ip: '2001:db8::1', port: 5060 }, dst: { ip: '2001:db8:1::2', port: 5061 }, transport: 'tcp', timeUs: 5 });
    expect(JSON.stringify(messages.map((m) => ({ ...m, bytes: Buffer.from(m.bytes).toString() })))).not.toContain('secret-key');
  });

  it('reports a broken chunk, ignores non-SIP protocol types, and says false for non-HEP payloads', () => {
    const issues: DecodeIssue[] = [];
    const broken = hep3([[0x0f, sip]]);
    broken[broken.length - sip.length - 1] = 0xff;
    expect(decodeHep(broken, meta, { message: () => {}, issue: (i) => issues.push(i) })).toBe(true);
    expect(issues).toMatchObject([{ code: 'hep-bad-chunk', packetNumber: 3 }]);
    const rtcp = hep3([[0x0b, Buffer.from([5])], [0x0f, Buffer.from([0x80, 0xc8, 0, 6])]]);
    const messages: SipPayload[] = [];
    expect(decodeHep(rtcp, meta, { message: (m) => messages.push(m), issue: () => {} })).toBe(true);
    expect(messages).toEqual([]);
    expect(decodeHep(sip, meta, { message: () => {}, issue: () => {} })).toBe(false);
  });

  it('writes IPv6 text as RFC 5952 says', () => {
    expect(ipv6(Buffer.from('00000000000000000000000000000001', 'hex'), 0)).toBe('::1');
    expect(ipv6(Buffer.from('20010db8000000010000000000000000', 'hex'), 0)).toBe('2001:db8:0:1::');
    expect(ipv6(Buffer.from('20010db8000100010001000100010001', 'hex'), 0)).toBe('2001:db8:1:1:1:1:1:1');
  });
});
