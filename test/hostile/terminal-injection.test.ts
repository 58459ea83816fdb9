/**
 * Issue 14, defect 2: no command's text output lets capture, file or server text drive the terminal. Each command
 * is run on hostile input (see hostile-strings.ts) and its text output must hold no control or bidi character
 * except the line breaks (and decode's column TABs) it writes itself; --json keeps the text exact.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipv4, pcap, udp, ethernet } from '../capture/capture-bytes.js';
import { runCli as runAnalysisCli } from '../cli/analysis-cli-helpers.js';
import { runCli } from '../cli/cli-io.js';
import { startUdpPeer, type SipPeer } from '../client/sip-peer.js';
import { HOSTILE, unsafeCharsIn } from './hostile-strings.js';
import { printable } from '../../src/report/printable.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-hostile-'));
const CALL_ID = `call-${HOSTILE}@evil`;
/** A bare CR ends a start line for every reader: the start lines carry the rest. */
const HOSTILE_LINE = HOSTILE.replace('\r', '');

function message(firstLine: string, cseq: string, toTag = ''): Buffer {
  return Buffer.from(
    `${firstLine}\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-${cseq.replace(' ', '-')}\r\n` +
      `From: "${HOSTILE}" <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>${toTag}\r\n` +
      `Call-ID: ${CALL_ID}\r\nCSeq: ${cseq}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
    'utf8',
  );
}

/** A call whose Call-ID, display name, Request-URI and reason phrases are hostile, as a pcap file. */
function hostileCapture(): string {
  const messages = [
    message(`INVITE sip:bob${HOSTILE_LINE}@example.com SIP/2.0`, '1 INVITE'),
    message(`SIP/2.0 200 OK ${HOSTILE_LINE}`, '1 INVITE', ';tag=b1'),
    message(`INVITE sip:bob@example.com SIP/2.0`, '2 INVITE', ';tag=b1'),
    message(`SIP/2.0 403 Forbidden ${HOSTILE_LINE}`, '2 INVITE', ';tag=b1'),
    message(`BYE sip:bob@example.com SIP/2.0`, '3 BYE', ';tag=b1'),
    message(`SIP/2.0 500 Server Error ${HOSTILE_LINE}`, '3 BYE', ';tag=b1'),
  ];
  const frames = messages.map((bytes, index) => ({ timeUs: 1_700_000_000_000_000 + index * 1000, bytes: ethernet(ipv4(udp(bytes), index % 2 ? { src: '192.0.2.2', dst: '192.0.2.1' } : {})) }));
  const path = join(dir, 'hostile.pcap');
  writeFileSync(path, pcap(frames));
  return path;
}

const capture = hostileCapture();

describe('capture commands escape hostile text', () => {
  it('decode: start lines and Call-IDs escaped in text, exact in --json', async () => {
    const run = await runAnalysisCli(['decode', capture]);
    expect(run.code).toBe(0);
    expect(run.out.split('\n').filter(Boolean)).toHaveLength(6);
    expect(unsafeCharsIn(run.out, true)).toEqual([]);
    // six columns per line: nothing in the text adds a TAB
    for (const line of run.out.split('\n').filter(Boolean)) expect(line.split('\t')).toHaveLength(6);
    expect(run.out).toContain('\\x1b[2J');
    expect(run.out).toContain('\\x1b]0;pwned\\x07');
    expect(run.out).toContain('\\u202e');
    const json = await runAnalysisCli(['decode', capture, '--json']);
    const callIds = json.out.split('\n').filter(Boolean).map((line) => JSON.parse(line).callId);
    expect(callIds.every((id) => id === CALL_ID)).toBe(true);
  });

  it('calls, analyze and flow show no control or bidi character', async () => {
    for (const args of [['calls', capture], ['analyze', capture], ['flow', capture, '--call-id', CALL_ID]]) {
      const run = await runAnalysisCli(args);
      expect(run.code, args[0]).toBeLessThan(2);
      expect(unsafeCharsIn(run.out), args[0]).toEqual([]);
      expect(unsafeCharsIn(run.err), args[0]).toEqual([]);
      expect(run.out, args[0]).toContain(printable(CALL_ID).slice(0, 40));
    }
  });

  const dataset = join(dir, 'dataset');

  it('analyze --dataset writes the capture (a bare CR and every control character in its values); query --json gives them back exact', async () => {
    const written = await runAnalysisCli(['analyze', capture, '--dataset', dataset, '--host', 'h1']);
    expect(written.code, written.err).toBeLessThan(2);
    const json = await runAnalysisCli(['query', dataset, 'SELECT call_id FROM calls', '--json']);
    expect(JSON.parse(json.out)).toEqual([{ call_id: CALL_ID }]);
  });

  it('query (table) over that dataset shows no control or bidi character, one line per row', async () => {
    const table = await runAnalysisCli(['query', dataset, 'SELECT call_id, method, status FROM messages ORDER BY packet']);
    expect(table.code).toBe(0);
    expect(unsafeCharsIn(table.out)).toEqual([]);
    expect(table.out).toContain(printable(CALL_ID));
    // the header, the rule, six messages, the count
    expect(table.out.trimEnd().split('\n')).toHaveLength(9);
  });

  it('analyze --json keeps the Call-ID exact', async () => {
    const run = await runAnalysisCli(['analyze', capture, '--json']);
    expect(JSON.parse(run.out).calls[0].callId).toBe(CALL_ID);
  });

  it('lint escapes a hostile message file', async () => {
    const file = join(dir, 'hostile.sip');
    writeFileSync(file, message(`INVITE sip:bob${HOSTILE}@example.com SIP/2.0`, `1 INV${HOSTILE}`));
    const run = await runAnalysisCli(['lint', file]);
    expect(unsafeCharsIn(run.out)).toEqual([]);
    expect(run.out).toContain('\\u202e');
  });
});

describe('register and options escape what a hostile server says', () => {
  const PORT = 45390;
  let peer: SipPeer;
  beforeAll(async () => {
    peer = await startUdpPeer(PORT, () => [
      { status: 401, reason: `Unauthorized ${HOSTILE}`, headers: [['WWW-Authenticate', `Digest realm="r${HOSTILE}", nonce="n", algorithm=MD5`]] },
    ]);
  });
  afterAll(() => peer.close());

  for (const command of ['register', 'options']) {
    for (const mode of [[], ['--nagios'], ['-v']]) {
      it(`${command} ${mode.join(' ') || '(text)'}`, async () => {
        const run = await runCli([command, `sip:alice@127.0.0.1:${PORT}`, '--timeout', '2s', ...mode]);
        expect(run.code).toBeGreaterThan(0);
        expect(unsafeCharsIn(run.stdout)).toEqual([]);
        expect(unsafeCharsIn(run.stderr)).toEqual([]);
        expect(run.stdout + run.stderr).toContain('\\x1b[2J');
      });
    }
  }
});
