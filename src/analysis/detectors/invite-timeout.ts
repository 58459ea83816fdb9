/**
 * `invite-timeout` (warning): an INVITE that got no final response within 64*T1 (Timer B, RFC 3261 §17.1.1.2)
 * while the capture went on, or that was answered 408 Request Timeout (a proxy's Timer C or B fired, §16.7,
 * §16.8). One finding per INVITE, counted once over all hops.
 */
import { formatIntervalUs } from '../../capture/time-format.js';
import type { CallRecord } from '../calls.js';
import type { SessionRequest } from '../dialogs.js';
import { TRANSACTION_LIFETIME_US } from '../transactions.js';
import type { Finding } from '../types.js';
import type { AnalysisBounds, Detector } from './detector.js';
import { analysisEnd, finding } from './finding.js';

export const inviteTimeoutDetector: Detector = { onCallFinished: (call, _summary, judgedAtUs, bounds) => detectInviteTimeout(call, judgedAtUs, bounds) };

/** The call and username a finding names: made only for a finding (most INVITEs have none). */
function whose(call: CallRecord, session: SessionRequest): { callId: string; username?: string } {
  return { callId: call.callId, username: session.credential?.username ?? call.owner() };
}

function detectInviteTimeout(call: CallRecord, captureEndUs: number, bounds: AnalysisBounds): Finding[] {
  const findings: Finding[] = [];
  for (const session of call.sessions.values()) {
    if (session.method !== 'INVITE' || !session.request) continue;
    const what = session.inDialog ? 're-INVITE' : 'INVITE';
    if (session.finalStatus === 408 && session.finalTimeUs !== undefined) {
      findings.push(
        finding('invite-timeout', {
          ...whose(call, session),
          timeUs: session.finalTimeUs,
          packets: [session.request.packetNumber, session.finalPacket],
          message: `${what} (CSeq ${session.cseqNumber}) answered 408 Request Timeout after ${formatIntervalUs(session.finalTimeUs - session.request.timeUs)}`,
        }),
      );
    } else if (session.finalStatus === undefined && captureEndUs - session.request.timeUs >= TRANSACTION_LIFETIME_US) {
      findings.push(
        finding('invite-timeout', {
          ...whose(call, session),
          timeUs: session.request.timeUs + TRANSACTION_LIFETIME_US,
          packets: [session.request.packetNumber],
          message: `${what} (CSeq ${session.cseqNumber}) got no final response in the ${formatIntervalUs(captureEndUs - session.request.timeUs)} ${analysisEnd(bounds)} went on (Timer B is 32 s)`,
        }),
      );
    }
  }
  return findings;
}
