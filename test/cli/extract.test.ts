/** `sipscope extract`: tshark reads the written capture and sees exactly that call's SIP messages. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsharkArgs, tsharkFields } from '../analysis/capture-helpers.js';
import { pcap, TcpConversation } from '../capture/capture-bytes.js';
import { ethernet, hepOverTcp, hepProblems, ipv4, sipMessage as hostileSipMessage, udp } from '../capture/hostile-captures.mjs';
import { ringOf } from '../capture/split-captures.js';
import { REVOCATION_TCP, REVOCATION_UDP, runCli } from './analysis-cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-extract-'));

interface TsharkSipLayer {
  'sip.Request-Line'?: string;
  'sip.Status-Line'?: string;
  'sip.msg_hdr_tree'?: { 'sip.Call-ID'?: string; 'sip.CSeq'?: string };
}

/**
 * The SIP messages of one Call-ID that tshark decodes in a capture, one entry per message ("CSeq | request or status
 * line"), in frame order. Read from tshark's JSON (`--no-duplicate-keys`: the SIP messages of one frame as an array).
 */
function tsharkCallMessages(capture: string, callId: string): string[] {
  const output = execFileSync('tshark', ['-r', capture, ...tsharkArgs(capture), '-Y', `sip.Call-ID == "${callId}"`, '-T', 'json', '-J', 'sip', '--no-duplicate-keys'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const frames = JSON.parse(output) as Array<{ _source: { layers: { sip?: TsharkSipLayer | TsharkSipLayer[] } } }>;
  const messages: string[] = [];
  for (const frame of frames) {
    for (const sip of ([] as TsharkSipLayer[]).concat(frame._source.layers.sip ?? [])) {
      const headers = sip['sip.msg_hdr_tree'];
      if (headers?.['sip.Call-ID'] === callId) messages.push(`${headers['sip.CSeq']} | ${sip['sip.Request-Line'] ?? sip['sip.Status-Line']}`);
    }
  }
  return messages;
}

/** Call-IDs tshark decodes with `filter`, each once. */
function tsharkCallIds(capture: string, filter: string): string[] {
  return [...new Set(tsharkFields(capture, filter, ['sip.Call-ID']).flatMap(([ids]) => ids.split(',')))];
}

/** Extracts `callId` from `capture` to a new file in `dir`; returns its path. */
async function extract(capture: string, callId: string, name: string): Promise<string> {
  const output = join(dir, name);
  const run = await runCli(['extract', capture, '--call-id', callId, '-o', output]);
  expect(run.code, run.err).toBe(0);
  return output;
}

describe('sipscope extract', () => {
  for (const capture of [REVOCATION_UDP, REVOCATION_TCP, 'fixtures/captures/public/sngrep/ipv6frag.pcap']) {
    it(`${capture}: tshark -Y sip on the output shows exactly the call's messages`, async () => {
      const calls = (await runCli(['calls', capture])).out.trimEnd().split('\n').slice(1);
      const callId = calls[0].split(/\s+/).pop()!;
      const output = join(dir, `${capture.split('/').pop()}.call.pcap`);
      const run = await runCli(['extract', capture, '--call-id', callId, '-o', output]);
      expect(run.code).toBe(0);
      const original = tsharkFields(capture, `sip.Call-ID == "${callId}"`, ['sip.Call-ID', 'sip.CSeq', 'sip.Method', 'sip.Status-Code']);
      const extracted = tsharkFields(output, 'sip', ['sip.Call-ID', 'sip.CSeq', 'sip.Method', 'sip.Status-Code']);
      expect(extracted.length).toBeGreaterThan(0);
      expect(extracted).toEqual(original);
    });
  }

  it('a capture of the wire and of its HEP copies: the HEP frames of the call are written too (they carry it)', async () => {
    const capture = 'fixtures/captures/recorded/hep3-kamailio.pcap';
    const callId = '1-21556@127.0.0.1';
    const output = join(dir, 'hep3.call.pcap');
    const run = await runCli(['extract', capture, '--call-id', callId, '-o', output]);
    expect(run.code).toBe(0);
    const frames = tsharkFields(capture, `sip.Call-ID == "${callId}" || (udp.dstport == 9060 && frame contains "${callId}")`, ['frame.time_epoch']);
    expect(tsharkFields(output, 'frame', ['frame.time_epoch'])).toEqual(frames);
  });

  it('a ring of files (editcap -c): the same capture, byte for byte, as extracting from the whole file', async () => {
    const callId = '1-19766@127.0.0.11'; // alice's call that the revocation tore down
    const perFile = 80;
    const ring = ringOf(REVOCATION_TCP, perFile, dir, 'ring');
    expect(ring.length).toBeGreaterThan(3);
    // the call does span the ring: its frames (tshark's numbers in the whole file) fall in several files
    const frames = tsharkFields(REVOCATION_TCP, `sip.Call-ID == "${callId}"`, ['frame.number']).map(([frame]) => Number(frame));
    expect(new Set(frames.map((frame) => Math.floor((frame - 1) / perFile))).size).toBeGreaterThan(1);
    const fromWhole = join(dir, 'whole.call.pcap');
    const fromRing = join(dir, 'ring.call.pcap');
    expect((await runCli(['extract', REVOCATION_TCP, '--call-id', callId, '-o', fromWhole])).code).toBe(0);
    const run = await runCli(['extract', ...ring, '--call-id', callId, '-o', fromRing]);
    expect(run.code).toBe(0);
    expect(readFileSync(fromRing).equals(readFileSync(fromWhole))).toBe(true);
  });

  it('SIP over WebSocket (sip_tcp_websocket.pcap): tshark decodes every message of the call, the WebSocket ones too', async () => {
    const capture = 'fixtures/captures/public/heplify/sip_tcp_websocket.pcap';
    const [callId, ...others] = tsharkCallIds(capture, 'sip && websocket');
    expect(others).toEqual([]);
    const original = tsharkCallMessages(capture, callId);
    const webSocketFrames = (file: string) => tsharkFields(file, `sip.Call-ID == "${callId}" && websocket`, ['frame.number']).length;
    expect(webSocketFrames(capture)).toBeGreaterThan(0);
    const output = await extract(capture, callId, 'ws.call.pcap');
    // without the handshake and the Upgrade/101, tshark took the WebSocket frames for raw TCP: 8 of the 19 messages
    expect(tsharkCallMessages(output, callId)).toEqual(original);
    expect(webSocketFrames(output)).toBe(webSocketFrames(capture));
  });

  it('SIP over TCP (tcp.pcapng, every call): the same messages, and every connection written from its handshake', async () => {
    const capture = 'fixtures/captures/recorded/tcp.pcapng';
    const callIds = tsharkCallIds(capture, 'sip');
    expect(callIds.length).toBeGreaterThan(2);
    for (const [index, callId] of callIds.entries()) {
      const output = await extract(capture, callId, `tcp-${index}.call.pcap`);
      expect(tsharkCallMessages(output, callId), callId).toEqual(tsharkCallMessages(capture, callId));
      // tcp.completeness (tshark): 1 = SYN seen, 2 = SYN-ACK seen; the stream's last frame has the whole of it
      const completeness = new Map(tsharkFields(output, 'tcp', ['tcp.stream', 'tcp.completeness']).map(([stream, bits]) => [stream, Number(bits)]));
      expect(completeness.size, callId).toBeGreaterThan(0);
      for (const [stream, bits] of completeness) expect(bits & 3, `${callId}: TCP stream ${stream}`).toBe(3);
    }
  });

  describe('a segment that holds the end of another call’s message and the start of this call’s', () => {
    const sipMessage = (method: string, callId: string, cseq: string, body = '') =>
      Buffer.from(
        `${method} sip:bob@example.org SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1:40000;branch=z9hG4bK-${callId}-${cseq.replace(' ', '-')}\r\n` +
          `From: <sip:alice@example.org>;tag=a1\r\nTo: <sip:bob@example.org>\r\nCall-ID: ${callId}\r\nCSeq: ${cseq}\r\nMax-Forwards: 70\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      );
    const sdp = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
    /** RFC 6455 §5.2: one unmasked text frame (a test capture; tshark reads it either way). */
    const wsFrame = (payload: Buffer) =>
      Buffer.concat([Buffer.from(payload.length < 126 ? [0x81, payload.length] : [0x81, 126, payload.length >> 8, payload.length & 0xff]), payload]);

    for (const transport of ['tcp', 'ws'] as const) {
      it(`${transport}: the other message's earlier segments are written, so tshark finds where the call's message starts`, async () => {
        const wrap = transport === 'ws' ? wsFrame : (payload: Buffer) => payload;
        const [inviteA, inviteB, ackA, ackB, byeA, byeB] = [
          sipMessage('INVITE', 'call-A', '1 INVITE', sdp),
          sipMessage('INVITE', 'call-B', '1 INVITE', sdp),
          sipMessage('ACK', 'call-A', '1 ACK'),
          sipMessage('ACK', 'call-B', '1 ACK'),
          sipMessage('BYE', 'call-A', '2 BYE'),
          sipMessage('BYE', 'call-B', '2 BYE'),
        ].map(wrap);
        const conversation = new TcpConversation({ ip: '192.0.2.1', port: 40000 }, { ip: '192.0.2.2', port: transport === 'ws' ? 8080 : 5060 }).handshake();
        if (transport === 'ws') {
          conversation.send('client', Buffer.from('GET / HTTP/1.1\r\nHost: example.org\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n'));
          conversation.send('server', Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\n'));
        }
        conversation
          .send('client', inviteA)
          .send('client', inviteB.subarray(0, 100))
          .send('client', Buffer.concat([inviteB.subarray(100), ackA])) // B's INVITE ends where A's ACK begins
          .send('client', Buffer.concat([byeA, ackB.subarray(0, 50)]))
          .send('client', Buffer.concat([ackB.subarray(50), byeB]));
        const capture = join(dir, `coalesced-${transport}.pcap`);
        writeFileSync(capture, pcap(conversation.frames));
        for (const callId of ['call-A', 'call-B']) {
          const original = tsharkCallMessages(capture, callId);
          expect(original).toHaveLength(3);
          expect(tsharkCallMessages(await extract(capture, callId, `coalesced-${transport}-${callId}.pcap`), callId)).toEqual(original);
        }
        // the trade-off: call-A's file holds call-B's INVITE (its end shares a segment with A's ACK), not B's BYE
        const otherCall = tsharkCallMessages(join(dir, `coalesced-${transport}-call-A.pcap`), 'call-B');
        expect(otherCall.map((message) => message.split(' | ')[0])).toEqual(['1 INVITE']);
      });
    }
  });

  /**
   * `hepOverTcp` with, when `wireCopyOf` is given, that call's message on the wire first (UDP, the addresses, ports
   * and time its HEP chunks carry): its HEP packet is then a mirror copy, set aside rather than analysed.
   */
  function hepTcpCapture(name: string, wireCopyOf?: string): string {
    // heplify -nt tcp: HEP3 packets back to back, cut into 150-byte segments (every packet starts inside one)
    const problems = hepProblems();
    const hep = hepOverTcp(['hep-a1', 'hep-b1', 'hep-a2', 'hep-b2'].map((callId) => problems.valid(callId)), 150);
    const capture = join(dir, name);
    if (wireCopyOf === undefined) {
      writeFileSync(capture, hep);
      return capture;
    }
    const frame = ethernet(ipv4(udp(hostileSipMessage('OPTIONS', wireCopyOf, { transport: 'UDP' }), 5060, 5060), { src: '10.0.0.1', dst: '10.0.0.2' }));
    const record = Buffer.alloc(16);
    record.writeUInt32LE(1_700_000_000, 0); // the time of the HEP chunks (hepSipChunks)
    record.writeUInt32LE(frame.length, 8);
    record.writeUInt32LE(frame.length, 12);
    writeFileSync(capture, Buffer.concat([hep.subarray(0, 24), record, frame, hep.subarray(24)]));
    return capture;
  }

  for (const wire of [false, true]) {
    it(`HEP over TCP${wire ? ' (mirror copies of the wire)' : ''}: the connection’s handshake, and the earlier segments of a HEP packet a segment of the call ends`, async () => {
      const capture = hepTcpCapture(`hep-tcp-${wire}.pcap`, wire ? 'hep-b1' : undefined);
      const output = await extract(capture, 'hep-b1', `hep-tcp-${wire}-b1.pcap`);
      // tcp.completeness (tshark): 1 = SYN seen, 2 = SYN-ACK seen
      const completeness = tsharkFields(output, 'tcp', ['tcp.completeness']).map(([bits]) => Number(bits));
      expect(Math.max(...completeness) & 3).toBe(3);
      // each run of consecutive data segments (tshark's seq and len) starts where a HEP3 packet does: a reader that
      // frames the stream by HEP3 lengths from there (as a collector does) reaches the call's packet
      const segments = tsharkFields(output, 'tcp.len > 0 && tcp.dstport == 9060', ['tcp.seq', 'tcp.len', 'tcp.payload']).map(([seq, len, payload]) => ({ seq: Number(seq), len: Number(len), payload }));
      expect(segments.length).toBeGreaterThan(0);
      segments.forEach((segment, index) => {
        const previous = segments[index - 1];
        if (previous === undefined || previous.seq + previous.len !== segment.seq) expect(segment.payload.replace(/:/g, '').slice(0, 8), `segment at seq ${segment.seq}`).toBe('48455033');
      });
    });
  }

  // pcapng IDBs (draft-ietf-opsawg-pcapng §4.2): which interface saw a frame, and its if_name, as tshark reads them
  const interfaceFields = ['frame.time_epoch', 'frame.interface_id', 'frame.interface_name'];
  const sipFrames = (capture: string, callId: string) => tsharkFields(capture, `sip.Call-ID == "${callId}"`, interfaceFields).map((row) => row.join(' '));

  it('a capture of two interfaces (lo and any, named): each frame keeps its interface and the interface its name', async () => {
    const capture = 'fixtures/captures/recorded/two-interfaces.pcapng';
    const [callId] = tsharkCallIds(capture, 'sip.Method == "INVITE"');
    const expected = sipFrames(capture, callId);
    expect(new Set(expected.map((row) => row.split(' ')[2]))).toEqual(new Set(['lo', 'any']));
    const output = await extract(capture, callId, 'two-interfaces.call.pcapng');
    expect(sipFrames(output, callId).map((row) => row.replace(/ \d+ /, ' '))).toEqual(expected.map((row) => row.replace(/ \d+ /, ' ')));
  });

  it('two interfaces of one link type (mergecap of the odd and even frames): not merged into one', async () => {
    const frames = Number(execFileSync('capinfos', ['-c', '-M', '-T', '-r', REVOCATION_UDP], { encoding: 'utf8' }).trim().split('\t').pop());
    const odd = Array.from({ length: Math.ceil(frames / 2) }, (_, index) => String(2 * index + 1));
    execFileSync('editcap', ['-r', REVOCATION_UDP, join(dir, 'odd.pcap'), ...odd]);
    execFileSync('editcap', [REVOCATION_UDP, join(dir, 'even.pcap'), ...odd]);
    const capture = join(dir, 'odd-even.pcapng');
    execFileSync('mergecap', ['-F', 'pcapng', '-I', 'none', '-w', capture, join(dir, 'odd.pcap'), join(dir, 'even.pcap')]);
    const callId = '1-14594@127.0.0.11';
    const expected = sipFrames(capture, callId);
    expect(new Set(expected.map((row) => row.split(' ')[1]))).toEqual(new Set(['0', '1']));
    const output = await extract(capture, callId, 'odd-even.call.pcapng');
    const written = sipFrames(output, callId);
    expect(written.map((row) => row.split(' ')[0])).toEqual(expected.map((row) => row.split(' ')[0]));
    // the frames of one input interface share one output interface, and only they: a one-to-one map of the ids
    const ids = (rows: string[]) => rows.map((row) => row.split(' ')[1]);
    const pairs = new Set(ids(expected).map((id, index) => `${id}>${ids(written)[index]}`));
    expect([pairs.size, new Set(ids(written)).size]).toEqual([2, 2]);
  });

  it('an unknown Call-ID or stdin input is a local error', async () => {
    expect((await runCli(['extract', REVOCATION_UDP, '--call-id', 'nope', '-o', join(dir, 'x.pcap')])).code).toBe(2);
    expect((await runCli(['extract', '-', '--call-id', 'x', '-o', join(dir, 'y.pcap')])).code).toBe(2);
  });
});
