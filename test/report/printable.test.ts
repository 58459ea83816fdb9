/**
 * Text taken from a capture reaches the terminal with its control characters shown as \xNN: a hostile message cannot
 * send escape sequences (recolour, move the cursor, retitle the window) through the ladder, the calls table or a
 * finding. Colour from the style itself still gets through.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { CallSummary, Finding } from '../../src/analysis/index.js';
import { PLAIN_STYLE } from '../../src/report/analysis-style.js';
import { renderCallsTable, renderFinding } from '../../src/report/analysis-text.js';
import { renderLadder } from '../../src/report/ladder.js';
import { printable } from '../../src/report/printable.js';

const ESC = '\x1b';
// C0 (ESC, BEL), C1 (a one-character CSI) and a bidi override: every class printable() escapes
const hostile = `sip:mallory${ESC}]0;pwned\x07${ESC}[2J\u009b31m\u202e@evil`;
const HOSTILE_ESCAPED = 'sip:mallory\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e@evil';
/** Any character printable() escapes, left raw. */
const UNPRINTABLE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('printable', () => {
  it('shows C0 controls (tab too: it breaks columns), DEL and C1 as \\xNN, bidi controls as \\uNNNN, keeps the rest', () => {
    expect(printable(`a${ESC}[31mb\r\n\x00\x7f\tc é`)).toBe('a\\x1b[31mb\\x0d\\x0a\\x00\\x7f\\x09c é');
    expect(printable('\u0080\u009b1m\u009f\u00a0ÿ')).toBe('\\x80\\x9b1m\\x9f\u00a0ÿ');
    expect(printable('a\u202eb\u202ac\u2066d\u2069e\u200ef\u200fg\u061ch\u2067i')).toBe('a\\u202eb\\u202ac\\u2066d\\u2069e\\u200ef\\u200fg\\u061ch\\u2067i');
    // neighbours of the escaped ranges stay as they are
    expect(printable('\u2029\u202f\u2065\u206a\u200d\u2010\u061b\u061d日本')).toBe('\u2029\u202f\u2065\u206a\u200d\u2010\u061b\u061d日本');
    expect(printable(undefined)).toBe('undefined');
    expect(printable(42)).toBe('42');
  });

  it('the ladder shows a hostile start line escaped, and still colours a 403', () => {
    const ladder = renderLadder(
      [
        { packetNumber: 1, timeUs: 0, src: { ip: '127.0.0.1', port: 5060 }, dst: { ip: '127.0.0.2', port: 5060 }, firstLine: `INVITE ${hostile} SIP/2.0`, retransmission: false },
        { packetNumber: 2, timeUs: 1, src: { ip: '127.0.0.2', port: 5060 }, dst: { ip: '127.0.0.1', port: 5060 }, firstLine: 'SIP/2.0 403 Forbidden', status: 403, retransmission: false },
      ],
      PLAIN_STYLE,
      { maxLabel: 200 },
    );
    expect(ladder).not.toMatch(UNPRINTABLE);
    expect(ladder).toContain(HOSTILE_ESCAPED);
    expect(renderLadder([{ packetNumber: 2, timeUs: 1, src: { ip: '127.0.0.2', port: 5060 }, dst: { ip: '127.0.0.1', port: 5060 }, firstLine: 'SIP/2.0 403 Forbidden', status: 403, retransmission: false }], new Chalk({ level: 1 }))).toContain(ESC);
  });

  it('the calls table and a finding show capture text escaped', () => {
    const call: CallSummary = {
      callId: `id${ESC}[1A`,
      from: hostile,
      to: 'sip:bob@x',
      username: `u${ESC}`,
      startUs: 0,
      state: 'torn-down',
      reinvites: 0,
      dialogs: 1,
      packets: [1],
      packetsTruncated: false,
    };
    const table = renderCallsTable([call], PLAIN_STYLE);
    expect(table).not.toMatch(UNPRINTABLE);
    expect(table).toContain(HOSTILE_ESCAPED);
    expect(table).toContain('id\\x1b[1A');
    const finding = { kind: 'server-error', severity: 'error', timeUs: 0, packets: [1], callId: call.callId, username: call.username, message: `500 from ${hostile}` } as Finding;
    const text = renderFinding(finding, PLAIN_STYLE);
    expect(text).not.toMatch(UNPRINTABLE);
    expect(text).toContain(`500 from ${HOSTILE_ESCAPED}`);
  });
});
