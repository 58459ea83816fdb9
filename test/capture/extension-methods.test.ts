/**
 * Requests whose method is an extension token (RFC 3261 §25.1: Method = INVITEm / ... / extension-method, and
 * extension-method = token, case-sensitive, so "options" or "x-ping.v2" are methods too): tshark, the ground truth
 * for what a capture holds, shows them as SIP on UDP and on TCP; sipscope must find the same frames and Call-IDs.
 */
import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, pcap, sipRequest, TcpConversation, udp } from './capture-bytes.js';
import { decodeBytes, writeScratch } from './decode-helper.js';
import { sipStartLineAt, START_LINE_NO, START_LINE_YES } from '../../src/capture/tcp-start-line.js';
import { frameCallIdKeys, tsharkSip } from './tcp-expect-helper.js';

/** Methods that are tokens but not all upper-case letters. */
const EXTENSION_METHODS = ['options', 'Notify', 'X-PING.v2', 'MY_METHOD!', 'INFO2'];

describe('extension-method tokens in the start line (RFC 3261 §25.1)', () => {
  it('are start lines; bytes outside token are not', () => {
    for (const method of EXTENSION_METHODS) {
      const line = Buffer.from(`${method} sip:bob@example.com SIP/2.0\r\n`);
      expect(sipStartLineAt(line, 0), method).toBe(START_LINE_YES);
    }
    for (const method of ['INV@ITE', 'A,B', 'IN"VITE', 'GET/']) {
      expect(sipStartLineAt(Buffer.from(`${method} sip:bob@example.com SIP/2.0\r\n`), 0), method).toBe(START_LINE_NO);
    }
  });

  it('over UDP: the frames and Call-IDs tshark shows', async () => {
    const frames = EXTENSION_METHODS.map((method, index) => ({
      timeUs: 1_700_000_000_000_000 + index * 1000,
      bytes: ethernet(ipv4(udp(sipRequest(`udp-${index}`, method)))),
    }));
    const capture = pcap(frames);
    const expected = tsharkSip(writeScratch(capture, 'extension-methods-udp.pcap'), 'sip');
    expect(expected).toHaveLength(EXTENSION_METHODS.length);
    const decoded = await decodeBytes(capture);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(expected));
    expect(decoded.issues).toEqual([]);
  });

  it('over TCP, each in its own segment and all in one: the frames and Call-IDs tshark shows', async () => {
    const conversation = new TcpConversation({ ip: '192.0.2.1', port: 40000 }, { ip: '192.0.2.2', port: 5060 }).handshake();
    EXTENSION_METHODS.forEach((method, index) => conversation.send('client', sipRequest(`tcp-${index}`, method)));
    conversation.send('client', Buffer.concat(EXTENSION_METHODS.map((method, index) => sipRequest(`tcp-joined-${index}`, method))));
    const capture = pcap(conversation.frames);
    const expected = tsharkSip(writeScratch(capture, 'extension-methods-tcp.pcap'), 'sip');
    expect(expected).toHaveLength(2 * EXTENSION_METHODS.length);
    const decoded = await decodeBytes(capture);
    expect(frameCallIdKeys(decoded.payloads)).toEqual(frameCallIdKeys(expected));
    expect(decoded.issues).toEqual([]);
  });
});
