/**
 * A UDP datagram that holds a SIP start line and nothing after it (no CRLF, no header fields), made from
 * fixtures/captures/recorded/udp.pcap by damage-edits.mjs: tshark shows it as a SIP request, and so does decode, with
 * the damage reported at its packet. What must be read is tshark's reading of the same file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBytes, writeScratch } from './decode-helper.js';
import { cutUdpPayload, pcapRecordOffsets, rewriteUdpPayload } from './damage-edits.mjs';
import { frameCallIdKeys, tsharkSip, tsharkUdpPayload } from './tcp-expect-helper.js';
import { execFileSync } from 'node:child_process';

const capture = readFileSync(join(import.meta.dirname, '../../fixtures/captures/recorded/udp.pcap'));
const lineEnd = (payload: Buffer) => payload.indexOf('\r\n');

describe('UDP: a datagram that is only a start line', () => {
  it('"REGISTER sip:sipscope.test SIP/2.0" without CRLF: read as the request tshark shows, reported at its packet', async () => {
    const damaged = cutUdpPayload(capture, 3, lineEnd);
    const path = writeScratch(damaged, 'udp-start-line-only.pcap');
    // tshark: frame 3 is "Request: REGISTER sip:sipscope.test", with no Call-ID
    const tshark = tsharkSip(path, 'sip');
    expect(tshark).toContainEqual({ frame: 3, callId: '' });

    const decoded = await decodeBytes(damaged);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tshark));
    const third = decoded.payloads.find((payload) => payload.packetNumber === 3)!;
    expect(Buffer.from(third.bytes).toString('latin1')).toBe('REGISTER sip:sipscope.test SIP/2.0');
    expect(decoded.issues).toEqual([
      {
        code: 'sip-no-line-end',
        message: 'SIP datagram that is only a start line, without its CRLF and header fields (RFC 3261 §7); read as it is',
        file: expect.any(String),
        packetNumber: 3,
        offset: pcapRecordOffsets(damaged)[2],
      },
    ]);
  });

  it('a status line without CRLF: with its reason phrase read, ending at its code ("SIP/2.0 401", no SP, RFC 3261 §7.2) not, as tshark', async () => {
    const withReason = cutUdpPayload(capture, 2, lineEnd);
    const tsharkWithReason = tsharkSip(writeScratch(withReason, 'udp-status-line-only.pcap'), 'sip');
    expect(tsharkWithReason).toContainEqual({ frame: 2, callId: '' });
    const decodedWithReason = await decodeBytes(withReason);
    expect(frameCallIdKeys(decodedWithReason.payloads)).toEqual(frameCallIdKeys(tsharkWithReason));
    // a start line alone, as the request line above
    expect(decodedWithReason.issues.map((issue) => [issue.code, issue.packetNumber])).toEqual([['sip-no-line-end', 2]]);

    const codeOnly = cutUdpPayload(capture, 2, () => 'SIP/2.0 401'.length);
    const tsharkCodeOnly = tsharkSip(writeScratch(codeOnly, 'udp-status-code-only.pcap'), 'sip');
    expect(tsharkCodeOnly.map((message) => message.frame)).not.toContain(2);
    const decoded = await decodeBytes(codeOnly);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkCodeOnly));
    expect(decoded.issues).toEqual([]);
  });

  it('a datagram that ends inside its start line ("REGISTER sip:sipscope.test SIP/2."): not SIP, for tshark too', async () => {
    const damaged = cutUdpPayload(capture, 3, (payload) => lineEnd(payload) - 1);
    const tshark = tsharkSip(writeScratch(damaged, 'udp-start-line-cut.pcap'), 'sip');
    expect(tshark.map((message) => message.frame)).not.toContain(3);
    const decoded = await decodeBytes(damaged);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tshark));
    expect(decoded.issues).toEqual([]);
  });
});

/** tshark's expert messages of frame `frame` of `path` (its verdict on a message's form). */
function tsharkExpert(path: string, frame: number): string {
  return execFileSync('tshark', ['-r', path, '-Y', `frame.number == ${frame}`, '-T', 'fields', '-e', '_ws.expert.message'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

const headerEnd = (payload: Buffer) => payload.indexOf('\r\n\r\n');

describe('UDP: a datagram whose header fields are not ended by a blank line', () => {
  it('the REGISTER cut after its last header field\'s CRLF: shown as tshark shows it ("Header not terminated by empty line"), reported at its packet', async () => {
    const damaged = cutUdpPayload(capture, 3, (payload) => headerEnd(payload) + 2);
    const path = writeScratch(damaged, 'udp-header-end-lost.pcap');
    expect(tsharkExpert(path, 3)).toMatch(/Header not terminated by empty line/);
    const tshark = tsharkSip(path, 'sip');
    const decoded = await decodeBytes(damaged);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tshark));
    expect(decoded.issues).toEqual([
      {
        code: 'sip-no-header-end',
        message: 'SIP datagram whose header fields are not ended by a blank line (RFC 3261 §7), cut short or sent so; read as it is',
        file: expect.any(String),
        packetNumber: 3,
        offset: pcapRecordOffsets(damaged)[2],
      },
    ]);
  });

  it('the REGISTER cut inside its last header field (no line end at all after it): shown as tshark shows it, reported the same', async () => {
    const damaged = cutUdpPayload(capture, 3, (payload) => headerEnd(payload) - 5);
    const path = writeScratch(damaged, 'udp-header-line-cut.pcap');
    expect(tsharkExpert(path, 3)).toMatch(/Malformed|no colon/);
    const decoded = await decodeBytes(damaged);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkSip(path, 'sip')));
    expect(decoded.issues.map((issue) => [issue.code, issue.packetNumber])).toEqual([['sip-no-header-end', 3]]);
  });

  it('cut by the snapshot length inside its header fields: reported once, as truncated-packet, and shown as tshark shows it', async () => {
    const at = pcapRecordOffsets(capture)[2];
    const captured = capture.readUInt32LE(at + 8);
    const frame = capture.subarray(at + 16, at + 16 + captured);
    // Ethernet 14 + IPv4 20 + UDP 8 before the payload; keep the frame up to 30 bytes before the blank line
    const keep = 42 + headerEnd(frame.subarray(42)) - 30;
    const header = Buffer.from(capture.subarray(at, at + 16));
    header.writeUInt32LE(keep, 8);
    const damaged = Buffer.concat([capture.subarray(0, at), header, frame.subarray(0, keep), capture.subarray(at + 16 + captured)]);
    const path = writeScratch(damaged, 'udp-snaplen-cut.pcap');
    const tshark = tsharkSip(path, 'sip');
    expect(tshark.map((message) => message.frame)).toContain(3);
    const decoded = await decodeBytes(damaged);
    // the frames tshark shows (tshark reads no Call-ID of the cut frame, whose Call-ID line was captured; sipscope does)
    expect(decoded.payloads.map((payload) => payload.packetNumber)).toEqual(tshark.map((message) => message.frame));
    expect(decoded.issues.map((issue) => [issue.code, issue.packetNumber])).toEqual([['truncated-packet', 3]]);
  });
});

describe('UDP: line ends other than CRLF', () => {
  const lineEnds = (to: string) => (payload: Buffer) => Buffer.from(payload.toString('latin1').replaceAll('\r\n', to), 'latin1');

  it('bare CR (RFC 3261 §7 requires CRLF): tshark reads the INVITE\'s fields; decode shows it with its start line and reports it, its Call-ID unread', async () => {
    const damaged = rewriteUdpPayload(capture, 14, lineEnds('\r'));
    const path = writeScratch(damaged, 'udp-bare-cr.pcap');
    const tshark = tsharkSip(path, 'sip');
    // tshark's line reader takes a bare CR for a line end: frame 14 with its Call-ID, nothing flagged
    expect(tshark.find((message) => message.frame === 14)?.callId).not.toBe('');
    expect(tsharkExpert(path, 14)).toBe('');
    const decoded = await decodeBytes(damaged);
    expect(decoded.payloads.map((payload) => payload.packetNumber)).toEqual(tshark.map((message) => message.frame));
    const invite = decoded.payloads.find((payload) => payload.packetNumber === 14)!;
    expect(Buffer.from(invite.bytes).toString('hex')).toBe(tsharkUdpPayload(path, 14));
    expect(decoded.issues).toEqual([
      {
        code: 'sip-bare-cr',
        message: 'SIP datagram whose lines end with a bare CR, not CRLF (RFC 3261 §7); shown with its start line, its header fields not read',
        file: expect.any(String),
        packetNumber: 14,
        offset: pcapRecordOffsets(damaged)[13],
      },
    ]);
  });

  it('bare LF (tolerated, as tshark and the parser take it): read whole, nothing reported', async () => {
    const damaged = rewriteUdpPayload(capture, 14, lineEnds('\n'));
    const path = writeScratch(damaged, 'udp-bare-lf.pcap');
    const decoded = await decodeBytes(damaged);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(tsharkSip(path, 'sip')));
    expect(decoded.issues).toEqual([]);
  });
});
