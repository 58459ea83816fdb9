/**
 * `server-error` (error): a request answered with a 5xx final response (RFC 3261 §21.5). One finding per request,
 * counted once over all hops: a proxy relaying the failure upstream is the same failure, even when it changes the
 * code (a proxy turns a 503 into 500, RFC 3261 §16.7 step 6). The first 5xx seen is reported.
 */
import { BoundedSet, outcomePackets, requestIdentity, type RequestOutcome } from '../outcome.js';
import type { Finding } from '../types.js';
import type { ObservedResponse } from '../observed.js';
import type { Detector } from './detector.js';
import { finding } from './finding.js';

export class ServerErrorDetector implements Detector {
  private readonly reported = new BoundedSet();

  onFinalResponse(outcome: RequestOutcome, response: ObservedResponse): Finding | undefined {
    if (outcome.status < 500 || outcome.status > 599) return undefined;
    if (!this.reported.add(requestIdentity(outcome))) return undefined;
    return finding('server-error', {
      callId: outcome.callId,
      username: outcome.username,
      timeUs: outcome.timeUs,
      packets: outcomePackets(outcome),
      message: `${outcome.method} (CSeq ${outcome.cseqNumber}) answered ${outcome.status} ${response.reason}`.trimEnd(),
    });
  }
}
