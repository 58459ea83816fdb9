/**
 * Issue 14, defect 5: From/To values that break RFC 3261 §25.1 (display names with stray quotes) are read for
 * analysis as Wireshark reads them, checked against tshark's sip.from.addr / sip.from.tag on a crafted capture;
 * lint still calls them invalid; a Call-ID with invalid UTF-8 keeps its bytes (two such Call-IDs stay two calls).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analysis/index.js';
import { parseNameAddr, readNameAddrLeniently, utf8WithByteEscapes } from '../../src/sip/index.js';
import { ethernet, ipv4, pcap, udp } from '../capture/capture-bytes.js';
import { tsharkFields } from '../analysis/capture-helpers.js';
import { runCli } from '../cli/analysis-cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-lenient-'));

/** Values a broken user agent writes; tshark's reading of each is the expectation. */
export const BROKEN_NAME_ADDRS = [
  '"<a "b">" <sip:bob@x>;tag=1',
  '"x"y" <sip:carol@y>;tag=2',
  '"abc <sip:d@e>;tag=3',
  'a<b <sip:h@i>;tag=5',
  '"q" sip:j@k;tag=6',
  '"a"b"c"d" <sip:n@o>;x=">";tag=8',
  '"a"" <sip:t@u>;tag="11"',
  '"a"b <sip:x@y>;tag=13;tag=14',
  '"a" <sip:r@s;tag=inner>x;tag=15',
];

function message(firstLine: string, from: string, to: string, callId: Buffer | string, cseq: string, branch: string): Buffer {
  return Buffer.concat([
    Buffer.from(`${firstLine}\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK${branch}\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: `),
    Buffer.from(callId),
    Buffer.from(`\r\nCSeq: ${cseq}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`),
  ]);
}

function writeCapture(name: string, messages: Buffer[]): string {
  const path = join(dir, name);
  writeFileSync(path, pcap(messages.map((bytes, index) => ({ timeUs: 1_700_000_000_000_000 + index * 1000, bytes: ethernet(ipv4(udp(bytes))) }))));
  return path;
}

describe('name-addr read as Wireshark reads it', () => {
  it('each broken value: parseNameAddr refuses it; URI and tag are those tshark finds', () => {
    const capture = writeCapture('broken-from.pcap', BROKEN_NAME_ADDRS.map((from, i) => message('OPTIONS sip:c@y SIP/2.0', from, '<sip:c@y>', `c${i}`, '1 OPTIONS', `b${i}`)));
    const rows = tsharkFields(capture, 'sip', ['sip.from.addr', 'sip.from.tag']);
    expect(rows).toHaveLength(BROKEN_NAME_ADDRS.length);
    BROKEN_NAME_ADDRS.forEach((value, i) => {
      expect(() => parseNameAddr(value), value).toThrow();
      const [addr, tag] = rows[i];
      const lenient = readNameAddrLeniently(value);
      expect(lenient.valid).toBe(false);
      expect(lenient.tag ?? '', value).toBe(tag);
      // where tshark finds no URI, the whole value stands for it (as before)
      expect(lenient.uri, value).toBe(addr === '' ? value : addr);
    });
  });

  it('a valid value reads the same strictly and leniently', () => {
    expect(readNameAddrLeniently('"A \\"b\\"" <sip:a@b>;tag=x')).toEqual({ uri: 'sip:a@b', tag: 'x', valid: true });
  });

  it('the dialog survives: the re-INVITE inside it is counted, as tshark sees its To tag', async () => {
    const from = '"<a "b">" <sip:bob@x>;tag=1';
    const capture = writeCapture('reinvite.pcap', [
      message('INVITE sip:carol@y SIP/2.0', from, '"x"y" <sip:carol@y>', 'dialog-1', '1 INVITE', 'i1'),
      message('SIP/2.0 200 OK', from, '"x"y" <sip:carol@y>;tag=2', 'dialog-1', '1 INVITE', 'i1'),
      message('ACK sip:carol@y SIP/2.0', from, '"x"y" <sip:carol@y>;tag=2', 'dialog-1', '1 ACK', 'a1'),
      message('INVITE sip:carol@y SIP/2.0', from, '"x"y" <sip:carol@y>;tag=2', 'dialog-1', '2 INVITE', 'i2'),
      message('SIP/2.0 200 OK', from, '"x"y" <sip:carol@y>;tag=2', 'dialog-1', '2 INVITE', 'i2'),
    ]);
    const toTags = tsharkFields(capture, 'sip.Method == "INVITE"', ['frame.number', 'sip.to.tag']).map((row) => row[1]);
    expect(toTags).toEqual(['', '2']);
    const result = await analyzeCaptures([capture]);
    expect(result.calls).toHaveLength(1);
    expect(result.calls[0]).toMatchObject({ from: 'sip:bob@x', to: 'sip:carol@y', state: 'active', reinvites: 1 });
  });

  it('lint still calls the header invalid', async () => {
    const file = join(dir, 'broken-from.sip');
    writeFileSync(file, message('OPTIONS sip:c@y SIP/2.0', BROKEN_NAME_ADDRS[0], '<sip:c@y>', 'c', '1 OPTIONS', 'x'));
    const run = await runCli(['lint', file, '--json']);
    expect(run.code).toBe(1);
    const [result] = JSON.parse(run.out);
    expect(result.valid).toBe(false);
    expect(result.errors.some((error: { header?: string; message: string }) => /from/i.test(JSON.stringify(error)))).toBe(true);
  });
});

describe('Call-IDs with invalid UTF-8', () => {
  it('keeps the bytes: invalid bytes as \\xNN, valid UTF-8 as text', () => {
    expect(utf8WithByteEscapes(Buffer.from([0x61, 0xff, 0x62, 0xc3, 0xa9, 0xc3, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80]))).toBe('a\\xffbé\\xc3\\xed\\xa0\\x80😀');
  });

  it('two Call-IDs that differ only in invalid bytes stay two calls', async () => {
    const callIds = [Buffer.from('bad\xff1@h', 'latin1'), Buffer.from('bad\xfe1@h', 'latin1')];
    const capture = writeCapture('bad-utf8.pcap', callIds.flatMap((callId, i) => [
      message('INVITE sip:carol@y SIP/2.0', `<sip:a@b>;tag=f${i}`, '<sip:carol@y>', callId, '1 INVITE', `c${i}`),
      message('SIP/2.0 200 OK', `<sip:a@b>;tag=f${i}`, '<sip:carol@y>;tag=t', callId, '1 INVITE', `c${i}`),
    ]));
    const result = await analyzeCaptures([capture]);
    expect(result.calls.map((call) => call.callId).sort()).toEqual(['bad\\xfe1@h', 'bad\\xff1@h']);
    expect(result.calls.map((call) => call.state)).toEqual(['active', 'active']);
    // decode's text shows that written form (JSON keeps the parser's text), and flow finds the call by it
    const decoded = await runCli(['decode', capture]);
    expect(decoded.out.split('\n').filter(Boolean).map((line) => line.split('\t')[5])).toEqual(['bad\\xff1@h', 'bad\\xff1@h', 'bad\\xfe1@h', 'bad\\xfe1@h']);
    const flow = await runCli(['flow', capture, '--call-id', 'bad\\xff1@h']);
    expect(flow.code).toBe(0);
    expect(flow.out.match(/^#\d+/gm)).toEqual(['#1', '#2']);
  });
});
