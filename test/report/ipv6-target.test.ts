/**
 * An IPv6 target (and RTP address) is written as RFC 3261 §25.1 hostport, in brackets, wherever a check or call
 * report names it: `::1:5060` read as an address with no port (or port 1:5060) and was what the text showed.
 */
import { describe, expect, test } from 'vitest';
import type { CheckResult } from '../../src/client/result.js';
import { emptyCallResult } from '../../src/client/test-call.js';
import { PLAIN_STYLE } from '../../src/report/analysis-style.js';
import { renderCallJUnit, renderCallText } from '../../src/report/call-report.js';
import { checkJson } from '../../src/report/check-json.js';
import { renderCheckText } from '../../src/report/check-text.js';

const transaction = { request: 'OPTIONS', cseq: 1, status: 200, reason: 'OK', rttMs: 1, retransmissions: 0, provisional: [], credentials: [] };
const options: CheckResult = {
  method: 'OPTIONS', ok: true, status: 200, reason: 'OK', challenged: false, rttMs: 1, retransmissions: 0,
  transactions: [transaction], bindings: [], target: { transport: 'udp', address: '::1', port: 5060 },
};

describe('an IPv6 target', () => {
  test('check text and the reachable check say [::1]:5060', () => {
    expect(renderCheckText(options, PLAIN_STYLE).split('\n')[0]).toBe('OPTIONS to [::1]:5060 over UDP');
    expect(checkJson(options).checks[0]).toMatchObject({ name: 'reachable', message: 'answered over udp by [::1]:5060' });
  });

  test('call text (INVITE to, RTP port) and the JUnit reachable case say [::1]:PORT', () => {
    const call = {
      ...emptyCallResult(), ok: true, status: 200, reason: 'OK', endedBy: 'bye' as const,
      transactions: [{ ...transaction, request: 'INVITE', step: 'setup' as const, atMs: 0 }],
      target: { transport: 'udp' as const, address: '::1', port: 5060 }, rtp: { address: '::1', port: 40000, packetsReceived: 0 },
    };
    const text = renderCallText(call, PLAIN_STYLE);
    expect(text).toMatch(/^INVITE to \[::1\]:5060 over UDP$/m);
    expect(text).toMatch(/RTP port \[::1\]:40000 offered/);
    expect(renderCallJUnit(call, 'sip:bob@[::1]:5060')).toContain('answered by [::1]:5060');
  });
});
