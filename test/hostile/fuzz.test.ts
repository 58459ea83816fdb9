/**
 * Issue 14 proof, fuzzing bounded in count and time (CI runs it with the other tests): generators for hostile
 * terminal text through every text renderer and the decode command, From/To values with stray quotes in the
 * display name (checked against tshark in one batch), and status codes from 000 to 999 answered to a real client
 * transaction over UDP.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSummary, Finding } from '../../src/analysis/index.js';
import { runOptions } from '../../src/client/options.js';
import type { CheckResult } from '../../src/client/result.js';
import { PLAIN_STYLE } from '../../src/report/analysis-style.js';
import { renderCallsTable, renderFinding } from '../../src/report/analysis-text.js';
import { renderCheckText } from '../../src/report/check-text.js';
import { renderLadder } from '../../src/report/ladder.js';
import { renderMonitoringLine } from '../../src/report/monitoring.js';
import { printable } from '../../src/report/printable.js';
import { parseNameAddr, readNameAddrLeniently } from '../../src/sip/index.js';
import { tsharkFields } from '../analysis/capture-helpers.js';
import { ethernet, ipv4, pcap, udp } from '../capture/capture-bytes.js';
import { runCli } from '../cli/analysis-cli-helpers.js';
import { startUdpPeer, type SipPeer } from '../client/sip-peer.js';
import { HOSTILE_PIECES, unsafeCharsIn } from './hostile-strings.js';

const LIMIT = { interruptAfterTimeLimit: 4000, markInterruptAsFailure: false } as const;
const dir = mkdtempSync(join(tmpdir(), 'sipscope-fuzz-'));

/** Text mixing ordinary characters, any code point, and the pieces a terminal acts on. */
const hostileText = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ unit: 'grapheme', maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 }), fc.integer({ min: 0, max: 0x2070 }).map((code) => String.fromCharCode(code))), { maxLength: 12 })
  .map((parts) => parts.join(''));

describe('hostile terminal text', () => {
  it('printable() leaves no control or bidi character, and changes nothing else', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const shown = printable(text);
        expect(unsafeCharsIn(shown)).toEqual([]);
        expect(shown.replace(/\\x[0-9a-f]{2}|\\u[0-9a-f]{4}/g, '')).toBe(text.replace(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\\x[0-9a-f]{2}|\\u[0-9a-f]{4}/g, ''));
      }),
      { numRuns: 2000, ...LIMIT },
    );
  });

  it('every text renderer keeps it escaped: check text, monitoring line, calls table, finding, ladder', () => {
    fc.assert(
      fc.property(hostileText, hostileText, hostileText, (a, b, c) => {
        const check: CheckResult = {
          method: 'REGISTER', ok: true, status: 200, reason: a, realm: b, algorithm: 'MD5', qop: c, challenged: true, retransmissions: 0,
          transactions: [{ request: 'REGISTER', cseq: 1, status: 401, reason: b, provisional: [], retransmissions: 0, credentials: [] }],
          bindings: [{ uri: c, expires: 5 }], authProblem: a,
          removal: { ok: false, status: 500, reason: a, retransmissions: 0, transactions: [], bindings: [], contact: b, authProblem: c },
        };
        const call = { callId: a, from: b, to: c, username: a, startUs: 0, state: 'ended', reinvites: 0, dialogs: 1, packets: [1], packetsTruncated: false } as CallSummary;
        const finding = { kind: 'server-error', severity: 'error', timeUs: 0, packets: [1], callId: a, username: b, message: c } as Finding;
        const ladder = renderLadder([{ packetNumber: 1, timeUs: 0, src: { ip: '127.0.0.1', port: 1 }, dst: { ip: '127.0.0.2', port: 2 }, firstLine: a, retransmission: false }], PLAIN_STYLE, { maxLabel: 500 });
        for (const output of [renderCheckText(check, PLAIN_STYLE), renderMonitoringLine({ service: 'SIP', state: 'OK', summary: a + b, perfdata: [] }), renderCallsTable([call], PLAIN_STYLE), renderFinding(finding, PLAIN_STYLE), ladder]) {
          expect(unsafeCharsIn(output)).toEqual([]);
        }
      }),
      { numRuns: 300, ...LIMIT },
    );
  });

  it('decode, calls and analyze on captures of generated hostile messages', async () => {
    const samples = fc.sample(fc.tuple(hostileText, hostileText), { numRuns: 12, seed: 14 });
    const messages = samples.map(([callId, reason], index) =>
      Buffer.from(`SIP/2.0 200 ${reason.replace(/[\r\n]/g, '')}\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK${index}\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n` +
        `Call-ID: ${callId.replace(/[\r\n]/g, '')}x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`, 'utf8'));
    const capture = join(dir, 'hostile-fuzz.pcap');
    writeFileSync(capture, pcap(messages.map((bytes, index) => ({ timeUs: 1_700_000_000_000_000 + index, bytes: ethernet(ipv4(udp(bytes))) }))));
    for (const args of [['decode', capture], ['calls', capture], ['analyze', capture]]) {
      const run = await runCli(args);
      expect(run.code, args[0]).toBeLessThan(2);
      expect(unsafeCharsIn(run.out, args[0] === 'decode'), args[0]).toEqual([]);
      expect(unsafeCharsIn(run.err), args[0]).toEqual([]);
    }
  });
});

describe('From/To with stray quotes in the display name', () => {
  /** `"<display with quotes>" <sip:user@host>;tag=TAG` where the display name may hold '"' and other characters. */
  const strayQuoted = fc
    .record({
      display: fc.array(fc.constantFrom('"', 'a', ' ', 'b', '\\', ';', ',', ':', '=', 'tag'), { minLength: 1, maxLength: 10 }).map((parts) => parts.join('')),
      user: fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/),
      tag: fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/),
    })
    .map(({ display, user, tag }) => ({ value: `"${display}" <sip:${user}@example.com>;tag=${tag}`, user, tag }));

  it('never throws; where the leading quoted string closes (no backslash escaping its quote), URI and tag are kept', () => {
    fc.assert(
      fc.property(strayQuoted, ({ value, user, tag }) => {
        const read = readNameAddrLeniently(value);
        expect(read.uri.length).toBeGreaterThan(0);
        if (value.slice(1, value.indexOf(' <sip:')).includes('\\')) return;
        expect(read.tag).toBe(tag);
        expect(read.uri).toBe(`sip:${user}@example.com`);
      }),
      { numRuns: 1000, ...LIMIT },
    );
  });

  it('what tshark finds (sip.from.addr, sip.from.tag) for the values the strict parser refuses', () => {
    const values = fc.sample(strayQuoted, { numRuns: 60, seed: 5 }).map((sample) => sample.value).filter((value) => {
      try {
        parseNameAddr(value);
        return false;
      } catch {
        return true;
      }
    });
    expect(values.length).toBeGreaterThan(10);
    const frames = values.map((from, index) => ({
      timeUs: 1_700_000_000_000_000 + index,
      bytes: ethernet(ipv4(udp(Buffer.from(`OPTIONS sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK${index}\r\nFrom: ${from}\r\nTo: <sip:x@y>\r\nCall-ID: f${index}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`)))),
    }));
    const capture = join(dir, 'stray-quotes.pcap');
    writeFileSync(capture, pcap(frames));
    const rows = tsharkFields(capture, 'sip', ['frame.number', 'sip.from.addr', 'sip.from.tag']);
    expect(rows).toHaveLength(values.length);
    rows.forEach(([, addr, tag], index) => {
      const read = readNameAddrLeniently(values[index]);
      expect(read.tag ?? '', values[index]).toBe(tag);
      expect(read.uri, values[index]).toBe(addr === '' ? values[index] : addr);
    });
  });
});

describe('status codes 000-999 from a server', () => {
  const PORT = 45430;
  let peer: SipPeer;
  let status = 0;
  beforeAll(async () => {
    // the generated status first, then a 200: a status outside 100-699 must be discarded, never final
    peer = await startUdpPeer(PORT, () => [{ status, reason: 'Generated' }, { status: 200, reason: 'OK' }]);
  });
  afterAll(() => peer.close());

  it('outside 100-699 malformed (the 200 after it is final); 1xx provisional; 200-699 final', async () => {
    const statuses = [0, 1, 42, 99, ...fc.sample(fc.integer({ min: 0, max: 999 }), { numRuns: 16, seed: 6 }), 100, 199, 699, 700, 999];
    for (const generated of statuses) {
      status = generated;
      const result = await runOptions({ uri: `sip:127.0.0.1:${PORT}`, timeoutMs: 2000, timers: { t1: 500, t2: 4000 } });
      const expected = generated >= 200 && generated <= 699 ? generated : 200;
      expect(result.status, `status ${generated}`).toBe(expected);
      if (generated >= 100 && generated <= 199) expect(result.transactions[0].provisional, `status ${generated}`).toEqual([generated]);
    }
  });
});
