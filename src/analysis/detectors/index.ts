/**
 * Every analysis rule, in the order the analyzer consults them at each hook (findings of one moment come out in
 * this order). Each entry makes a fresh detector for one analysis (detectors keep state). To add a rule: a file
 * beside this one implementing Detector (detector.ts), its kind in types.ts FINDING_KINDS / FINDING_SEVERITY, and
 * one line here.
 */
import { AuthFailureLoopDetector } from './auth-failure-loop.js';
import { AuthRejectedDetector } from './auth-rejected.js';
import type { Detector } from './detector.js';
import { inviteTimeoutDetector } from './invite-timeout.js';
import { noAckDetector } from './no-ack.js';
import { orphanCallDetector } from './orphan-call.js';
import { RegisterForbiddenDetector } from './register-forbidden.js';
import { reinviteForbiddenDetector } from './reinvite-forbidden.js';
import { retransmissionStormDetector } from './retransmission-storm.js';
import { ServerErrorDetector } from './server-error.js';

export type { Detector } from './detector.js';

export const DETECTORS: ReadonlyArray<() => Detector> = [
  () => new RegisterForbiddenDetector(),
  () => new AuthRejectedDetector(),
  () => new AuthFailureLoopDetector(),
  () => new ServerErrorDetector(),
  () => reinviteForbiddenDetector,
  () => inviteTimeoutDetector,
  () => noAckDetector,
  () => orphanCallDetector,
  () => retransmissionStormDetector,
];
