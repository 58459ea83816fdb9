/**
 * `auth-rejected` (warning): wrong credentials. A request that carried credentials (it answered a challenge) was
 * answered with a new challenge (401/407 without stale=true, RFC 3261 §22.2, RFC 7616 §3.3) or 403, for a user
 * that had not succeeded before. Reported once per user until the user succeeds. A user refused after succeeding
 * is a revocation instead (register-forbidden, reinvite-forbidden and the revocation timeline).
 */
import { isChallenge, isSuccess, outcomePackets, type RequestOutcome } from '../outcome.js';
import type { Finding } from '../types.js';
import type { Detector } from './detector.js';
import { finding } from './finding.js';

export class AuthRejectedDetector implements Detector {
  private readonly succeeded = new Set<string>();
  private readonly reported = new Set<string>();

  constructor(private readonly maxUsers = 100_000) {}

  onFinalResponse(outcome: RequestOutcome): Finding | undefined {
    const username = outcome.username;
    if (username === undefined) return undefined;
    if (isSuccess(outcome) && outcome.credentialSent) {
      if (this.succeeded.size < this.maxUsers) this.succeeded.add(username);
      this.reported.delete(username);
      return undefined;
    }
    const rejected = outcome.credentialSent && ((isChallenge(outcome) && !outcome.stale) || outcome.status === 403);
    if (!rejected || this.succeeded.has(username) || this.reported.has(username)) return undefined;
    if (this.reported.size < this.maxUsers) this.reported.add(username);
    return finding('auth-rejected', {
      username,
      callId: outcome.callId,
      timeUs: outcome.timeUs,
      packets: outcomePackets(outcome),
      message: `${outcome.method} (CSeq ${outcome.cseqNumber}) with credentials of ${username} answered ${outcome.status}: wrong credentials`,
    });
  }
}
