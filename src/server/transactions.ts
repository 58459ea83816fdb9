/**
 * The server-transaction memory of `sipscope serve` (RFC 3261 §17.2): the last response sent for each request,
 * by top-Via branch and method, so that a retransmitted request gets the same answer again instead of being
 * processed twice; and the retransmission of a 2xx to INVITE over UDP until its ACK arrives (§13.3.1.4: T1,
 * doubling up to T2, given up after 64*T1). Entries live 64*T1 (Timer J / H scale); the table is bounded.
 */
export const T1_MS = 500;
export const T2_MS = 4000;
const ENTRY_LIFETIME_MS = 64 * T1_MS;
const MAX_ENTRIES = 50_000;

interface Remembered {
  response: Buffer;
  send: (bytes: Buffer) => void;
  at: number;
}

interface Retransmitting {
  timer: ReturnType<typeof setTimeout>;
  interval: number;
  startedAt: number;
}

export class ServerTransactions {
  private readonly remembered = new Map<string, Remembered>();
  private readonly unacknowledged = new Map<string, Retransmitting>();

  /** Answers a retransmitted request from memory; true when it was one. */
  replay(key: string): boolean {
    const entry = this.remembered.get(key);
    if (!entry) return false;
    entry.send(entry.response);
    return true;
  }

  remember(key: string, response: Buffer, send: (bytes: Buffer) => void): void {
    if (this.remembered.size >= MAX_ENTRIES) this.remembered.delete(this.remembered.keys().next().value!);
    this.remembered.delete(key);
    this.remembered.set(key, { response, send, at: Date.now() });
  }

  /**
   * §13.3.1.4 (a 2xx), §17.2.1 Timer G (the 487 after CANCEL): resend a final answer to INVITE until the ACK for
   * `dialogKey` (Call-ID + CSeq) arrives.
   */
  retransmitUntilAck(dialogKey: string, response: Buffer, send: (bytes: Buffer) => void): void {
    this.acknowledged(dialogKey);
    const state: Retransmitting = { interval: T1_MS, startedAt: Date.now(), timer: undefined as unknown as ReturnType<typeof setTimeout> };
    const fire = () => {
      if (Date.now() - state.startedAt >= ENTRY_LIFETIME_MS) {
        this.unacknowledged.delete(dialogKey);
        return;
      }
      send(response);
      state.interval = Math.min(2 * state.interval, T2_MS);
      state.timer = setTimeout(fire, state.interval);
      state.timer.unref();
    };
    state.timer = setTimeout(fire, state.interval);
    state.timer.unref();
    this.unacknowledged.set(dialogKey, state);
  }

  acknowledged(dialogKey: string): void {
    const state = this.unacknowledged.get(dialogKey);
    if (!state) return;
    clearTimeout(state.timer);
    this.unacknowledged.delete(dialogKey);
  }

  sweep(): void {
    const limit = Date.now() - ENTRY_LIFETIME_MS;
    for (const [key, entry] of this.remembered) {
      if (entry.at >= limit) break; // insertion order is time order
      this.remembered.delete(key);
    }
  }

  close(): void {
    for (const state of this.unacknowledged.values()) clearTimeout(state.timer);
    this.unacknowledged.clear();
    this.remembered.clear();
  }
}
