/**
 * `orphan-call` (info): a call answered (2xx) but never ended (no BYE, no dialog-ending re-INVITE failure) before
 * the capture stopped. Often harmless (the capture was cut), but with a revocation it is a call still riding on the
 * old credential.
 */
import { formatIntervalUs } from '../../capture/time-format.js';
import type { CallRecord } from '../calls.js';
import type { CallSummary, Finding } from '../types.js';
import type { Detector } from './detector.js';
import { finding } from './finding.js';

export const orphanCallDetector: Detector = { onCallFinished: detectOrphanCall };

function detectOrphanCall(call: CallRecord, summary: CallSummary, captureEndUs: number): Finding[] {
  if (summary.state !== 'active') return [];
  const answered = call.sessionList().find((session) => !session.inDialog && session.successPacket !== undefined);
  const answerUs = call.answerUs ?? call.startUs;
  return [
    finding('orphan-call', {
      callId: call.callId,
      username: call.owner(),
      timeUs: answerUs,
      packets: [answered?.request?.packetNumber, answered?.successPacket],
      message: `call answered${call.startedBeforeCapture ? ' before the capture began' : ''} and still up when the capture ended, ${formatIntervalUs(captureEndUs - answerUs)} later`,
    }),
  ];
}
