/**
 * Calls that are up now, per credential, from a live stream of SIP messages: what the drain step of a credential
 * rotation waits on. A call (dialog, RFC 3261 §12) belongs to the credential its INVITE or re-INVITE was
 * authorized with (Authorization / Proxy-Authorization username, §22); it is up from the 2xx to its INVITE
 * (§13.2.2.4) until a BYE (§15) or, before that 2xx, a final failure or CANCEL (§9). Ended calls are dropped at once;
 * at most `limit` calls are tracked, the oldest dropped first, so a hostile stream cannot grow memory without bound.
 * A HEP mirror copy of a message already seen (Kamailio's siptrace sends the ACK twice; two agents mirror the same
 * traffic; a pcap taken on an SBC holds the wire message and its HEP copy) is set aside by the rule the analysis
 * uses (mirror-copies.ts), so `messages` counts what `analyze` counts as sipMessages.
 */
import type { SipPayload } from '../capture/types.js';
import { cseqOf, getHeader, parseMessage, type SipMessage } from '../sip/index.js';
import { credentialOf } from './credentials.js';
import { MirrorCopies } from './mirror-copies.js';

interface TrackedCall {
  /** Digest username of the last authorized INVITE of the call. */
  username?: string;
  established: boolean;
}

export const DEFAULT_ACTIVE_CALL_LIMIT = 200_000;

export class ActiveCallTracker {
  private readonly calls = new Map<string, TrackedCall>();
  private readonly mirrors = new MirrorCopies();
  private seen = 0;
  private copies = 0;

  constructor(private readonly limit = DEFAULT_ACTIVE_CALL_LIMIT) {}

  /** SIP messages fed so far, mirror copies not included. */
  get messages(): number {
    return this.seen;
  }

  /** HEP mirror copies set aside. */
  get mirrorCopies(): number {
    return this.copies;
  }

  /**
   * One sighting of a message from a live source (a HEP datagram's, a pcap frame's): a mirror copy is set aside, as
   * Analyzer.add does; anything else is parsed and added. A message that does not parse cannot name its call: the
   * decoder reported what it could.
   */
  addSighting(payload: SipPayload): void {
    if (this.mirrors.isCopy(payload)) {
      this.copies++;
      return;
    }
    let message: SipMessage;
    try {
      message = parseMessage(payload.bytes);
    } catch {
      return;
    }
    this.add(message);
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
