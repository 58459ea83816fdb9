/**
 * The streaming analyzer reports a call when it is over, not at the end of the capture, and drops its state
 * (issue 9): on the recorded revocation story, bob's first call (BYE at t~8.6 s) comes out while the capture is
 * still being read, T1 after its BYE was answered; calls in flight then are the only ones held; every call comes
 * out exactly once; a quiet live source's clock (advance) reports a call completed by the last message; a call held
 * with nothing going on is parked as one string, forgets its settled re-INVITEs and still reports the same.
 */
import { describe, expect, it } from 'vitest';
import { decodeCaptures } from '../../src/capture/decode.js';
import type { SipPayload } from '../../src/capture/types.js';
import { Analyzer } from '../../src/analysis/analyzer.js';
import { T1_US } from '../../src/analysis/transactions.js';
import type { CallTable } from '../../src/analysis/call-table.js';
import { ParkedCall } from '../../src/analysis/parked-call.js';
import type { CallSummary } from '../../src/analysis/types.js';

const REVOCATION = 'fixtures/captures/recorded/revocation-udp.pcap';

async function payloadsOf(capture: string): Promise<SipPayload[]> {
  const payloads: SipPayload[] = [];
  await decodeCaptures([capture], { payload: (payload) => payloads.push(payload) });
  return payloads;
}

describe('streaming analyzer', () => {
  it('reports an ended call while the capture is read, T1 after the message that completed it, once', async () => {
    const payloads = await payloadsOf(REVOCATION);
    const reported: Array<{ call: CallSummary; atMessage: number; atUs: number }> = [];
    let index = 0;
    const analyzer = new Analyzer({ sink: { call: (call) => reported.push({ call, atMessage: index, atUs: payloads[index]?.timeUs ?? Number.POSITIVE_INFINITY }) } });
    for (; index < payloads.length; index++) analyzer.add(payloads[index]);
    const beforeEnd = reported.length;
    const result = analyzer.finish();
    expect(result.calls).toEqual([]); // streaming: nothing collected
    expect(result.summary.calls).toBe(5);
    expect(reported.map((entry) => entry.call.callId).sort()).toEqual([...new Set(reported.map((entry) => entry.call.callId))].sort());
    expect(beforeEnd).toBeGreaterThanOrEqual(1);
    const first = reported[0];
    expect(first.atMessage).toBeLessThan(payloads.length - 1);
    expect(first.call.state).toBe('ended');
    // reported at the first message at least T1 after the BYE's answer, i.e. soon after the call ended
    expect(first.atUs - first.call.endUs!).toBeGreaterThanOrEqual(T1_US);
    expect(first.atUs - first.call.endUs!).toBeLessThan(5_000_000);
  });

  it('advance() (a quiet live source) reports a call completed by the last message, without more input', async () => {
    const payloads = await payloadsOf(REVOCATION);
    const reported: string[] = [];
    const analyzer = new Analyzer({ sink: { call: (call) => reported.push(call.callId) } });
    for (const payload of payloads) analyzer.add(payload);
    const held = analyzer.open.calls;
    expect(held).toBeGreaterThan(0);
    analyzer.advance(analyzer.lastMessageUs! + T1_US + 1);
    expect(analyzer.open.calls).toBeLessThan(held);
    expect(reported.length).toBeGreaterThan(5 - held);
  });

  it('a held call quiet for 64*T1 is parked, forgets its settled re-INVITEs, keeps the 403s and the first INVITE, and reports the same', async () => {
    // every BYE (and its answer) left out: each call stays up, held to the end of the capture
    const payloads = (await payloadsOf(REVOCATION)).filter((payload) => !/\r\nCSeq:\s*\d+\s+BYE\r\n/i.test(Buffer.from(payload.bytes).toString('latin1')));
    const run = (quietUs?: number) => {
      const analyzer = new Analyzer();
      for (const payload of payloads) analyzer.add(payload);
      const table = (analyzer as unknown as { calls: CallTable }).calls;
      const ids = [...table.held()].map((call) => call.callId);
      const sessionsBefore = ids.map((id) => table.get(id)!.sessions.size);
      if (quietUs !== undefined) analyzer.advance(analyzer.lastMessageUs! + quietUs);
      const parked = ids.filter((id) => (table as unknown as { calls: Map<string, unknown> }).calls.get(id) instanceof ParkedCall).length;
      // get() brings a parked call back
      const sessionsAfter = ids.map((id) => table.get(id)!.sessions.values().map((session) => `${session.method} ${session.inDialog ? 'in-dialog' : 'initial'} ${session.finalStatus}`));
      return { ids, parked, sessionsBefore, sessionsAfter, result: analyzer.finish() };
    };
    const held = run();
    const quiet = run(33_000_000);
    expect(held.parked).toBe(0);
    expect(quiet.parked).toBe(quiet.ids.length);
    expect(quiet.ids.length).toBe(5);
    expect(quiet.result).toEqual(held.result);
    expect(held.result.calls.every((call) => call.state === 'active')).toBe(true);
    expect(held.result.findings.filter((finding) => finding.kind === 'reinvite-forbidden').length).toBeGreaterThan(0);
    // forgotten: the re-INVITEs answered 200 and ACKed; kept: the first INVITE and every 403
    expect(quiet.sessionsAfter.flat().some((session) => session.startsWith('INVITE in-dialog 200'))).toBe(false);
    expect(quiet.sessionsAfter.every((sessions) => sessions[0].startsWith('INVITE initial'))).toBe(true);
    expect(quiet.sessionsAfter.flat().filter((session) => session === 'INVITE in-dialog 403').length).toBe(held.result.findings.filter((finding) => finding.kind === 'reinvite-forbidden').length);
    expect(quiet.sessionsAfter.flat().length).toBeLessThan(quiet.sessionsBefore.reduce((sum, n) => sum + n, 0));
  });

  it('a parked call is brought back by its next message: 40 s of silence before the first BYE changes only the times', async () => {
    const payloads = await payloadsOf(REVOCATION);
    const firstBye = payloads.findIndex((payload) => Buffer.from(payload.bytes).toString('latin1').startsWith('BYE '));
    const GAP_US = 40_000_000;
    const straight = new Analyzer();
    for (const payload of payloads) straight.add(payload);
    const expected = straight.finish();
    const gapped = new Analyzer();
    for (const payload of payloads.slice(0, firstBye)) gapped.add(payload);
    const table = (gapped as unknown as { calls: CallTable }).calls;
    const ids = [...table.held()].map((call) => call.callId);
    gapped.advance(gapped.lastMessageUs! + GAP_US);
    const entries = (table as unknown as { calls: Map<string, unknown> }).calls;
    expect(ids.filter((id) => entries.get(id) instanceof ParkedCall)).toEqual(ids);
    for (const payload of payloads.slice(firstBye)) gapped.add({ ...payload, timeUs: payload.timeUs + GAP_US });
    const result = gapped.finish();
    const view = (calls: CallSummary[]) => calls.map(({ durationMs, endUs, reinviteFailureUs, ...call }) => call);
    expect(view(result.calls)).toEqual(view(expected.calls));
    // every call was up across the gap: it ends 40 s later, from the same start
    expect(result.calls.map((call) => call.durationMs! - expected.calls.find((other) => other.callId === call.callId)!.durationMs!)).toEqual(result.calls.map(() => GAP_US / 1000));
    expect(result.findings.map(({ kind, callId, packets, username }) => ({ kind, callId, packets, username }))).toEqual(
      expected.findings.map(({ kind, callId, packets, username }) => ({ kind, callId, packets, username })),
    );
  });
});
