/**
 * `reinvite-forbidden` (error): a re-INVITE or UPDATE inside a confirmed dialog (RFC 3261 §14, RFC 3311) answered
 * 403 Forbidden: the credential the call was set up with no longer passes, typically because it was revoked while
 * the call was up. One finding per refused request (counted once over all hops); evidence is the request, every 403
 * answering it, and the BYE that ended the call afterwards. The message says whether, by whom and how soon after
 * the 403 the call ended.
 */
import { formatIntervalUs } from '../../capture/time-format.js';
import type { CallRecord } from '../calls.js';
import type { Finding } from '../types.js';
import type { AnalysisBounds, Detector } from './detector.js';
import { analysisEnd, finding } from './finding.js';

export const reinviteForbiddenDetector: Detector = { onCallFinished: (call, _summary, _judgedAtUs, bounds) => detectReinviteForbidden(call, bounds) };

function detectReinviteForbidden(call: CallRecord, bounds: AnalysisBounds): Finding[] {
  const findings: Finding[] = [];
  for (const session of call.sessions.values()) {
    if (!session.inDialog || !session.confirmedDialog || session.forbiddenPackets.length === 0) continue;
    const refusedUs = session.forbiddenTimeUs!;
    const what = session.method === 'INVITE' ? 're-INVITE' : 'UPDATE';
    const sender = session.request ? ` from the ${session.request.side}` : '';
    const bye = call.bye && call.bye.timeUs >= refusedUs ? call.bye : undefined;
    const aftermath = bye
      ? `the ${bye.side} hung up (BYE) ${formatIntervalUs(bye.timeUs - refusedUs)} later`
      : `the call stayed up to the end of ${analysisEnd(bounds)}`;
    const username = session.credential?.username ?? call.owner();
    findings.push(
      finding('reinvite-forbidden', {
        callId: call.callId,
        username,
        timeUs: refusedUs,
        packets: [session.request?.packetNumber, ...session.forbiddenPackets, bye?.packetNumber],
        message: `${what} (CSeq ${session.cseqNumber})${sender}${username ? ` for user ${username}` : ''} answered 403 Forbidden; ${aftermath}`,
      }),
    );
  }
  return findings;
}
