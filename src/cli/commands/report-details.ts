/**
 * The report's second pass over the captures: the messages of the Call-IDs chosen for full detail, with their text
 * and the analysis's retransmission flag. Only those Call-IDs' messages reach the analyzer (a byte-level Call-ID
 * read picks them), so the pass costs little more than decoding; transactions are per Call-ID, so their
 * retransmissions are judged as in the full analysis.
 */
import { Analyzer } from '../../analysis/index.js';
import { decodeCaptures } from '../../capture/decode.js';
import type { SipPayload } from '../../capture/types.js';
import { CallDetails } from '../../report/html/call-details.js';
import { reportMessageOf } from '../../report/html/messages.js';
import { callIdOf } from './decode.js';

export interface DetailPass {
  files: string[];
  callIds: ReadonlySet<string>;
  sinceUs?: number;
  untilUs?: number;
  showSecrets: boolean;
}

export async function gatherCallDetails(pass: DetailPass): Promise<CallDetails> {
  const details = new CallDetails(pass.callIds);
  let current: SipPayload | undefined;
  const analyzer = new Analyzer({
    sinceUs: pass.sinceUs,
    untilUs: pass.untilUs,
    // called synchronously from add(), so `current` is the payload of this message
    observer(message, retransmission) {
      if (current) details.add(message.fields.callId, reportMessageOf(message, retransmission, current, pass.showSecrets));
    },
  });
  if (pass.callIds.size === 0) return details;
  await decodeCaptures(
    pass.files,
    {
      payload(payload) {
        const callId = callIdOf(payload.bytes);
        if (callId === null || !pass.callIds.has(callId)) return;
        current = payload;
        analyzer.add(payload);
        current = undefined;
      },
    },
    { asOneCapture: true },
  );
  return details;
}
