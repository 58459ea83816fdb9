/**
 * A SIP-over-TCP stream damaged inside (a byte of a line break or of a Content-Length wrong, as when a bit flips; made
 * by damage-edits.mjs from fixtures/captures/recorded/tcp.pcapng): the damage is reported with its flow, packet and
 * stream byte, and reading picks up again at the next message, where tshark does: what must be read is tshark's
 * reading of the same damaged file (frame and Call-ID of each SIP message), never sipscope's own output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBytes, writeScratch } from './decode-helper.js';
import { pcapngFrameData, replaceInFrame } from './damage-edits.mjs';
import { callIdOf, frameCallIdKeys, tsharkSip } from './tcp-expect-helper.js';
import { pcap, sipMessage, tcpConversation, tcpResyncTinySegments } from './hostile-captures.mjs';

const capture = readFileSync(join(import.meta.dirname, '../../fixtures/captures/recorded/tcp.pcapng'));

/** Each (frame, Call-ID) once: tshark lists a message with two Call-ID header fields twice. */
const distinct = (keys: string[]) => [...new Set(keys)].sort();

/** File offset of frame `frame`'s enhanced packet block (where decode issues of that packet point). */
const blockOffset = (frame: number) => pcapngFrameData(capture, frame).at - 28;

describe('TCP: damage inside a SIP stream', () => {
  it('the blank line after a 100 Trying lost (CRLF CRLF -> CRLF "X" LF): the next segment\'s 100 Trying is read, as tshark reads it', async () => {
    // frame 61 holds a 100 Trying and a 180 Ringing (127.0.0.20:5060 -> 127.0.0.1:34457); with the 100's blank line
    // gone, its header block runs on into the 180's and the 180's body "ringing" is left over; frame 69 begins
    // with the next 100 Trying, right after those bytes (no line break between them)
    const damaged = replaceInFrame(capture, 61, '\r\n\r\n', '\r\nX\n');
    const path = writeScratch(damaged, 'tcp-blank-line-lost.pcapng');
    const tshark = tsharkSip(path, 'sip');
    expect(tshark).toContainEqual({ frame: 69, callId: '1-27057@127.0.0.21' });

    const decoded = await decodeBytes(damaged);
    expect(distinct(frameCallIdKeys(decoded.payloads))).toEqual(distinct(frameCallIdKeys(tshark)));
    // 100 Trying and 180 Ringing of frame 69, both read
    expect(decoded.payloads.filter((p) => p.packetNumber === 69)).toHaveLength(2);
    expect(decoded.issues).toEqual([
      expect.objectContaining({ code: 'tcp-not-sip', packetNumber: 69, offset: blockOffset(69) }),
    ]);
    expect(decoded.issues[0].message).toMatch(/^bytes that do not start a SIP message in a SIP stream at stream byte \d+; skipping to the next start line \(TCP 127\.0\.0\.20:5060 -> 127\.0\.0\.1:34457, packet 69\)$/);
  });

  it('a Content-Length 800 larger than the body (146 -> 946): the bytes it takes in are reported, the message after them read, as tshark reads it', async () => {
    const damaged = replaceInFrame(capture, 78, 'Content-Length:   146', 'Content-Length:   946');
    const path = writeScratch(damaged, 'tcp-content-length-large.pcapng');
    const tshark = tsharkSip(path, 'sip');
    const decoded = await decodeBytes(damaged);
    expect(distinct(frameCallIdKeys(decoded.payloads))).toEqual(distinct(frameCallIdKeys(tshark)));
    expect(decoded.issues).toEqual([expect.objectContaining({ code: 'tcp-not-sip', packetNumber: 83, offset: blockOffset(83) })]);
  });

  it('a Content-Length that is not a number (7 -> x) before bytes a later segment runs on from: reading resumes at that segment\'s start line', async () => {
    // frame 61's 180 Ringing with "Content-Length: x": reading skips to the next start line; its body "ringing" is
    // the last line of frame 61, and frame 69 continues that line with its 100 Trying
    const damaged = replaceInFrame(capture, 61, 'Content-Length: 7', 'Content-Length: x');
    const path = writeScratch(damaged, 'tcp-content-length-not-a-number.pcapng');
    // tshark takes the 180 for a message without Content-Length running to frame 69's end, and loses frame 69's two
    // messages: what must be read is tshark's reading of the undamaged capture, every frame and Call-ID of it (the
    // 180 lost shares its frame and Call-ID with the 100 Trying before it)
    expect(tsharkSip(path, 'sip')).not.toContainEqual({ frame: 69, callId: '1-27057@127.0.0.21' });
    const undamaged = tsharkSip(join(import.meta.dirname, '../../fixtures/captures/recorded/tcp.pcapng'), 'sip');
    const decoded = await decodeBytes(damaged);
    expect(distinct(frameCallIdKeys(decoded.payloads))).toEqual(distinct(frameCallIdKeys(undamaged)));
    expect(decoded.payloads.filter((p) => p.packetNumber === 69)).toHaveLength(2);
    expect(decoded.issues).toEqual([expect.objectContaining({ code: 'tcp-bad-content-length', packetNumber: 61, offset: blockOffset(61) })]);
  });

  for (const [leftOver, what] of [['ringing', 'that may still become a start line'], ['a=ptime:20', 'that cannot']] as const) {
    it(`the segment to resume at has only the start of its start line ("SIP/2.0 10" | "0 Trying ..."), after left-over bytes ${what}: kept until the line ends, then read`, async () => {
      // a generated connection (hostile-captures.mjs): an INVITE whose blank line is lost runs on into a 180 Ringing
      // (same Call-ID) whose body ends the segment; the next message's start line comes in two segments
      const ringing = Buffer.from(`SIP/2.0 180 Ringing\r\nCall-ID: cut-line\r\nCSeq: 1 INVITE\r\nContent-Length: ${leftOver.length}\r\n\r\n${leftOver}`);
      const trying = 'SIP/2.0 100 Trying\r\nCall-ID: after-cut\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n';
      const segments = (invite: Buffer) => [Buffer.concat([invite, ringing]), Buffer.from(trying.slice(0, 10)), Buffer.from(trying.slice(10)), sipMessage('BYE', 'last')];
      const invite = sipMessage('INVITE', 'cut-line');
      const damagedInvite = Buffer.from(invite.toString('latin1').replace(/\r\n\r\n$/, '\r\nX\n'), 'latin1');
      // what must be read: tshark's reading of the same connection undamaged (INVITE and 180 share frame and Call-ID)
      const undamaged = tsharkSip(writeScratch(pcap(tcpConversation(segments(invite))), 'tcp-split-start-line.pcap'), 'sip');
      expect(undamaged.map((message) => message.callId)).toEqual(['cut-line', 'cut-line', 'after-cut', 'last']);
      const decoded = await decodeBytes(pcap(tcpConversation(segments(damagedInvite))));
      expect(distinct(frameCallIdKeys(decoded.payloads))).toEqual(distinct(frameCallIdKeys(undamaged)));
      expect(decoded.issues.map((issue) => issue.code)).toEqual(['tcp-not-sip']);
    });
  }

  it('after damage, 3,000 one-byte segments of start lines that never end, then a BYE in its own segment: the BYE is read', async () => {
    // the capture of bench/hostile-captures.mjs "tcp resync, 1-byte segments" (where the time per segment is measured);
    // tshark's reading of it depends on its length (it takes the damaged INVITE's bytes to run on), so the expectation
    // is the RFC's: the INVITE without a usable Content-Length cannot be framed (RFC 3261 §18.3), the BYE can. Frames:
    // the handshake (3), then each segment and its ACK; the BYE is segment 3,002, frame 3 + 2 * 3001 + 1.
    const decoded = await decodeBytes(tcpResyncTinySegments(3000));
    expect(decoded.payloads.map((payload) => [payload.packetNumber, callIdOf(payload.bytes)])).toEqual([[3 + 2 * 3001 + 1, 'after-damage']]);
  });
});
