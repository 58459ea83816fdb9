/**
 * The report's second pass over the captures: the messages of the Call-IDs chosen for full detail, with their text
 * and the analysis's retransmission flag. Only those Call-IDs' messages reach the analyzer (a byte-level Call-ID
 * read picks them), so the pass costs little more than decoding; transactions are per Call-ID, so their
 * retransmissions are judged as in the full analysis. The same pass lists the decoding problems again for the page
 * (the analysis only counts them).
 */
import { Analyzer } from '../../analysis/index.js';
import { decodeCaptures } from '../../capture/decode.js';
import type { DecodeIssue, SipPayload } from '../../capture/types.js';
import { CallDetails } from '../../report/html/call-details.js';
import { reportMessageOf } from '../../report/html/messages.js';
import { callIdOf } from './decode.js';

export interface DetailPass {
  files: string[];
  callIds: ReadonlySet<string>;
  sinceUs?: number;
  untilUs?: number;
  showSecrets: boolean;
  /** Decoding problems of the captures were counted by the analysis: list the first ones again from this pass. */
  listDecodeIssues: boolean;
}

/** Decoding problems listed in the report (all are counted in its summary). */
export const MAX_DECODE_ISSUES_LISTED = 100;

export interface GatheredDetails {
  details: CallDetails;
  decodeIssues: DecodeIssue[];
}

export async function gatherCallDetails(pass: DetailPass): Promise<GatheredDetails> {
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
  const decodeIssues: DecodeIssue[] = [];
  if (pass.callIds.size === 0 && !pass.listDecodeIssues) return { details, decodeIssues };
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
      issue(issue) {
        if (decodeIssues.length < MAX_DECODE_ISSUES_LISTED) decodeIssues.push(issue);
      },
    },
    { asOneCapture: true },
  );
  return { details, decodeIssues };
}
