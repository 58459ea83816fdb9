/**
 * The revocation story recorded from real peers (Kamailio + SIPp; fixtures/recordings/record-revocation.sh):
 * calls, findings, the revocation timeline and durations must equal NAME.analysis.expected.json, which
 * fixtures/expect/analysis-from-tshark.py derived from tshark's dissection (fixtures/expect/RULES.md), never from
 * sipscope's output. Also the tshark counts of NAME.expected.json.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isoMicros } from '../../src/analysis/time.js';
import { analyzeWithCallIds, readJson, RECORDED_DIR, type TsharkExpected } from './capture-helpers.js';

interface ExpectedCall {
  callId: string;
  from: string;
  to: string;
  username?: string;
  startUs: number;
  endUs?: number;
  durationMs?: number;
  state: string;
  reinvites: number;
  endedBy?: string;
  packets: number[];
}

/** A call of the model or of the expectation (whose JSON may hold null for an absent value). */
type CallFields = Omit<ExpectedCall, 'username' | 'endUs' | 'durationMs' | 'endedBy' | 'packets'> & {
  username?: string | null;
  endUs?: number | null;
  durationMs?: number | null;
  endedBy?: string | null;
};

interface ExpectedAnalysis {
  summary: { sipMessages: number; calls: number; requests: Record<string, number>; responses: Record<string, number> };
  calls: ExpectedCall[];
  findings: Array<{ kind: string; callId?: string; username?: string; timeUs: number; packets: number[]; hungUpBy?: string; hungUpAfterMs?: number }>;
  revocations: Array<{ username: string; lastSuccessUs: number; firstForbiddenUs: number; activeCalls: string[]; damagedCalls: string[]; damagedWindowMs?: number }>;
  durations: { count: number; p50Ms?: number; p95Ms?: number; p99Ms?: number; maxMs?: number; drainWindowMs?: number };
}

/** The fields compared for a call, an absent value always as undefined. */
function comparableCall(call: CallFields, packets: number[]) {
  return {
    callId: call.callId,
    from: call.from,
    to: call.to,
    username: call.username ?? undefined,
    startUs: call.startUs,
    endUs: call.endUs ?? undefined,
    durationMs: call.durationMs ?? undefined,
    state: call.state,
    reinvites: call.reinvites,
    endedBy: call.endedBy ?? undefined,
    packets,
  };
}

const recorded = existsSync(RECORDED_DIR)
  ? readdirSync(RECORDED_DIR)
      .filter((name) => /\.pcap(ng)?(\.gz)?$/.test(name) && existsSync(join(RECORDED_DIR, `${name}.analysis.expected.json`)))
      .map((name) => join(RECORDED_DIR, name))
  : [];

/** The revocation story proper (the other recordings hold other troubles, with errors of their own). */
const isRevocationCapture = (capture: string) => /revocation-/.test(capture);

describe('recorded revocation captures', () => {
  it('has the recorded revocation captures (UDP and TCP)', () => {
    expect(recorded.map((path) => path.split('/').pop())).toEqual(expect.arrayContaining(['revocation-udp.pcap', 'revocation-tcp.pcap']));
    expect(recorded.filter(isRevocationCapture).length).toBeGreaterThanOrEqual(2);
  });

  for (const capture of recorded) {
    describe(capture, () => {
      const expected = readJson<ExpectedAnalysis>(`${capture}.analysis.expected.json`);
      const counts = readJson<TsharkExpected>(`${capture}.expected.json`);
      const analysis = analyzeWithCallIds([capture]);

      it('summary equals tshark', async () => {
        const { result, callIds } = await analysis;
        expect(result.summary.sipMessages).toBe(counts.sipMessages);
        expect(result.summary.requests).toEqual(counts.requests);
        expect(result.summary.responses).toEqual(counts.responses);
        expect(result.summary.calls).toBe(expected.summary.calls);
        expect([...callIds].sort()).toEqual([...counts.callIds].sort());
      });

      it('calls equal the expected calls', async () => {
        const { result, messageFrames, carrierFrames } = await analysis;
        // The expectation lists the frames tshark shows each message in; a call's packets also hold the IP
        // fragments and TCP segments that carried its messages (what extract must copy): those must be carriers.
        for (const call of result.calls) {
          const own = messageFrames.get(call.callId)!;
          for (const frame of call.packets.filter((number) => !own.has(number))) expect(carrierFrames.has(frame)).toBe(true);
        }
        const actual = result.calls.map((call) => comparableCall(call, call.packets.filter((number) => messageFrames.get(call.callId)!.has(number))));
        const wanted = expected.calls.map((call) => comparableCall(call, call.packets));
        const byId = (a: { callId: string }, b: { callId: string }) => a.callId.localeCompare(b.callId);
        expect(actual.sort(byId)).toEqual(wanted.sort(byId));
      });

      it('findings (every kind) equal the expected ones', async () => {
        const { result } = await analysis;
        const pick = (finding: { kind: string; callId?: string; username?: string; timeUs: number; packets: number[] }) => ({
          kind: finding.kind,
          callId: finding.callId,
          username: finding.username,
          timeUs: finding.timeUs,
          packets: finding.packets,
        });
        const order = (a: { timeUs: number; kind: string }, b: { timeUs: number; kind: string }) => a.timeUs - b.timeUs || a.kind.localeCompare(b.kind);
        const actual = result.findings.map(pick).sort(order);
        expect(actual).toEqual(expected.findings.map(pick).sort(order));
        for (const finding of expected.findings.filter((f) => f.kind === 'reinvite-forbidden' && f.hungUpBy)) {
          const message = result.findings.find((f) => f.kind === finding.kind && f.callId === finding.callId)!.message;
          expect(message).toContain(`the ${finding.hungUpBy} hung up (BYE) ${finding.hungUpAfterMs!.toFixed(3)} ms later`);
        }
      });

      if (isRevocationCapture(capture)) {
        it('no error finding other than the revocation ones', async () => {
          const { result } = await analysis;
          const others = result.findings.filter((finding) => finding.severity === 'error' && !['reinvite-forbidden', 'register-forbidden'].includes(finding.kind));
          expect(others).toEqual([]);
        });
      }

      it('revocation timeline equals the expected one', async () => {
        const { result } = await analysis;
        expect(result.revocations).toEqual(
          expected.revocations.map((revocation) => ({
            username: revocation.username,
            lastSuccessUs: revocation.lastSuccessUs,
            firstForbiddenUs: revocation.firstForbiddenUs,
            activeCalls: [...revocation.activeCalls],
            damagedCalls: [...revocation.damagedCalls],
            ...(revocation.damagedWindowMs !== undefined ? { damagedWindowMs: revocation.damagedWindowMs } : {}),
          })),
        );
        for (const revocation of result.revocations) expect(isoMicros(revocation.firstForbiddenUs)).toMatch(/\.\d{6}Z$/);
      });

      it('durations equal the expected nearest-rank statistics', async () => {
        const { result } = await analysis;
        expect(result.durations).toEqual(expected.durations);
      });
    });
  }
});
