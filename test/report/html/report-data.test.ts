/** The report's data built from an analysis result: which calls get ladders, the timeline bins, the histogram. */
import { describe, expect, it } from 'vitest';
import type { AnalysisResult, CallSummary, Finding } from '../../../src/analysis/types.js';
import { selectDetailCalls } from '../../../src/report/html/detail-selection.js';
import { histogramData, HISTOGRAM_BINS } from '../../../src/report/html/histogram-data.js';
import { timelineData, TIMELINE_BINS } from '../../../src/report/html/timeline-data.js';

const T0 = 1_700_000_000_000_000;

function call(index: number, startS: number, endS: number | undefined, state: CallSummary['state'] = 'ended'): CallSummary {
  return {
    callId: `call-${index}`,
    from: 'sip:a@x',
    to: 'sip:b@x',
    username: index % 2 ? 'alice' : 'bob',
    startUs: T0 + startS * 1e6,
    endUs: endS === undefined ? undefined : T0 + endS * 1e6,
    durationMs: endS === undefined ? undefined : (endS - startS) * 1000,
    // as the analysis marks a call the statistics count (answered, ended by BYE)
    ...((state === 'ended' || state === 'torn-down') && endS !== undefined ? { inDurations: true as const } : {}),
    state,
    reinvites: 0,
    dialogs: 1,
    packets: [],
    packetsTruncated: false,
  };
}

function finding(callId: string, severity: Finding['severity'], kind: Finding['kind']): Finding {
  return { kind, severity, callId, timeUs: T0, packets: [1], message: 'm' };
}

function result(calls: CallSummary[], findings: Finding[] = []): AnalysisResult {
  return {
    summary: { files: 1, packets: 0, sipMessages: 0, calls: calls.length, requests: {}, responses: {}, decodeErrors: 0 },
    calls,
    findings,
    revocations: [],
    durations: { count: 0 },
    issues: [],
    firstTimeUs: T0,
    lastTimeUs: T0 + 100e6,
  };
}

describe('selectDetailCalls', () => {
  it('keeps every Call-ID with a finding (REGISTER ones too) and the first --max-calls others by start', () => {
    const calls = Array.from({ length: 10 }, (_, index) => call(index, index, index + 5));
    const findings = [finding('call-7', 'error', 'reinvite-forbidden'), finding('register-1', 'error', 'register-forbidden')];
    const selection = selectDetailCalls(result(calls, findings), 3);
    expect([...selection.callIds].sort()).toEqual(['call-0', 'call-1', 'call-2', 'call-7', 'register-1']);
    expect(selection.callsWithoutDetail).toBe(6);
    expect(selectDetailCalls(result(calls, findings), 0).callsWithoutDetail).toBe(9);
  });
});

describe('timelineData', () => {
  it('counts calls in progress per bin: started and not yet ended, active ones to the end of the capture', () => {
    const calls = [call(1, 10, 20), call(2, 15, 50), call(3, 40, undefined, 'active')];
    const timeline = timelineData(result(calls), [], T0);
    expect(timeline.active.length).toBeLessThanOrEqual(TIMELINE_BINS + 1);
    const at = (seconds: number) => timeline.active[Math.floor((seconds * 1e6) / timeline.binUs)];
    expect([at(5), at(12), at(17), at(30), at(45), at(60), at(99)]).toEqual([0, 1, 2, 1, 2, 1, 1]);
  });

  it('draws revoked credentials first, with their revocation moment, and bins their registrations and 403s', () => {
    const revoked = { ...result([]), revocations: [{ username: 'zed', lastSuccessUs: T0 + 5e6, firstForbiddenUs: T0 + 50e6, activeCalls: [], damagedCalls: [] }] };
    const timeline = timelineData(revoked, [
      { username: 'amy', registrations: [T0 + 1.1e6, T0 + 1.1e6 + 10], forbidden: [T0 + 2e6, T0 + 3e6, T0 + 4e6] },
      { username: 'zed', registrations: [T0 + 5e6], forbidden: [T0 + 50e6] },
    ], T0);
    expect(timeline.lanes.map((lane) => lane.username)).toEqual(['zed', 'amy']);
    expect(timeline.lanes[0].revokedUs).toBe(50e6);
    expect(timeline.lanes[1].registrations).toEqual([[Math.floor(1.1e6 / timeline.binUs), 2]]);
    expect(timeline.lanes[1].forbiddenCount).toBe(3);
  });
});

describe('histogramData', () => {
  it('bins the durations of calls ended by BYE from 0 to the longest', () => {
    const calls = [call(1, 0, 1), call(2, 0, 2), call(3, 0, 40), call(4, 0, 40, 'torn-down'), call(5, 0, 99, 'failed')];
    const histogram = histogramData(calls);
    expect(histogram.scale).toBe('linear');
    expect(histogram.counts).toHaveLength(HISTOGRAM_BINS);
    expect(histogram.edgesMs[0]).toBe(0);
    expect(histogram.edgesMs[HISTOGRAM_BINS]).toBe(40_000);
    expect(histogram.counts[1] + histogram.counts[2]).toBe(2);
    expect(histogram.counts[HISTOGRAM_BINS - 1]).toBe(2);
    expect(histogram.counts.reduce((a, b) => a + b)).toBe(4);
  });

  it('uses a log scale for a long tail, so short calls spread over the bins', () => {
    const calls = [...Array.from({ length: 50 }, (_, index) => call(index, 0, 0.004 + index * 0.0002)), call(99, 0, 600)];
    const histogram = histogramData(calls);
    expect(histogram.scale).toBe('log');
    expect(histogram.edgesMs[0]).toBeCloseTo(4, 6);
    expect(histogram.edgesMs[HISTOGRAM_BINS]).toBeCloseTo(600_000, 3);
    expect(histogram.counts.filter((count) => count > 0).length).toBeGreaterThan(3);
    expect(histogram.counts[HISTOGRAM_BINS - 1]).toBe(1);
    expect(histogram.counts.reduce((a, b) => a + b)).toBe(51);
  });
});
