/**
 * The verdicts of a SIP credential rotation, step by step. Two-phase rotation: create the new credential, prove
 * it registers while the old one still works (check), wait until the old credential's calls drain (drain), revoke
 * the old one, prove the old is refused and the new still registers (verify). Each step is a gate: its verdict
 * says whether the next step is safe, and why not.
 */
import { setTimeout as wait } from 'node:timers/promises';
import { runCall } from '../call.js';
import { probeCredential, type CredentialProbe, type ProbeSettings, type RotationCredential } from './probe.js';

export type RotationStep = 'check' | 'drain' | 'verify' | 'watch';

/**
 * pass: the gate is open; fail: it is shut for a reason about the credentials; unreachable: no answer to judge;
 * local-error: the probe could not be made here (a bad local address, a socket we cannot bind): nothing to judge.
 */
export type GateOutcome = 'pass' | 'fail' | 'unreachable' | 'local-error';

/** The outcome of a probe that did not get the answer it needed: no answer, our own failure, or a verdict. */
export function unansweredOutcome(state: CredentialProbe['state']): GateOutcome {
  return state === 'unreachable' ? 'unreachable' : state === 'error' ? 'local-error' : 'fail';
}

export interface GateVerdict {
  /** Stable name: 'old-registers', 'new-registers', 'old-rejected', 'drained', ... */
  name: string;
  outcome: GateOutcome;
  /** A sentence for people: "safe to drain", "do not revoke: the new credential is rejected with 403". */
  message: string;
}

export interface RotationReport {
  step: RotationStep;
  ok: boolean;
  /** The summary sentence of the step. */
  summary: string;
  verdicts: GateVerdict[];
  /** Every probe made, in order. */
  probes: CredentialProbe[];
  startedAt: number;
  elapsedMs: number;
  /** verify: how long after the first poll the old credential still registered (ms); undefined if it never did. */
  propagationDelayMs?: number;
  /** drain: the window waited for, and the active calls of the old credential seen. */
  drain?: DrainSummary;
  /** check --call: the test call placed with each credential that registered. */
  calls?: TestCallProbe[];
  /** watch: what the operator's revocation command printed and how it ended (never a secret of ours). */
  revocation?: { command: string; exitCode: number | null; output: string; at: number };
}

/** A short test call placed with one credential (rotate check --call): proves it can place calls, not only register. */
export interface TestCallProbe {
  role: CredentialProbe['role'];
  user: string;
  ok: boolean;
  /** Final answer to the INVITE. */
  status?: number;
  /** How the call ended: 'bye' (ours, answered), 'revoked' (a refresh refused), 'rejected', 'error', ... */
  endedBy: string;
  setupMs?: number;
  lifetimeMs?: number;
  refreshes: { sent: number; ok: number };
  detail: string;
}

export interface TestCallSettings {
  /** Callee URI (a test number, an echo service). */
  uri: string;
  durationMs: number;
  refreshMs?: number;
}

export interface DrainSummary {
  windowMs: number;
  /** Where the window came from: '--window', or the p99 call duration of the captures. */
  windowSource: string;
  /** Most calls of the old credential seen up at once; undefined without a live source. */
  peakActiveCalls?: number;
  /** Calls of the old credential still up when the drain ended. */
  activeCallsAtEnd?: number;
  /** Live packets/messages the source delivered. */
  sourceMessages?: number;
  /** With a live source: how long it was given to deliver its first message (--source-grace). */
  sourceGraceMs?: number;
  rechecks: number;
  /** Why the drain stopped: 'drained', 'new-credential-failed', 'limit', 'source-silent', 'interrupted'. */
  stoppedBecause: string;
}

/** Fails when old and new are the same credential: a rotation that rotates nothing proves nothing. */
export function sameCredential(old: RotationCredential, fresh: RotationCredential): boolean {
  return (old.authUser ?? old.user) === (fresh.authUser ?? fresh.user) && old.password === fresh.password;
}

function registersVerdict(probe: CredentialProbe): GateVerdict {
  const name = `${probe.role}-registers`;
  if (probe.state === 'accepted') return { name, outcome: 'pass', message: `the ${probe.role} credential (${probe.user}) registers` };
  return { name, outcome: unansweredOutcome(probe.state), message: `the ${probe.role} credential (${probe.user}) ${probe.detail}` };
}

/**
 * Before the revocation: both credentials must register. If the new one does not, revoking the old one would cut
 * all capacity: "do not revoke". If the old one no longer works, it was revoked already (or never worked).
 */
export async function rotateCheck(settings: ProbeSettings, old: RotationCredential, fresh: RotationCredential, call?: TestCallSettings): Promise<RotationReport> {
  const startedAt = Date.now();
  const probes = [await probeCredential(settings, old), await probeCredential(settings, fresh)];
  const verdicts = probes.map(registersVerdict);
  const calls: TestCallProbe[] = [];
  if (call) {
    // a credential that cannot register is not also asked to call: its verdict is already given
    for (const [index, credential] of [old, fresh].entries()) {
      if (probes[index].state !== 'accepted') continue;
      const placed = await testCall(settings, credential, call);
      calls.push(placed);
      verdicts.push({ name: `${credential.role}-calls`, outcome: placed.ok ? 'pass' : placed.endedBy === 'error' ? 'unreachable' : 'fail',
        message: `the ${credential.role} credential (${credential.user}) ${placed.detail}` });
    }
  }
  const shut = (role: string) => verdicts.find((verdict) => verdict.name.startsWith(`${role}-`) && verdict.outcome !== 'pass');
  const newShut = shut('new');
  const oldShut = shut('old');
  let summary: string;
  if (!newShut && !oldShut) summary = call ? 'safe to drain: both credentials register and place calls' : 'safe to drain: both credentials register';
  else if (newShut) summary = `do not revoke: ${newShut.message}`;
  else summary = `do not rotate yet: ${oldShut!.message}; the old credential should still work until the drain is over`;
  const report: RotationReport = { step: 'check', ok: !newShut && !oldShut, summary, verdicts, probes, startedAt, elapsedMs: Date.now() - startedAt };
  if (call) report.calls = calls;
  return report;
}

/** A short call with the credential (the same call as `sipscope call`: INVITE, refreshes, BYE). */
async function testCall(settings: ProbeSettings, credential: RotationCredential, call: TestCallSettings): Promise<TestCallProbe> {
  const result = await runCall({
    ...settings, uri: call.uri, user: credential.user, authUser: credential.authUser, password: credential.password,
    durationMs: call.durationMs, refreshMs: call.refreshMs,
  });
  const answer = result.status === undefined ? '' : ` (${result.status} ${result.reason ?? ''})`.replace(' )', ')');
  let detail: string;
  if (result.ok) detail = `placed a test call: set up in ${result.setupMs?.toFixed(0)} ms, ${result.refreshes.ok} refresh(es) accepted, ended by BYE`;
  else if (result.error) detail = `could not place a test call: ${result.error.code}: ${result.error.message}`;
  else if (result.revocation) detail = `placed a test call, but refresh ${result.revocation.refresh} was refused with ${result.revocation.status}`;
  else detail = `could not place a test call: ended ${result.endedBy}${answer}`;
  return {
    role: credential.role, user: credential.user, ok: result.ok, status: result.status, endedBy: result.endedBy,
    setupMs: result.setupMs, lifetimeMs: result.lifetimeMs, refreshes: result.refreshes, detail,
  };
}

export interface VerifyOptions {
  /** Keep polling the old credential until it is rejected, at most this long (0: one poll). */
  waitMs: number;
  pollMs: number;
  /** Stops the polling early (Ctrl-C). */
  signal?: AbortSignal;
  onPoll?: (probe: CredentialProbe) => void;
}

/**
 * After the revocation: the old credential must be refused (403, or a challenge it cannot satisfy) and the new one
 * must register. Polls the old credential every pollMs for up to waitMs: caches, nonce lifetimes and replicated
 * databases keep an old password working for a while, and the propagation delay says how long.
 */
export async function rotateVerify(settings: ProbeSettings, old: RotationCredential, fresh: RotationCredential, options: VerifyOptions): Promise<RotationReport> {
  const startedAt = Date.now();
  const probes: CredentialProbe[] = [];
  const deadline = startedAt + options.waitMs;
  let lastOld: CredentialProbe;
  let lastAccepted: CredentialProbe | undefined;
  for (;;) {
    lastOld = await probeCredential(settings, old);
    probes.push(lastOld);
    options.onPoll?.(lastOld);
    if (lastOld.state === 'accepted') lastAccepted = lastOld;
    if (lastOld.state === 'rejected' || options.signal?.aborted) break;
    // the last poll is at the deadline itself when the next regular one would come after it (--wait 3s --poll 10s
    // polls at 0 and 3 s: --wait is how long the revocation is given)
    if (lastOld.startedAt >= deadline) break;
    const next = Math.min(lastOld.startedAt + options.pollMs, deadline);
    await sleep(next - Date.now(), options.signal);
    if (options.signal?.aborted) break;
  }
  const freshProbe = await probeCredential(settings, fresh);
  probes.push(freshProbe);
  const oldVerdict: GateVerdict = lastOld.state === 'rejected'
    ? { name: 'old-rejected', outcome: 'pass', message: `the old credential (${old.user}) is refused: ${lastOld.detail}` }
    : {
      name: 'old-rejected',
      outcome: unansweredOutcome(lastOld.state),
      message: lastOld.state === 'accepted'
        ? `the old credential (${old.user}) still registers after ${seconds(lastOld.startedAt - startedAt)} s of polling`
        : `the old credential (${old.user}) ${lastOld.detail}`,
    };
  const newVerdict = registersVerdict(freshProbe);
  const verdicts = [oldVerdict, newVerdict];
  const ok = verdicts.every((verdict) => verdict.outcome === 'pass');
  const report: RotationReport = {
    step: 'verify', ok, verdicts, probes, startedAt, elapsedMs: Date.now() - startedAt,
    summary: ok ? 'rotation complete: the old credential is refused and the new one registers'
      : newVerdict.outcome !== 'pass' ? `rotation broken: ${newVerdict.message}` : `revocation not in effect: ${oldVerdict.message}`,
  };
  if (lastOld.state === 'rejected') report.propagationDelayMs = lastAccepted ? lastOld.startedAt - startedAt : 0;
  return report;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** Resolves after ms, or at once when the signal aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return wait(Math.max(0, ms), undefined, { signal }).catch(() => undefined);
}
