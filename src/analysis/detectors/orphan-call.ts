/**
 * `orphan-call` (info): a call answered (2xx) but never ended (no BYE, no dialog-ending re-INVITE failure) before
 * the capture stopped, or the --until window. Often harmless (the capture was cut), but with a revocation it is a
 * call still riding on the old credential. A call seen from its middle (its INVITE before the capture or --since)
 * has no answer to show: its first message seen is the evidence.
 */
import { formatIntervalUs } from '../../capture/time-format.js';
import type { CallRecord } from '../calls.js';
import type { CallSummary, Finding } from '../types.js';
import type { AnalysisBounds, Detector } from './detector.js';
import { analysisEnd, analysisStart, finding } from './finding.js';

export const orphanCallDetector: Detector = { onCallFinished: detectOrphanCall };

function detectOrphanCall(call: CallRecord, summary: CallSummary, endUs: number, bounds: AnalysisBounds): Finding[] {
  if (summary.state !== 'active') return [];
  const answered = call.sessions.values().find((session) => !session.inDialog && session.successPacket !== undefined);
  const answerUs = call.answerUs ?? call.startUs;
  return [
    finding('orphan-call', {
      callId: call.callId,
      username: call.owner(),
      timeUs: answerUs,
      packets: answered ? [answered.request?.packetNumber, answered.successPacket] : [call.packets[0]],
      message: `call answered${call.startedBeforeCapture ? ` before ${analysisStart(bounds)} began` : ''} and still up when ${analysisEnd(bounds)} ended, ${formatIntervalUs(endUs - answerUs)} later`,
    }),
  ];
}
