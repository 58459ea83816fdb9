/**
 * Calls that are up now, per credential, from a live stream of SIP messages: what the drain step of a credential
 * rotation waits on. A call (dialog, RFC 3261 §12) belongs to the credential its INVITE or re-INVITE was
 * authorized with (Authorization / Proxy-Authorization username, §22); it is up from the 2xx to its INVITE
 * (§13.2.2.4) until a BYE (§15) or, before that 2xx, a final failure or CANCEL (§9). Ended calls are dropped at once;
 * at most `limit` calls are tracked, the oldest dropped first, so a hostile stream cannot grow memory without bound.
 */
import { cseqOf, getHeader, type SipMessage } from '../sip/index.js';
import { credentialOf } from './credentials.js';

interface TrackedCall {
  /** Digest username of the last authorized INVITE of the call. */
  username?: string;
  established: boolean;
}

export const DEFAULT_ACTIVE_CALL_LIMIT = 200_000;

export class ActiveCallTracker {
  private readonly calls = new Map<string, TrackedCall>();
  private seen = 0;

  constructor(private readonly limit = DEFAULT_ACTIVE_CALL_LIMIT) {}

  /** SIP messages fed so far. */
  get messages(): number {
    return this.seen;
  }

  add(message: SipMessage): void {
    this.seen++;
    const callId = getHeader(message, 'call-id');
    const cseq = cseqOf(message);
    if (callId === undefined || cseq === undefined) return;
    if (message.kind === 'request') {
      if (message.method === 'INVITE') {
        const call = this.calls.get(callId) ?? this.track(callId);
        const credential = credentialOf(message);
        if (credential) call.username = credential.username;
      } else if (message.method === 'BYE') {
        this.calls.delete(callId);
      }
      return;
    }
    if (cseq.method !== 'INVITE') return;
    const call = this.calls.get(callId);
    if (!call) return;
    if (message.status >= 200 && message.status < 300) call.established = true;
    // a failed initial INVITE (or one CANCELled: 487) ends the attempt; a failed re-INVITE leaves the call up (§14.1)
    else if (message.status >= 300 && !call.established) this.calls.delete(callId);
  }

  /** Calls up now whose credential's username is `username`. */
  activeCalls(username: string): number {
    let count = 0;
    for (const call of this.calls.values()) if (call.established && call.username === username) count++;
    return count;
  }

  private track(callId: string): TrackedCall {
    if (this.calls.size >= this.limit) {
      const oldest = this.calls.keys().next().value;
      if (oldest !== undefined) this.calls.delete(oldest);
    }
    const call: TrackedCall = { established: false };
    this.calls.set(callId, call);
    return call;
  }
}
