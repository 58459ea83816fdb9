/**
 * Revocation timeline per credential (username): the last success before the credential was first refused with
 * 403, the calls of that credential up at that moment, and the calls it damaged (a re-INVITE or UPDATE answered
 * 403 at or after that moment).
 *
 * Outcomes (one per request and status over all hops, at its first frame) are taken in capture order. A success
 * is a 2xx to a request that carried the credential (Authorization / Proxy-Authorization, on any hop). A refusal is
 * a 403 to a request attributed to the username (its credential, else the call's owner, else a REGISTER's To
 * user). A username gets a history at its first success. `firstForbidden` is the first refusal at or after a
 * success and `lastSuccess` the latest success before it.
 *
 * A refusal only makes a revocation when it is confirmed by a refused REGISTER or a refused request inside a
 * dialog (re-INVITE, UPDATE, BYE ...): a 403 to a new INVITE alone can be call-routing policy (sngrep's aaa.pcap:
 * a registered user refused an international number), not a dead credential. Until confirmed, a later success
 * clears it.
 */
import { isSuccess, type RequestOutcome } from './outcome.js';
import { elapsedMs } from './time.js';
import { TRANSACTION_LIFETIME_US } from './timers.js';
import type { Revocation } from './types.js';

interface CredentialHistory {
  lastSuccessUs: number;
  /** First refusal since the last success (unconfirmed while `confirmed` is false). */
  firstRefusalUs?: number;
  confirmed: boolean;
}

/** What the timeline keeps of a finished call of a credential it follows (a few numbers, not the call). */
export interface TimelineCall {
  callId: string;
  /** Order in which the calls began: entries are listed in it. */
  sequence: number;
  /** Username the call is attributed to (its credential, else the caller's URI user). */
  owner?: string;
  startUs: number;
  endUs?: number;
  answerUs?: number;
  /** Its INVITE was not seen (it began before the capture, or before --since): `startUs` is later than its start. */
  startedBeforeCapture?: boolean;
  /** First 403 to a re-INVITE/UPDATE of the confirmed dialog. */
  firstForbiddenModificationUs?: number;
}

/**
 * How far capture time may run backwards between outcomes (captures merged from several interfaces, a clock
 * stepped): the bound below which a call is judged over uses this much margin.
 */
const REORDER_MARGIN_US = TRANSACTION_LIFETIME_US;

/** A credential's kept calls, and the length at which they are next pruned. */
interface KeptCalls {
  list: TimelineCall[];
  pruneAt: number;
}

export class RevocationTimeline {
  private readonly histories = new Map<string, CredentialHistory>();

  /** Finished calls of the credentials followed, per username (see keep). */
  private readonly calls = new Map<string, KeptCalls>();

  constructor(private readonly maxUsers = 100_000) {}

  /** Whether a finished call of this owner may be kept (keep): the owner has a history. */
  follows(owner: string | undefined): boolean {
    return owner !== undefined && this.histories.has(owner);
  }

  /**
   * Keeps a finished call for the revocation entries, when its owner has a history and the call can still be in
   * one (see canMatter). A call that finished before its owner's first success needs no entry: it ended before any
   * later refusal (it cannot have been up then) and its own 403s came before the history began (it cannot have
   * been damaged by a refusal after a success). A credential's list is pruned by the same rule when it has doubled,
   * so a busy credential that keeps registering holds only its recent calls, not every call of the capture.
   */
  keep(call: TimelineCall): void {
    const history = call.owner === undefined ? undefined : this.histories.get(call.owner);
    if (history === undefined || !canMatter(call, history)) return;
    const kept = this.calls.get(call.owner!);
    if (!kept) {
      this.calls.set(call.owner!, { list: [call], pruneAt: 64 });
      return;
    }
    kept.list.push(call);
    if (kept.list.length >= kept.pruneAt) {
      kept.list = kept.list.filter((one) => canMatter(one, history));
      kept.pruneAt = Math.max(64, kept.list.length * 2);
    }
  }

  observe(outcome: RequestOutcome): void {
    const username = outcome.username;
    if (username === undefined) return;
    const success = isSuccess(outcome) && outcome.credentialSent;
    const history = this.histories.get(username);
    if (success) {
      if (!history) {
        if (this.histories.size < this.maxUsers) this.histories.set(username, { lastSuccessUs: outcome.timeUs, confirmed: false });
      } else if (!history.confirmed) {
        history.lastSuccessUs = outcome.timeUs;
        history.firstRefusalUs = undefined;
      }
      return;
    }
    if (outcome.status !== 403 || !history || history.confirmed) return;
    history.firstRefusalUs ??= outcome.timeUs;
    if (outcome.method === 'REGISTER' || outcome.inDialog) history.confirmed = true;
  }

  /**
   * Timeline entries for the confirmed revocations, sorted by the time of the first refusal. `cutSinceUs`: the
   * --since time when it left messages out (AnalysisBounds), named by an entry whose window is a lower bound.
   */
  revocations(cutSinceUs?: number): Revocation[] {
    const result: Revocation[] = [];
    for (const [username, history] of this.histories) {
      if (!history.confirmed || history.firstRefusalUs === undefined) continue;
      const revokedAt = history.firstRefusalUs;
      const own = [...(this.calls.get(username)?.list ?? [])].sort((a, b) => a.sequence - b.sequence);
      const active = own.filter((call) => call.answerUs !== undefined && call.answerUs <= revokedAt && (call.endUs === undefined || call.endUs > revokedAt));
      const damaged = own.filter((call) => call.firstForbiddenModificationUs !== undefined && call.firstForbiddenModificationUs >= revokedAt);
      const revocation: Revocation = {
        username,
        lastSuccessUs: history.lastSuccessUs,
        firstForbiddenUs: revokedAt,
        activeCalls: active.map((call) => call.callId),
        damagedCalls: damaged.map((call) => call.callId),
      };
      if (damaged.length > 0) {
        revocation.damagedWindowMs = Math.max(...damaged.map((call) => elapsedMs(call.startUs, call.firstForbiddenModificationUs!)));
        if (damaged.some((call) => call.startedBeforeCapture)) {
          revocation.damagedWindowAtLeast = true;
          if (cutSinceUs !== undefined) revocation.damagedWindowSinceUs = cutSinceUs;
        }
      }
      result.push(revocation);
    }
    return result.sort((a, b) => a.firstForbiddenUs - b.firstForbiddenUs);
  }
}

/**
 * Whether a finished call can still be in its credential's revocation entry: up at the moment of the first refusal
 * (answered by then, not ended before it) or damaged by it (a re-INVITE/UPDATE refused at or after it). Once the
 * revocation is confirmed that moment is its first refusal; before, it is not known yet but cannot come before the
 * credential's last success (it is the first refusal after it), so a call that ended before that bound, with no 403
 * to a modification after it, can be in no entry whatever comes later. Judged with REORDER_MARGIN_US to spare.
 */
function canMatter(call: TimelineCall, history: CredentialHistory): boolean {
  const { answerUs, endUs, firstForbiddenModificationUs: refusedUs } = call;
  if (history.confirmed && history.firstRefusalUs !== undefined) {
    const at = history.firstRefusalUs;
    const mayBeUp = answerUs !== undefined && answerUs <= at + REORDER_MARGIN_US && (endUs === undefined || endUs > at - REORDER_MARGIN_US);
    return mayBeUp || (refusedUs !== undefined && refusedUs >= at - REORDER_MARGIN_US);
  }
  const bound = history.lastSuccessUs - REORDER_MARGIN_US;
  const mayBeUp = answerUs !== undefined && (endUs === undefined || endUs > bound);
  return mayBeUp || (refusedUs !== undefined && refusedUs >= bound);
}
