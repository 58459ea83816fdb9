/**
 * What the monitoring lines of register, options and call say alike (src/report/monitoring-summary.ts): the whole
 * error of a check that got no answer, said once; retransmissions and refreshes in words that agree with their
 * count; and over ws/wss the handshake token's time left with its --warn-token-ttl WARNING, for call as for register.
 */
import { describe, expect, test } from 'vitest';
import type { CallResult } from '../../src/client/call-result.js';
import type { CheckResult } from '../../src/client/result.js';
import { renderCheckMonitoring } from '../../src/cli/check-report.js';
import { callMonitoringState, renderCallMonitoring, renderCallText } from '../../src/report/call-report.js';
import { countOf } from '../../src/report/count.js';

const TIMEOUT = { code: 'timeout', message: 'no final response to INVITE within 1500 ms (Timer B, 1 retransmission)', remote: true };

const check = (fields: Partial<CheckResult>): CheckResult => ({
  method: 'REGISTER', ok: false, challenged: false, retransmissions: 0, transactions: [], bindings: [], ...fields,
});

const call = (fields: Partial<CallResult>): CallResult => ({
  method: 'INVITE', ok: false, challenged: false, endedBy: 'error', refreshes: { sent: 0, ok: 0 }, prackSent: 0,
  retransmissions: 0, transactions: [], ...fields,
});

const tokenHandshake = (remainingS: number) => ({ status: 101, reason: 'Switching Protocols', token: { placement: 'query' as const, name: 'token', expiresAt: 1, remainingS } });

describe('countOf', () => {
  test('singular for 1, plural otherwise', () => {
    expect([0, 1, 2].map((count) => countOf(count, 'retransmission'))).toEqual(['0 retransmissions', '1 retransmission', '2 retransmissions']);
    expect([1, 3].map((count) => countOf(count, 'refresh'))).toEqual(['1 refresh', '3 refreshes']);
  });
});

describe('text outputs count in words that agree too', () => {
  test('call text: "1 retransmission" on the transaction and in the summary line (it said "1 retransmissions")', () => {
    const plain = { green: String, red: String, yellow: String, dim: String, bold: String };
    const record = { step: 'setup' as const, atMs: 0, request: 'INVITE', cseq: 1, provisional: [], retransmissions: 1, credentials: [] };
    const text = renderCallText(call({ retransmissions: 1, error: TIMEOUT, transactions: [record] }), plain);
    expect(text).toMatch(/INVITE \(CSeq 1, setup\) -> no final response  -  \(1 retransmission\)$/m);
    expect(text).toMatch(/, 1 retransmission$/m);
  });
});

describe('register / options', () => {
  test('a timeout: the error once, its retransmissions not repeated after it (the total is in the perfdata)', () => {
    const error = { ...TIMEOUT, message: 'no final response to REGISTER within 1000 ms (overall timeout, 1 retransmission)' };
    const line = renderCheckMonitoring(check({ retransmissions: 1, error }), { warnRetrans: 0 }, 'sip:alice@h');
    expect(line).toBe('SIP CRITICAL - REGISTER sip:alice@h: timeout: no final response to REGISTER within 1000 ms (overall timeout, 1 retransmission) | rtt=U;;;0 retransmissions=1;0;;0 transactions=0;;;0');
  });

  test('an answered check with one retransmission says so in the singular (the reason for its WARNING)', () => {
    const line = renderCheckMonitoring(check({ method: 'OPTIONS', ok: true, status: 200, reason: 'OK', rttMs: 2, retransmissions: 1 }), { warnRetrans: 0 }, 'sip:h');
    expect(line).toMatch(/^SIP WARNING - 200 OK for OPTIONS sip:h in 2\.0ms, 1 retransmission \| /);
  });
});

describe('call', () => {
  test('a timeout gives the whole error as register does (it said only "error: timeout")', () => {
    const line = renderCallMonitoring(call({ retransmissions: 1, error: TIMEOUT }), { warnRetrans: 0 }, 'sip:bob@h');
    expect(line).toBe('SIP CRITICAL - call to sip:bob@h: timeout: no final response to INVITE within 1500 ms (Timer B, 1 retransmission) | setup=U;;;0 lifetime=U;;;0 refreshes=0;;;0 retransmissions=1;0;;0');
  });

  test('an error after the answer names how it ended, the INVITE status and the error', () => {
    const error = { code: 'connection-closed', message: '127.0.0.1:5061 closed the TLS connection', remote: true };
    const line = renderCallMonitoring(call({ status: 200, reason: 'OK', setupMs: 3, error }), { warnRetrans: 0 }, 'sip:bob@h');
    expect(line).toMatch(/^SIP CRITICAL - call to sip:bob@h error \(INVITE 200\): connection-closed: 127\.0\.0\.1:5061 closed the TLS connection \| /);
  });

  test('a held call: "1 refresh", and retransmissions named when they make it a WARNING', () => {
    const held = call({ ok: true, status: 200, endedBy: 'bye', setupMs: 3, lifetimeMs: 800, refreshes: { sent: 1, ok: 1 }, retransmissions: 2 });
    expect(renderCallMonitoring(held, { warnRetrans: 1 }, 'sip:bob@h')).toMatch(/^SIP WARNING - call to sip:bob@h answered in 3\.0 ms, held 0\.8s, 1 refresh, 2 retransmissions \| /);
  });

  test('--warn-token-ttl: WARNING when the ws/wss handshake token has less left, with its perfdata (call ignored it)', () => {
    const held = call({ ok: true, status: 200, endedBy: 'bye', setupMs: 3, lifetimeMs: 800, handshake: tokenHandshake(30) });
    expect(callMonitoringState(held, { warnRetrans: 0, warnTokenS: 60 })).toBe('WARNING');
    expect(callMonitoringState(held, { warnRetrans: 0, warnTokenS: 10 })).toBe('OK');
    expect(renderCallMonitoring(held, { warnRetrans: 0, warnTokenS: 60 }, 'sip:bob@h'))
      .toMatch(/^SIP WARNING - call to sip:bob@h answered .*, WebSocket handshake HTTP 101, token expires in 30s \| .* token_remaining=30s;60:$/);
  });
});
