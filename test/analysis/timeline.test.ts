/**
 * The revocation timeline keeps only the finished calls that can still be in an entry (src/analysis/timeline.ts,
 * canMatter): the same entries come out, and a credential that keeps registering while its calls come and go
 * holds its recent calls, not all of them.
 */
import { describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../../src/analysis/outcome.js';
import { RevocationTimeline, type TimelineCall } from '../../src/analysis/timeline.js';
import { TRANSACTION_LIFETIME_US } from '../../src/analysis/timers.js';

const S = 1_000_000;
let sequence = 0;

function outcome(status: number, timeUs: number, method = 'REGISTER', inDialog = false): RequestOutcome {
  return { username: 'alice', credentialSent: true, method, callId: `o${timeUs}`, cseqNumber: 1, status, stale: false, timeUs, responsePacket: 1, inDialog };
}

function call(callId: string, answerUs: number | undefined, endUs: number | undefined, firstForbiddenModificationUs?: number): TimelineCall {
  return { callId, sequence: sequence++, owner: 'alice', startUs: (answerUs ?? endUs ?? 0) - S, answerUs, endUs, firstForbiddenModificationUs };
}

const kept = (timeline: RevocationTimeline) => (timeline as unknown as { calls: Map<string, { list: TimelineCall[] }> }).calls.get('alice')?.list.map((one) => one.callId) ?? [];

describe('revocation timeline', () => {
  it('lists the calls up at the first refusal and those damaged after it, having dropped the ones that ended long before', () => {
    const timeline = new RevocationTimeline();
    timeline.observe(outcome(200, 1000 * S));
    timeline.keep(call('ended-long-before', 900 * S, 950 * S));
    timeline.keep(call('never-answered', undefined, 990 * S));
    timeline.keep(call('ended-just-before', 990 * S, 1000 * S - TRANSACTION_LIFETIME_US + S));
    timeline.observe(outcome(200, 1100 * S));
    timeline.keep(call('up-at-refusal', 1150 * S, undefined));
    timeline.keep(call('ended-before-refusal', 1150 * S, 1190 * S));
    timeline.observe(outcome(403, 1200 * S));
    timeline.keep(call('damaged', 1190 * S, 1300 * S, 1210 * S));
    timeline.keep(call('answered-long-after', 1300 * S, 1400 * S));
    expect(kept(timeline)).toEqual(['ended-just-before', 'up-at-refusal', 'ended-before-refusal', 'damaged']);
    expect(timeline.revocations()).toEqual([
      {
        username: 'alice',
        lastSuccessUs: 1100 * S,
        firstForbiddenUs: 1200 * S,
        // 'damaged' was answered before the refusal and ended after it: up then too
        activeCalls: ['up-at-refusal', 'damaged'],
        damagedCalls: ['damaged'],
        damagedWindowMs: 21_000,
      },
    ]);
  });

  it('holds the recent calls of a credential that keeps succeeding, not every call: pruned as its list doubles', () => {
    const timeline = new RevocationTimeline();
    for (let second = 0; second < 10_000; second++) {
      const nowUs = second * S;
      timeline.observe(outcome(200, nowUs));
      timeline.keep(call(`c${second}`, nowUs - 5 * S, nowUs - S));
    }
    // what can still matter: calls that ended within 64*T1 of the last success (32 s), a few dozen at most
    expect(kept(timeline).length).toBeLessThan(200);
    expect(kept(timeline)).toContain('c9999');
    timeline.observe(outcome(403, 10_000 * S, 'INVITE', true));
    expect(timeline.revocations()[0].activeCalls).toEqual([]);
  });
});
