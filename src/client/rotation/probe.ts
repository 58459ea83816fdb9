/**
 * One probe of a credential during a rotation: REGISTER with it (RFC 3261 §10.2, digest per §22), then remove the
 * binding the probe made (Expires: 0 for its own Contact, §10.2.2), so a gate run every minute leaves the
 * registrar as it found it. The REGISTER's answer is classified into what a rotation gate needs to know.
 */
import { runRegister, type RegisterOptions } from '../register.js';
import type { CheckResult, RemovalResult } from '../result.js';

export type CredentialRole = 'old' | 'new';

export interface RotationCredential {
  role: CredentialRole;
  /** Address-of-record user (and digest username unless authUser is given). */
  user: string;
  authUser?: string;
  password: string;
}

/**
 * - accepted: a 2xx to the authenticated REGISTER;
 * - rejected: the registrar refused the credential: 403 Forbidden, 404 (unknown user), or a second 401/407
 *   after our answer (the challenge it cannot satisfy: RFC 3261 §22.2, a registrar that does not accept the
 *   credentials challenges again);
 * - failed: another final answer (5xx, 6xx, 4xx other than the above): says nothing about the credential;
 * - unreachable: no answer (timeout, refused, TLS failure): remote fault;
 * - error: local fault (bad address, no route).
 */
export type CredentialState = 'accepted' | 'rejected' | 'failed' | 'unreachable' | 'error';

export interface CredentialProbe {
  role: CredentialRole;
  user: string;
  state: CredentialState;
  /** Final status of the REGISTER, when one came. */
  status?: number;
  reason?: string;
  /** One sentence: why the state is what it is. */
  detail: string;
  /** When the probe started, ms since the epoch. */
  startedAt: number;
  rttMs?: number;
  /** The REGISTER check as `sipscope register` reports it. */
  register: CheckResult;
  /** The removal of the probe's own binding (only after an accepted REGISTER): the register check's second step. */
  unregister?: RemovalResult;
}

/** Settings every probe shares: target, transport, timers, TLS (from the register options). */
export type ProbeSettings = Omit<RegisterOptions, 'user' | 'authUser' | 'password' | 'mode' | 'contact' | 'keep'>;

const REJECTING_STATUSES = new Set([401, 403, 404, 407]);

export function classify(result: CheckResult): { state: CredentialState; detail: string } {
  if (result.error) {
    return { state: result.error.remote ? 'unreachable' : 'error', detail: `${result.error.code}: ${result.error.message}` };
  }
  const status = result.status;
  if (result.ok) return { state: 'accepted', detail: `registered (${status} ${result.reason ?? ''})`.replace(' )', ')') };
  if (status === undefined) return { state: 'failed', detail: 'no final answer' };
  const answer = `${status} ${result.reason ?? ''}`.trim();
  if (REJECTING_STATUSES.has(status)) {
    if ((status === 401 || status === 407) && result.authProblem) {
      return { state: 'rejected', detail: `challenged again (${answer}): ${result.authProblem}` };
    }
    if (status === 401 || status === 407) return { state: 'rejected', detail: `challenged again after the answer (${answer}): the credential is not accepted` };
    return { state: 'rejected', detail: `rejected with ${answer}` };
  }
  return { state: 'failed', detail: `answered ${answer}, which says nothing about the credential` };
}

export async function probeCredential(settings: ProbeSettings, credential: RotationCredential): Promise<CredentialProbe> {
  const startedAt = Date.now();
  const base: RegisterOptions = { ...settings, user: credential.user, authUser: credential.authUser, password: credential.password };
  // a register check removes its own binding again (its second step: same registration, Expires: 0, RFC 3261 §10.2.2)
  const register = await runRegister({ ...base, mode: 'register', keep: false });
  const { state, detail } = classify(register);
  const probe: CredentialProbe = {
    role: credential.role, user: credential.user, state, detail, startedAt, register,
    status: register.status, reason: register.reason, rttMs: register.rttMs,
  };
  if (register.removal) probe.unregister = register.removal;
  return probe;
}
