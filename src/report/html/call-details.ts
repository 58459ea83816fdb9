/** The messages of the Call-IDs chosen for full detail, gathered while a capture is read (bounded per call). */
import type { CallDetail, ReportMessage } from './model.js';

/** Messages kept per Call-ID (as `sipscope flow`); a REGISTER Call-ID refreshed for days has many more. */
export const MAX_DETAIL_MESSAGES = 5000;

export class CallDetails {
  private readonly byCallId = new Map<string, CallDetail>();

  constructor(private readonly wanted: ReadonlySet<string>, private readonly maxMessages = MAX_DETAIL_MESSAGES) {}

  /** Whether messages of this Call-ID are kept. */
  wants(callId: string): boolean {
    return this.wanted.has(callId);
  }

  add(callId: string, message: ReportMessage): void {
    if (!this.wanted.has(callId)) return;
    let detail = this.byCallId.get(callId);
    if (!detail) this.byCallId.set(callId, (detail = { callId, messages: [], omitted: 0 }));
    if (detail.messages.length >= this.maxMessages) detail.omitted++;
    else detail.messages.push(message);
  }

  all(): ReadonlyMap<string, CallDetail> {
    return this.byCallId;
  }
}
