/**
 * `no-ack` (warning): a 2xx to an INVITE that no ACK followed (RFC 3261 §13.2.2.4, §13.3.1.4: the UAS retransmits
 * the 2xx until 64*T1 and then ends the dialog). Only reported when the capture goes on for 64*T1 after the 2xx,
 * so a capture that simply stopped is not blamed.
 */
import { formatIntervalUs } from '../../capture/time-format.js';
import type { CallRecord } from '../calls.js';
import { TRANSACTION_LIFETIME_US } from '../transactions.js';
import type { Finding } from '../types.js';
import type { AnalysisBounds, Detector } from './detector.js';
import { analysisEnd, finding } from './finding.js';

export const noAckDetector: Detector = { onCallFinished: (call, _summary, judgedAtUs, bounds) => detectNoAck(call, judgedAtUs, bounds) };

function detectNoAck(call: CallRecord, captureEndUs: number, bounds: AnalysisBounds): Finding[] {
  const findings: Finding[] = [];
  for (const session of call.sessions.values()) {
    if (session.method !== 'INVITE' || session.successTimeUs === undefined || session.acked) continue;
    if (captureEndUs - session.successTimeUs < TRANSACTION_LIFETIME_US) continue;
    findings.push(
      finding('no-ack', {
        callId: call.callId,
        username: session.credential?.username ?? call.owner(),
        timeUs: session.successTimeUs,
        packets: [session.request?.packetNumber, session.successPacket],
        message: `2xx to ${session.inDialog ? 're-INVITE' : 'INVITE'} (CSeq ${session.cseqNumber}) never ACKed in the ${formatIntervalUs(captureEndUs - session.successTimeUs)} ${analysisEnd(bounds)} went on`,
      }),
    );
  }
  return findings;
}
