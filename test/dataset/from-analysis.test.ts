/**
 * The adapter as a streaming analyzer feeds it: a finished call, then the findings its end reveals. The call's
 * row waits for them (forbidden_time comes from its reinvite-forbidden finding), and is written at the next event.
 */
import { describe, expect, it } from 'vitest';
import type { CallSummary, Finding } from '../../src/analysis/index.js';
import { AnalysisRows, type CallRow, type DatasetSink, type FindingRow } from '../../src/dataset/index.js';

function recordingSink(): DatasetSink & { calls: CallRow[]; findings: FindingRow[] } {
  const calls: CallRow[] = [];
  const findings: FindingRow[] = [];
  return {
    calls,
    findings,
    message: () => {},
    call: (row) => calls.push(row),
    finding: (row) => findings.push(row),
    registration: () => {},
    outcome: () => {},
    close: async () => ({ directory: '', host: '', rows: {}, files: [], replaced: 0 }),
    abort: async () => {},
  };
}

const call = (callId: string, startUs: number): CallSummary => ({
  callId, from: 'sip:alice@x', to: 'sip:carol@x', username: 'alice', owner: 'alice', startUs, endUs: startUs + 5_000_000,
  durationMs: 5000, state: 'torn-down', reinvites: 1, dialogs: 1, packets: [1, 2, 9], packetsTruncated: false,
});
const forbidden = (callId: string, timeUs: number): Finding => ({
  kind: 'reinvite-forbidden', severity: 'error', callId, username: 'alice', timeUs, packets: [7, 8], message: 're-INVITE answered 403',
});

describe('AnalysisRows fed as a stream', () => {
  it('a call reported before its findings still gets its forbidden_time; each call once', () => {
    const sink = recordingSink();
    const rows = new AnalysisRows(sink);
    rows.call(call('a', 1_000_000));
    rows.finding(forbidden('a', 4_000_000));
    rows.call(call('b', 2_000_000));
    expect(sink.calls.map((row) => [row.call_id, row.forbidden_time])).toEqual([['a', 4_000_000]]);
    rows.end();
    expect(sink.calls.map((row) => [row.call_id, row.forbidden_time])).toEqual([['a', 4_000_000], ['b', null]]);
    expect(sink.findings).toHaveLength(1);
    expect(sink.calls[0]).toMatchObject({ first_packet: 1, last_packet: 9, packets: [1, 2, 9], duration_ms: 5000 });
  });
});
