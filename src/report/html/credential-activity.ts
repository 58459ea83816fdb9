/**
 * Registrations and 403s per credential, for the report's timeline: which username registered when, and when it was
 * refused. Fed every message the analysis reads (its observer), in capture order.
 *
 * A response names no credential itself: the credential is the one of the request it answers (same Call-ID, CSeq
 * number and method, RFC 3261 §8.1.1.5, §17.1.3), else, as the analysis attributes outcomes, the To user of a
 * REGISTER (the address-of-record, RFC 3261 §10.2) or the From user of another request. A response relayed over
 * several hops counts once.
 */
import type { ObservedMessage } from '../../analysis/observed.js';
import { parseUri, unescapeUri } from '../../sip/index.js';
import type { CredentialEvents } from './model.js';

/** Pending requests remembered (oldest forgotten first) and responses already counted: bounded memory. */
const MAX_REMEMBERED = 100_000;
/** Events kept in all; a capture with more keeps the first ones (the timeline says it is cut). */
export const MAX_CREDENTIAL_EVENTS = 1_000_000;

export class CredentialActivity {
  private readonly credentialOfRequest = new Map<string, string>();
  private readonly counted = new Set<string>();
  private readonly byUser = new Map<string, CredentialEvents>();
  private events = 0;
  /** Events not kept beyond MAX_CREDENTIAL_EVENTS. */
  dropped = 0;

  observe(message: ObservedMessage, retransmission: boolean): void {
    if (retransmission) return;
    const { callId, cseqNumber, cseqMethod } = message.fields;
    const key = `${callId}\n${cseqNumber}\n${cseqMethod}`;
    if (message.kind === 'request') {
      const username = message.fields.credential?.username;
      if (username !== undefined) remember(this.credentialOfRequest, key, username);
      return;
    }
    const status = message.status ?? 0;
    const registered = status >= 200 && status < 300 && cseqMethod === 'REGISTER';
    if (!registered && status !== 403) return;
    if (this.counted.has(`${key}\n${status}`)) return;
    remember(this.counted, `${key}\n${status}`);
    const username = this.credentialOfRequest.get(key) ?? uriUser(cseqMethod === 'REGISTER' ? message.fields.toUri : message.fields.fromUri);
    if (username === undefined) return;
    if (this.events >= MAX_CREDENTIAL_EVENTS) {
      this.dropped++;
      return;
    }
    this.events++;
    let events = this.byUser.get(username);
    if (!events) this.byUser.set(username, (events = { username, registrations: [], forbidden: [] }));
    (registered ? events.registrations : events.forbidden).push(message.timeUs);
  }

  credentials(): CredentialEvents[] {
    return [...this.byUser.values()];
  }
}

function remember(store: Map<string, string> | Set<string>, key: string, value?: string): void {
  if (store.size >= MAX_REMEMBERED) {
    const oldest = store.keys().next().value;
    if (oldest !== undefined) store.delete(oldest);
  }
  if (store instanceof Map) store.set(key, value!);
  else store.add(key);
}

function uriUser(uri: string): string | undefined {
  try {
    const user = parseUri(uri).user;
    return user === undefined ? undefined : unescapeUri(user);
  } catch {
    return undefined;
  }
}
