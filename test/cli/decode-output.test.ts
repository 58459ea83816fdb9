/**
 * `sipscope decode` writes its lines as bytes (no string per line); this checks them, byte for byte, against the
 * former string formatting (JSON.stringify of the line object, the tab-separated text line, a full parse for the
 * Call-ID) on every fixture capture, several files at once, and messages whose first line or Call-ID needs JSON
 * escapes or UTF-8.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIO } from '../../src/cli/io.js';
import { decodeCaptures } from '../../src/capture/decode.js';
import { formatTimeUs } from '../../src/capture/time-format.js';
import type { SipPayload } from '../../src/capture/types.js';
import { printable } from '../../src/report/printable.js';
import { getHeader, parseMessage, SipParseError } from '../../src/sip/index.js';
import { ethernet, ipv4, pcap, udp } from '../capture/capture-bytes.js';
import { writeScratch } from '../capture/decode-helper.js';

const fixtures = join(import.meta.dirname, '../../fixtures/captures');
const latin1 = new TextDecoder('latin1');

function captureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return captureFiles(path);
    return /\.(pcap|pcapng)(\.gz)?$/.test(name) ? [path] : [];
  });
}

/** The output as the command printed it before it wrote bytes. */
async function formerOutput(files: string[], json: boolean): Promise<string> {
  const payloads: SipPayload[] = [];
  await decodeCaptures(files, { payload: (p) => payloads.push(p) });
  const endpoint = (e: { ip: string; port: number }) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`);
  return payloads
    .map((p) => {
      let end = 0;
      while (end < p.bytes.length && end < 8192 && p.bytes[end] !== 0x0d && p.bytes[end] !== 0x0a) end++;
      const firstLine = latin1.decode(p.bytes.subarray(0, end));
      let callId: string | null;
      try {
        callId = getHeader(parseMessage(p.bytes, { datagram: true }), 'call-id') ?? null;
      } catch (error) {
        if (!(error instanceof SipParseError)) throw error;
        callId = null;
      }
      const time = formatTimeUs(p.timeUs);
      if (json) {
        const line: Record<string, unknown> = { file: p.file, packetNumber: p.packetNumber, time, src: p.src, dst: p.dst, transport: p.transport, firstLine, callId };
        if (p.hep) line.hep = true;
        if (p.icmpQuote) line.icmpQuote = true;
        return JSON.stringify(line);
      }
      const transport = `${p.transport}${p.hep ? '/hep' : ''}${p.icmpQuote ? ' (quoted in ICMP error)' : ''}`;
      // text goes through the one printable gate (issue 14: no control or bidi character reaches the terminal)
      const where = files.length > 1 ? `${printable(p.file)}:${p.packetNumber}` : String(p.packetNumber);
      return `${where}\t${time}\t${endpoint(p.src)} -> ${endpoint(p.dst)}\t${transport}\t${printable(firstLine)}\t${callId === null ? '-' : printable(callId)}`;
    })
    .map((line) => line + '\n')
    .join('');
}

/** Runs the command with a byte sink (as on a real stdout) and, separately, with a string-only sink. */
async function run(args: string[]): Promise<{ bytes: string; strings: string }> {
  const chunks: Buffer[] = [];
  const strings: string[] = [];
  const io = (withBytes: boolean): CliIO => ({
    out: (text) => strings.push(text.endsWith('\n') ? text : text + '\n'),
    ...(withBytes ? { outBytes: (bytes: Uint8Array) => chunks.push(Buffer.from(bytes)) } : {}),
    err: () => undefined,
    style: new Chalk({ level: 0 }),
    interactive: false,
    env: {},
    stdin: process.stdin,
  });
  expect(await main(args, io(true))).toBe(0);
  const stringsBefore = strings.join('');
  expect(await main(args, io(false))).toBe(0);
  expect(stringsBefore).toBe('');
  return { bytes: Buffer.concat(chunks).toString('utf8'), strings: strings.join('') };
}

describe('decode output bytes', () => {
  const files = captureFiles(fixtures);

  it.each(files.map((file) => [file.slice(fixtures.length + 1), file]))('match the former string output on %s', async (_name, file) => {
    for (const json of [true, false]) {
      const expected = await formerOutput([file], json);
      const { bytes, strings } = await run(['decode', file, ...(json ? ['--json'] : [])]);
      expect(bytes).toBe(expected);
      expect(strings).toBe(expected);
    }
  });

  it('match it with several files (file names in text lines) and on lines that need escapes or UTF-8', async () => {
    const odd = [
      'OPTIONS sip:"quoted"\\back@h SIP/2.0\r\nCall-ID: plain\r\nContent-Length: 0\r\n\r\n',
      'OPTIONS sip:caf\u00e9@h SIP/2.0\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n',
      'OPTIONS sip:a\tb@h SIP/2.0\r\nCall-ID: tab\there\r\nContent-Length: 0\r\n\r\n',
      'OPTIONS sip:a@h SIP/2.0\r\nCall-ID: caf\u00c3\u00a9"q\\\r\nContent-Length: 0\r\n\r\n',
      'OPTIONS sip:a@h SIP/2.0\r\ni: compact\r\nContent-Length: 0\r\n\r\n',
      'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n',
      `OPTIONS sip:${'x'.repeat(7000)}@h SIP/2.0\r\nCall-ID: ${'y'.repeat(300)}\r\nContent-Length: 0\r\n\r\n`,
    ];
    const frames = odd.map((text, i) => ({ timeUs: 1_700_000_000_000_000 + i * 1001, bytes: ethernet(ipv4(udp(Buffer.from(text, 'latin1'), 5060 + i, 5060), { protocol: 17 })) }));
    const capture = writeScratch(pcap(frames), 'odd-é.pcap');
    const other = join(fixtures, 'public/sngrep/aaa.pcap');
    for (const args of [[capture], [capture, other]]) {
      for (const json of [true, false]) {
        const expected = await formerOutput(args, json);
        expect(expected.split('\n')).toHaveLength(args.length === 1 ? odd.length + 1 : expected.split('\n').length);
        const { bytes, strings } = await run(['decode', ...args, ...(json ? ['--json'] : [])]);
        expect(bytes).toBe(expected);
        expect(strings).toBe(expected);
      }
    }
  });
});
