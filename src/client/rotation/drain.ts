/**
 * The drain step of a two-phase rotation: wait until revoking the old credential cannot cut a call. Safe means both
 * - the minimum window has passed (at least the p99 call duration: a call set up just before the drain began is
 *   then over with 99% likelihood), and
 * - a live source, when one is given, shows no call of the old credential still up.
 * A live source that has delivered nothing yet is waited for: it counts as silent (nothing can be judged) only when
 * it has delivered no SIP message by the end of the window or of its grace period (sourceGraceMs), whichever is
 * later. Without the grace, a drain with no window would call a HEP listener or pcap pipe silent at its first
 * look, before the first packet could arrive.
 * Meanwhile the new credential is re-checked every recheckMs: if it ever stops registering, the rotation halts,
 * because revoking the old one would then cut all capacity.
 */
import { probeCredential, type CredentialProbe, type ProbeSettings, type RotationCredential } from './probe.js';
import { sleep, unansweredOutcome, type DrainSummary, type GateVerdict, type RotationReport } from './gate.js';

/** Calls of the old credential seen by a live source (HEP, or a pcap stream), as the source sees them now. */
export interface ActiveCallSource {
  /** Calls of the old credential that are up now. */
  activeCalls(): number;
  /** SIP messages the source has delivered so far (0: it has shown nothing yet). */
  messages(): number;
  /** A sentence describing the source for reports ("HEP on 127.0.0.1:9060"). */
  readonly description: string;
}

/** How long a live source may show nothing before it counts as silent, unless the window is longer (--source-grace). */
export const DEFAULT_SOURCE_GRACE_MS = 5000;

export interface DrainOptions {
  windowMs: number;
  windowSource: string;
  /** With a source: wait this long at least for its first SIP message (default DEFAULT_SOURCE_GRACE_MS). */
  sourceGraceMs?: number;
  recheckMs: number;
  /** Give up after this long (exit 1: not drained in time). */
  limitMs: number;
  source?: ActiveCallSource;
  /** How often progress is reported and the source looked at. */
  tickMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DrainProgress) => void;
  onRecheck?: (probe: CredentialProbe) => void;
}

export interface DrainProgress {
  elapsedMs: number;
  windowLeftMs: number;
  activeCalls?: number;
  sourceMessages?: number;
}

export async function rotateDrain(settings: ProbeSettings, fresh: RotationCredential, options: DrainOptions): Promise<RotationReport> {
  const startedAt = Date.now();
  const tickMs = options.tickMs ?? 1000;
  const probes: CredentialProbe[] = [];
  const summary: DrainSummary = { windowMs: options.windowMs, windowSource: options.windowSource, rechecks: 0, stoppedBecause: 'drained' };
  const { source } = options;
  if (source) {
    summary.peakActiveCalls = 0;
    summary.sourceGraceMs = options.sourceGraceMs ?? DEFAULT_SOURCE_GRACE_MS;
  }
  // a source that has shown nothing is silent only after both the window and its grace
  const silentAfterMs = Math.max(options.windowMs, summary.sourceGraceMs ?? 0);
  let nextRecheck = startedAt;
  let failedRecheck: CredentialProbe | undefined;
  for (;;) {
    const now = Date.now();
    if (now >= nextRecheck) {
      const probe = await probeCredential(settings, fresh);
      probes.push(probe);
      summary.rechecks++;
      options.onRecheck?.(probe);
      if (probe.state !== 'accepted') {
        failedRecheck = probe;
        summary.stoppedBecause = 'new-credential-failed';
        break;
      }
      nextRecheck = probe.startedAt + options.recheckMs;
    }
    const elapsedMs = Date.now() - startedAt;
    const active = source?.activeCalls();
    if (source) summary.peakActiveCalls = Math.max(summary.peakActiveCalls ?? 0, active ?? 0);
    const windowLeftMs = Math.max(0, options.windowMs - elapsedMs);
    options.onProgress?.({ elapsedMs, windowLeftMs, activeCalls: active, sourceMessages: source?.messages() });
    const waitingForSource = source !== undefined && source.messages() === 0;
    if (waitingForSource && elapsedMs >= silentAfterMs) {
      summary.stoppedBecause = 'source-silent';
      break;
    }
    if (windowLeftMs === 0 && !waitingForSource && (!source || active === 0)) break;
    if (options.signal?.aborted) {
      summary.stoppedBecause = 'interrupted';
      break;
    }
    if (elapsedMs >= options.limitMs) {
      summary.stoppedBecause = 'limit';
      break;
    }
    const wake = Math.min(nextRecheck, startedAt + options.limitMs, Date.now() + tickMs, windowLeftMs > 0 ? startedAt + options.windowMs : Infinity,
      waitingForSource ? startedAt + silentAfterMs : Infinity);
    await sleep(Math.max(10, wake - Date.now()), options.signal);
  }
  if (source) {
    summary.activeCallsAtEnd = source.activeCalls();
    summary.sourceMessages = source.messages();
  }
  const verdicts = drainVerdicts(summary, fresh, failedRecheck, source);
  const ok = verdicts.every((verdict) => verdict.outcome === 'pass');
  return {
    step: 'drain', ok, verdicts, probes, startedAt, elapsedMs: Date.now() - startedAt, drain: summary,
    summary: ok ? 'safe to revoke: the drain window has passed and no call of the old credential is up'
      : `not safe to revoke: ${verdicts.find((verdict) => verdict.outcome !== 'pass')!.message}`,
  };
}

function drainVerdicts(summary: DrainSummary, fresh: RotationCredential, failed: CredentialProbe | undefined, source: ActiveCallSource | undefined): GateVerdict[] {
  const verdicts: GateVerdict[] = [];
  if (failed) {
    verdicts.push({ name: 'new-registers', outcome: unansweredOutcome(failed.state), message: `halt: the new credential (${fresh.user}) ${failed.detail}; revoking the old one would cut all capacity` });
    return verdicts;
  }
  verdicts.push({ name: 'new-registers', outcome: 'pass', message: `the new credential (${fresh.user}) kept registering (${summary.rechecks} checks)` });
  switch (summary.stoppedBecause) {
    case 'drained':
      verdicts.push({ name: 'drained', outcome: 'pass', message: source ? `no call of the old credential is up (peak ${summary.peakActiveCalls})` : `the ${summary.windowMs / 1000} s window has passed` });
      break;
    case 'source-silent':
      verdicts.push({ name: 'drained', outcome: 'unreachable', message: `the live source (${source!.description}) delivered no SIP message in ${Math.max(summary.windowMs, summary.sourceGraceMs ?? 0) / 1000} s (window ${summary.windowMs / 1000} s, grace ${(summary.sourceGraceMs ?? 0) / 1000} s): the old credential's calls cannot be seen` });
      break;
    case 'limit':
      verdicts.push({ name: 'drained', outcome: 'fail', message: `${summary.activeCallsAtEnd ?? 0} call(s) of the old credential still up when the limit was reached` });
      break;
    default:
      verdicts.push({ name: 'drained', outcome: 'fail', message: 'interrupted before the drain was over' });
  }
  return verdicts;
}
