/**
 * Calls `sipscope serve` has answered (its UAS dialogs, RFC 3261 §12.1.1), keyed by Call-ID and our To tag, with
 * the credential that set each up (listed per credential by the control API). Bounded: new calls beyond
 * MAX_DIALOGS get 503; calls idle for longer than IDLE_LIMIT_MS are dropped by sweep().
 */
import { getHeader, getHeaders, parseNameAddr, type SipRequest } from '../sip/index.js';

export interface ServerDialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** §12.2.2: the highest CSeq number of the caller's requests in this dialog; a lower one is out of order. */
  remoteCSeq: number;
  /** Authenticated user that placed the call. */
  user: string;
  state: 'early' | 'confirmed';
  createdAt: number;
  lastActivity: number;
  refreshes: number;
  /**
   * What a request of ours in this dialog needs (RFC 3261 §12.1.1): our URI with our tag (the INVITE's To, tagged),
   * the caller's with its tag (the INVITE's From), the remote target (the caller's Contact, updated by its target
   * refreshes, §12.2.2) and the route set (the INVITE's Record-Route, in order). serve's one such request is the
   * BYE that ends a session whose refreshes stopped (RFC 4028 §10, session-timer.ts).
   */
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  /** The CSeq of the INVITE or re-INVITE whose 2xx is resent until its ACK (§13.3.1.4), while it is. */
  unacknowledgedCSeq?: number;
}

/** §12.1.1: the UAS's view of the dialog an INVITE sets up with our tag `localTag` (what a request of ours needs). */
export function dialogPeerOf(invite: SipRequest, localTag: string): Pick<ServerDialog, 'localUri' | 'remoteUri' | 'remoteTarget' | 'routeSet'> {
  const from = getHeader(invite, 'from') ?? '';
  return {
    localUri: `${getHeader(invite, 'to') ?? ''};tag=${localTag}`,
    remoteUri: from,
    remoteTarget: contactUriOf(invite) ?? uriOf(from) ?? invite.uri,
    routeSet: getHeaders(invite, 'record-route'),
  };
}

/** The URI of a request's Contact (§20.10), the remote target it sets (§12.1.1, §12.2.2); undefined when none parses. */
export function contactUriOf(request: SipRequest): string | undefined {
  return uriOf(getHeader(request, 'contact'));
}

function uriOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseNameAddr(value).uri;
  } catch {
    return undefined;
  }
}

export const MAX_DIALOGS = 20_000;
const IDLE_LIMIT_MS = 3_600_000;

export class DialogStore {
  private readonly dialogs = new Map<string, ServerDialog>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.dialogs.size;
  }

  get full(): boolean {
    return this.dialogs.size >= MAX_DIALOGS;
  }

  add(dialog: ServerDialog): void {
    this.dialogs.set(`${dialog.callId} ${dialog.localTag}`, dialog);
  }

  find(callId: string, localTag: string | undefined): ServerDialog | undefined {
    if (localTag === undefined) return undefined;
    const dialog = this.dialogs.get(`${callId} ${localTag}`);
    if (dialog) dialog.lastActivity = this.now();
    return dialog;
  }

  remove(dialog: ServerDialog): void {
    this.dialogs.delete(`${dialog.callId} ${dialog.localTag}`);
  }

  sweep(): void {
    const limit = this.now() - IDLE_LIMIT_MS;
    for (const [key, dialog] of this.dialogs) if (dialog.lastActivity < limit) this.dialogs.delete(key);
  }

  list(): ServerDialog[] {
    return [...this.dialogs.values()];
  }
}
