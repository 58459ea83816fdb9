/**
 * A UDP datagram that holds a SIP start line and nothing after it (no CRLF, no header fields), made from
 * fixtures/captures/recorded/udp.pcap by damage-edits.mjs: tshark shows it as a SIP request, and so does decode, with
 * the damage reported at its packet. What must be read is tshark's reading of the same file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBytes, writeScratch } from './decode-helper.js';
import { cutUdpPayload, pcapRecordOffsets } from './damage-edits.mjs';
import { frameCallIdKeys, tsharkSip } from './tcp-expect-helper.js';

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
    expect(frameCallIdKeys((await decodeBytes(withReason)).payloads)).toEqual(frameCallIdKeys(tsharkWithReason));

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
