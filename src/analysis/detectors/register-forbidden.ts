/**
 * `register-forbidden` (error): a REGISTER answered 403 for a user whose REGISTER had succeeded (2xx) earlier in
 * the capture: the registrar now refuses a credential it accepted, i.e. the credential was revoked (or its
 * password changed). Evidence: the refused REGISTER, the 403 and the last successful REGISTER's 2xx.
 */
import { BoundedSet, isSuccess, outcomePackets, requestIdentity, type RequestOutcome } from '../outcome.js';
import { isoMicros } from '../time.js';
import type { Finding } from '../types.js';
import type { Detector } from './detector.js';
import { finding } from './finding.js';

export class RegisterForbiddenDetector implements Detector {
  private readonly lastSuccess = new Map<string, RequestOutcome>();
  private readonly reported = new BoundedSet();

  constructor(private readonly maxUsers = 100_000) {}

  onFinalResponse(outcome: RequestOutcome): Finding | undefined {
    if (outcome.method !== 'REGISTER' || outcome.username === undefined) return undefined;
    if (isSuccess(outcome)) {
      if (this.lastSuccess.has(outcome.username) || this.lastSuccess.size < this.maxUsers) this.lastSuccess.set(outcome.username, outcome);
      return undefined;
    }
    const success = this.lastSuccess.get(outcome.username);
    if (outcome.status !== 403 || !success || !this.reported.add(requestIdentity(outcome))) return undefined;
    return finding('register-forbidden', {
      username: outcome.username,
      callId: outcome.callId,
      timeUs: outcome.timeUs,
      packets: [...outcomePackets(outcome), success.responsePacket],
      message: `REGISTER for ${outcome.username} answered 403 Forbidden after it succeeded at ${isoMicros(success.timeUs)}: credential revoked`,
    });
  }
}
