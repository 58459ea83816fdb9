/**
 * `auth-failure-loop` (warning): AUTH_LOOP_THRESHOLD or more challenges (401/407) for one user on one Call-ID with
 * no success in between. A working client needs one challenge per request (two with stale=true, RFC 7616 §3.3);
 * three on the same Call-ID without a 2xx means it keeps retrying credentials that do not work. Counted once per
 * request over all hops; reported once per run of failures (a success starts a new run).
 */
import { BoundedSet, isChallenge, isSuccess, outcomeIdentity, type RequestOutcome } from '../outcome.js';
import type { Finding } from '../types.js';
import type { Detector } from './detector.js';
import { finding } from './finding.js';

export const AUTH_LOOP_THRESHOLD = 3;

interface Run {
  challenges: number;
  packets: number[];
  reported: boolean;
}

export class AuthFailureLoopDetector implements Detector {
  private readonly runs = new Map<string, Run>();
  private readonly seen = new BoundedSet();

  constructor(private readonly maxRuns = 100_000) {}

  onFinalResponse(outcome: RequestOutcome): Finding | undefined {
    if (outcome.username === undefined) return undefined;
    if (isSuccess(outcome)) {
      // the key is made only when there is a run it could end (a success of every call would otherwise make one)
      if (this.runs.size > 0) this.runs.delete(runKey(outcome.username, outcome.callId));
      return undefined;
    }
    if (!isChallenge(outcome) || !this.seen.add(outcomeIdentity(outcome))) return undefined;
    const key = runKey(outcome.username, outcome.callId);
    let run = this.runs.get(key);
    if (!run) {
      if (this.runs.size >= this.maxRuns) return undefined;
      run = { challenges: 0, packets: [], reported: false };
      this.runs.set(key, run);
    }
    run.challenges++;
    if (run.packets.length < 20) run.packets.push(outcome.responsePacket);
    if (run.challenges < AUTH_LOOP_THRESHOLD || run.reported) return undefined;
    run.reported = true;
    return finding('auth-failure-loop', {
      username: outcome.username,
      callId: outcome.callId,
      timeUs: outcome.timeUs,
      packets: run.packets,
      message: `${run.challenges} challenges (401/407) for ${outcome.username} on one Call-ID without a success (${outcome.method})`,
    });
  }
}

/** A run's key: username and Call-ID. */
function runKey(username: string, callId: string): string {
  return `${username} ${callId}`;
}
