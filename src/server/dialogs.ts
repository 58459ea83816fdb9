/**
 * Calls `sipscope serve` has answered (its UAS dialogs, RFC 3261 §12.1.1), keyed by Call-ID and our To tag, with
 * the credential that set each up (listed per credential by the control API). Bounded: new calls beyond
 * MAX_DIALOGS get 503; calls idle for longer than IDLE_LIMIT_MS are dropped by sweep().
 */
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
  /** The CSeq of the INVITE or re-INVITE whose 2xx is resent until its ACK (§13.3.1.4), while it is. */
  unacknowledgedCSeq?: number;
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
