/** The analysis renderers on a hand-made result: absent values, key order, severities in plain text, JUnit. */
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/analysis/types.js';
import { analysisJson, callJson, callJsonText } from '../../src/report/analysis-json.js';
import { analyzeWithCallIds, capturesWithExpected, PUBLIC_DIR, RECORDED_DIR } from '../analysis/capture-helpers.js';
import { renderAnalysisJUnit } from '../../src/report/analysis-junit.js';
import { durationText, renderAnalysisText } from '../../src/report/analysis-text.js';
import { DOM_SCRIPT } from '../../src/report/html/browser/dom.js';
import { PLAIN_STYLE } from '../../src/report/analysis-style.js';

const T0 = Date.UTC(2026, 10, 23, 22, 0, 0) * 1000;

const result: AnalysisResult = {
  summary: { files: 1, packets: 10, sipMessages: 8, calls: 2, requests: { INVITE: 2 }, responses: { '200': 1 }, decodeErrors: 0 },
  calls: [
    { callId: 'up', from: 'sip:a@x', to: 'sip:b@x', startUs: T0 + 1, state: 'active', reinvites: 0, dialogs: 1, packets: [1, 2], packetsTruncated: false },
    { callId: 'done', from: 'sip:a@x', to: 'sip:c@x', username: 'a', startUs: T0 + 2, endUs: T0 + 1_500_002, durationMs: 1500, state: 'torn-down', reinvites: 2, dialogs: 1, packets: [3], packetsTruncated: false },
  ],
  findings: [
    { kind: 'orphan-call', severity: 'info', callId: 'up', timeUs: T0 + 5, packets: [2], message: 'still up' },
    { kind: 'register-forbidden', severity: 'error', username: 'a', timeUs: T0 + 7, packets: [4, 5], message: 'revoked' },
  ],
  revocations: [{ username: 'a', lastSuccessUs: T0 + 3, firstForbiddenUs: T0 + 7, activeCalls: ['done'], damagedCalls: [], damagedWindowMs: undefined }],
  durations: { count: 0 },
  issues: [],
};

describe('analysis JSON', () => {
  it('absent values are null, optional finding keys are left out, keys in documented order', () => {
    const json = analysisJson(result);
    expect(json.calls[0]).toEqual({ callId: 'up', from: 'sip:a@x', to: 'sip:b@x', username: null, start: '2026-11-23T22:00:00.000001Z', end: null, durationMs: null, state: 'active', reinvites: 0, packets: [1, 2] });
    expect(json.calls[1].end).toBe('2026-11-23T22:00:01.500002Z');
    expect(Object.keys(json.findings[0])).toEqual(['kind', 'severity', 'callId', 'time', 'packets', 'message']);
    expect(Object.keys(json.findings[1])).toEqual(['kind', 'severity', 'username', 'time', 'packets', 'message']);
    expect(json.revocations[0]).toEqual({ username: 'a', lastSuccess: '2026-11-23T22:00:00.000003Z', firstForbidden: '2026-11-23T22:00:00.000007Z', activeCalls: ['done'], damagedCalls: [] });
    expect(json.durations).toEqual({ p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, drainWindowMs: null });
  });
});

describe('a call as JSON text (what analyze --json and --jsonl write per call)', () => {
  it('is JSON.stringify of its --json entry on every fixture capture', async () => {
    const captures = [...capturesWithExpected(PUBLIC_DIR), ...capturesWithExpected(RECORDED_DIR)];
    let calls = 0;
    for (const capture of captures) {
      const { result: analysed } = await analyzeWithCallIds([capture]);
      for (const call of analysed.calls) {
        expect(callJsonText(call), `${capture} ${call.callId}`).toBe(JSON.stringify(callJson(call)));
        calls++;
      }
    }
    expect(calls).toBeGreaterThan(50);
  });

  it('escapes as JSON.stringify does: quotes, backslashes, controls, surrogates, absent and non-finite values', () => {
    const base = result.calls[1];
    const odd = [
      { ...base, callId: 'a"b\\c@x', from: 'sip:\u0001\t\n@x', to: 'sip:\u00e9\u{1f600}@x', username: 'lone\ud800' },
      { ...base, callId: '\u2028\u2029\u007f', username: '', state: 'active' as const, endUs: undefined, durationMs: undefined },
      { ...base, durationMs: Number.NaN, reinvites: 0, packets: [] },
      { ...base, durationMs: 0.001, packets: [1, 2_000_000_000] },
      { ...base, startUs: -1_000_001, endUs: 253_402_300_800_000_000 },
      // numbers past the written digits' fast path, zero-padded microseconds, a fraction of a microsecond
      { ...base, durationMs: -0, reinvites: -3, packets: [0, 2 ** 31, 3e9, 1e21] },
      { ...base, durationMs: 1e21, startUs: 1_764_633_600_000_007, endUs: 1_764_633_600_090_000.75 },
      // longer than the bytes' first buffer (it grows), ASCII and not
      { ...base, from: `sip:${'a'.repeat(3000)}@x`, to: `sip:${'\u00e9'.repeat(2000)}@x`, packets: Array.from({ length: 500 }, (_, i) => i * 7919) },
    ];
    for (const call of odd) expect(callJsonText(call)).toBe(JSON.stringify(callJson(call)));
  });
});

describe('analysis text and JUnit', () => {
  it('text without colour still names every severity', () => {
    const text = renderAnalysisText(result, PLAIN_STYLE);
    expect(text).toContain('INFO    orphan-call');
    expect(text).toContain('ERROR   register-forbidden');
    expect(text).toContain('(no complete call)');
    expect(text).not.toContain('\u001b[');
  });

  it('JUnit: one case per call, findings outside calls grouped by kind, failures per the fail rule', () => {
    const xml = renderAnalysisJUnit(result, { suiteName: 's', failsOn: (finding) => finding.severity === 'error' });
    expect(xml).toMatch(/<testsuite name="s"[^>]*tests="3"[^>]*failures="1"/);
    expect(xml).toMatch(/<testcase name="register-forbidden"[^>]*>\s*<failure message="revoked"/);
    expect(xml).toMatch(/<testcase name="call up"/);
  });
});

describe('durations as text', () => {
  // the HTML report's own formatter, run as the page runs it
  const htmlDurationText = new Function(`${DOM_SCRIPT}\nreturn durationText;`)() as (ms: number) => string;

  it('below a second in ms, from a second on in s, microseconds kept: a sub-millisecond call never reads 0.000 s', () => {
    expect(durationText(0.491)).toBe('0.491 ms');
    expect(durationText(0.001)).toBe('0.001 ms');
    expect(durationText(0)).toBe('0.000 ms');
    expect(durationText(999.999)).toBe('999.999 ms');
    expect(durationText(1000)).toBe('1.000 s');
    expect(durationText(17892.064)).toBe('17.892 s');
    expect(durationText(undefined)).toBe('-');
  });

  it('the text and the HTML report write a duration alike below two minutes (beyond, the HTML says min and h)', () => {
    for (const ms of [0, 0.001, 0.3, 0.491, 2.132, 15.5, 999.999, 1000, 1000.001, 8348.519, 119_999.999]) expect(durationText(ms), String(ms)).toBe(htmlDurationText(ms));
  });
});
