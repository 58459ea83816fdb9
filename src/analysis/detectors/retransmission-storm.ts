/**
 * `retransmission-storm` (warning): one transaction retransmitted at least STORM_THRESHOLD times (requests,
 * responses and ACKs of it together, TCP-level retransmissions excluded: capture decoding drops those).
 *
 * Threshold 7: an INVITE client transaction on UDP sends at most 6 retransmissions before Timer B fires
 * (Timer A doubles from T1 = 500 ms: 0.5, 1, 2, 4, 8, 16 s; RFC 3261 §17.1.1.2), so 7 or more for one transaction
 * means a peer retransmits past the RFC timers, several peers share one branch, or a non-INVITE request went
 * unanswered for most of Timer F (Timer E caps at T2 = 4 s: about 10 retransmissions in 32 s, §17.1.2.2) or a
 * 2xx was never ACKed (§13.3.1.4).
 */
import type { ClosedTransaction } from '../transactions.js';
import type { Finding } from '../types.js';
import type { Detector } from './detector.js';
import { finding } from './finding.js';

export const STORM_THRESHOLD = 7;

export const retransmissionStormDetector: Detector = { onTransactionClosed: detectRetransmissionStorm };

function detectRetransmissionStorm(closed: ClosedTransaction, username: () => string | undefined): Finding | undefined {
  if (closed.retransmissions < STORM_THRESHOLD) return undefined;
  const transaction = closed.record();
  const firstUs = transaction.request?.timeUs ?? transaction.responses[0]?.timeUs ?? transaction.lastTimeUs;
  const answered = transaction.final ? `, final ${transaction.final.status}` : ', no final response';
  // what was sent again: the request, a response (a 2xx resent for want of an ACK, §13.3.1.4), or the ACK
  const resent = [`request sent ${times(transaction.requestSends)}`];
  let responseRepeats = 0;
  for (const response of transaction.responses) {
    responseRepeats += response.sends - 1;
    if (response.sends > 1) resent.push(`${response.status} sent ${times(response.sends)}`);
  }
  const ackRepeats = transaction.retransmissions - (transaction.requestSends - 1) - responseRepeats;
  if (ackRepeats > 0) resent.push(`ACK repeated ${times(ackRepeats)}`);
  return finding('retransmission-storm', {
    callId: transaction.callId,
    username: username(),
    timeUs: firstUs,
    packets: [transaction.request?.packetNumber, ...transaction.responses.map((response) => response.packetNumber)],
    message: `${transaction.method} (CSeq ${transaction.cseqNumber}) retransmitted ${transaction.retransmissions} times (${resent.join(', ')}${answered})`,
  });
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}
