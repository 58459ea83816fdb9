/**
 * The rotation gate (sipscope rotate) against a digest-checking registrar on 127.0.0.1 whose user table the test
 * changes while it runs: check before revocation, verify after (with a propagation delay), drain with a window and
 * with a live HEP source (and without a window: the source's grace before it counts as silent), and the CLI's
 * verdicts, JSON, JUnit and exit codes. Ports 46300-46339, 46344-46346 and 27830.
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { rotateCheck, rotateVerify } from '../../src/client/rotation/gate.js';
import { rotateDrain } from '../../src/client/rotation/drain.js';
import type { ProbeSettings, RotationCredential } from '../../src/client/rotation/probe.js';
import { getHeader, getHeaders, type SipRequest } from '../../src/sip/index.js';
import { parseAuthorization, verifyAuthorization } from '../../src/sip/digest/index.js';
import { runCli } from '../cli/cli-io.js';
import { startUdpPeer, type Answer, type Reply, type SipPeer } from './sip-peer.js';

const REALM = 'rotation.test';

/** user -> password; a user in `forbidden` gets 403 (a revoked account, as Kamailio answers for a deleted row). */
interface Accounts {
  passwords: Map<string, string>;
  forbidden: Set<string>;
  /** Old passwords still accepted until this time (ms since the epoch): a registrar cache that has not caught up. */
  cachedUntil: Map<string, { password: string; until: number }>;
}

function accountsRegistrar(accounts: Accounts): Answer {
  let round = 0;
  return (request: SipRequest): Reply => {
    const value = getHeaders(request, 'authorization')[0];
    const challenge = (): Reply => {
      round++;
      return { status: 401, reason: 'Unauthorized', headers: [['WWW-Authenticate', `Digest realm="${REALM}", nonce="n${round}", qop="auth", algorithm=MD5`]] };
    };
    if (!value) return challenge();
    const credentials = parseAuthorization(value, 'authorization');
    if (accounts.forbidden.has(credentials.username)) return { status: 403, reason: 'Forbidden' };
    const cached = accounts.cachedUntil.get(credentials.username);
    const candidates = [accounts.passwords.get(credentials.username), cached && cached.until > Date.now() ? cached.password : undefined];
    const valid = candidates.some((password) => password !== undefined
      && verifyAuthorization(credentials, { method: request.method, uri: request.uri, realm: REALM, password, expectedNonce: `n${round}` }).ok);
    if (!valid) return challenge();
    const contact = getHeader(request, 'contact');
    return { status: 200, reason: 'OK', headers: contact ? [['Contact', contact.includes('expires=0') ? contact : `${contact};expires=60`]] : [] };
  };
}

let peer: SipPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

function fresh(): Accounts {
  return { passwords: new Map([['alice', 'old-pass'], ['alice2', 'new-pass']]), forbidden: new Set(), cachedUntil: new Map() };
}

const settings = (port: number): ProbeSettings => ({ uri: `sip:127.0.0.1:${port}`, timeoutMs: 2000, timers: { t1: 50, t2: 400 } });
const oldCredential: RotationCredential = { role: 'old', user: 'alice', password: 'old-pass' };
const newCredential: RotationCredential = { role: 'new', user: 'alice2', password: 'new-pass' };

describe('rotate check: both credentials must register before the old one may be drained', () => {
  test('both register -> safe to drain; each probe removes the binding it made', async () => {
    peer = await startUdpPeer(46300, accountsRegistrar(fresh()));
    const report = await rotateCheck(settings(46300), oldCredential, newCredential);
    expect(report.ok).toBe(true);
    expect(report.summary).toMatch(/^safe to drain/);
    expect(report.probes.map((probe) => [probe.role, probe.state, probe.status])).toEqual([['old', 'accepted', 200], ['new', 'accepted', 200]]);
    expect(report.probes.every((probe) => probe.unregister?.ok === true)).toBe(true);
    // REGISTER 401, REGISTER 200, REGISTER (Expires 0) 401, 200, for each credential; a probe asks for 60 s only
    // (it removes its binding right away; should the removal be lost, the binding ages out within a minute)
    const expires = peer.received.filter((entry) => getHeader(entry.request, 'authorization')).map((entry) => getHeader(entry.request, 'expires'));
    expect(expires).toEqual(['60', '0', '60', '0']);
  });

  test('new credential refused with 403 -> "do not revoke", naming the status', async () => {
    const accounts = fresh();
    accounts.forbidden.add('alice2');
    peer = await startUdpPeer(46301, accountsRegistrar(accounts));
    const report = await rotateCheck(settings(46301), oldCredential, newCredential);
    expect(report.ok).toBe(false);
    expect(report.summary).toBe('do not revoke: the new credential (alice2) rejected with 403 Forbidden');
  });

  test('same username, new password not yet provisioned -> the new side is challenged again, not accepted', async () => {
    peer = await startUdpPeer(46302, accountsRegistrar(fresh()));
    const report = await rotateCheck(settings(46302), oldCredential, { role: 'new', user: 'alice', password: 'not-yet' });
    expect(report.ok).toBe(false);
    expect(report.probes[1]).toMatchObject({ state: 'rejected', status: 401 });
    expect(report.summary).toMatch(/^do not revoke: the new credential \(alice\) challenged again/);
  });

  test('nothing listening -> unreachable, not a credential verdict', async () => {
    const report = await rotateCheck({ ...settings(46309), timeoutMs: 400 }, oldCredential, newCredential);
    expect(report.verdicts.map((verdict) => verdict.outcome)).toEqual(['unreachable', 'unreachable']);
  });
});

describe('rotate verify: the old credential refused, the new one registering', () => {
  test('revoked (403) and new registers -> pass, propagation delay 0', async () => {
    const accounts = fresh();
    accounts.forbidden.add('alice');
    peer = await startUdpPeer(46310, accountsRegistrar(accounts));
    const report = await rotateVerify(settings(46310), oldCredential, newCredential, { waitMs: 0, pollMs: 100 });
    expect(report.ok).toBe(true);
    expect(report.propagationDelayMs).toBe(0);
  });

  test('old password changed under the same username -> the challenge loop counts as refused', async () => {
    const accounts = fresh();
    accounts.passwords.set('alice', 'rotated');
    peer = await startUdpPeer(46311, accountsRegistrar(accounts));
    const report = await rotateVerify(settings(46311), oldCredential, { role: 'new', user: 'alice', password: 'rotated' }, { waitMs: 0, pollMs: 100 });
    expect(report.ok).toBe(true);
    expect(report.probes[0]).toMatchObject({ role: 'old', state: 'rejected', status: 401 });
  });

  test('a cache keeps the old password working for 1.2 s -> polled until refused, delay within one poll of it', async () => {
    const accounts = fresh();
    accounts.passwords.delete('alice');
    accounts.cachedUntil.set('alice', { password: 'old-pass', until: Date.now() + 1200 });
    // each poll of the old credential (one Call-ID): when its first REGISTER reached the peer, and a 250 ms timer of
    // this test started then. The gate and the peer share this process: a stall of its event loop (CI load) delays
    // the gate's next poll as much as this timer, where a fixed bound on the delay (1.2 s + 250 + 200 ms) failed
    const polls = new Map<string, { at: number; interval: Promise<number> }>();
    const registrar = accountsRegistrar(accounts);
    peer = await startUdpPeer(46312, (request, index) => {
      const callId = getHeader(request, 'call-id')!;
      if (/sip:alice@/.test(getHeader(request, 'from') ?? '') && !polls.has(callId)) {
        polls.set(callId, { at: Date.now(), interval: new Promise((resolve) => setTimeout(() => resolve(Date.now()), 250)) });
      }
      return registrar(request, index);
    });
    const report = await rotateVerify(settings(46312), oldCredential, newCredential, { waitMs: 5000, pollMs: 250 });
    expect(report.ok).toBe(true);
    const old = report.probes.filter((probe) => probe.role === 'old');
    expect(old.map((probe) => probe.state)).toEqual([...old.slice(0, -1).map(() => 'accepted'), 'rejected']);
    const [lastAccepted, refused] = [...polls.values()].slice(-2);
    expect(polls.size).toBe(old.length);
    expect(report.propagationDelayMs).toBeGreaterThanOrEqual(1200 - 250);
    // the delay is when the refused poll started (after the last accepted one, before its REGISTER arrived), and
    // that poll came one interval after the last accepted one
    expect(report.propagationDelayMs).toBeGreaterThan(lastAccepted.at - report.startedAt);
    expect(report.propagationDelayMs).toBeLessThanOrEqual(refused.at - report.startedAt);
    expect(refused.at - (await lastAccepted.interval)).toBeLessThan(150);
    expect(report.probes.filter((probe) => probe.role === 'old' && probe.state === 'accepted').length).toBeGreaterThanOrEqual(3);
  });

  test('a poll interval longer than the wait: polled again at the end of the wait (was: once, at the start)', async () => {
    const accounts = fresh();
    accounts.passwords.delete('alice');
    accounts.cachedUntil.set('alice', { password: 'old-pass', until: Date.now() + 500 });
    peer = await startUdpPeer(46314, accountsRegistrar(accounts));
    const report = await rotateVerify(settings(46314), oldCredential, newCredential, { waitMs: 1000, pollMs: 10_000 });
    expect(report.ok).toBe(true);
    const old = report.probes.filter((probe) => probe.role === 'old');
    expect(old.map((probe) => probe.state)).toEqual(['accepted', 'rejected']);
    expect(old[1].startedAt - report.startedAt).toBeGreaterThanOrEqual(1000);
    expect(report.elapsedMs).toBeLessThan(5000);
  });

  test('still accepted when the wait is over -> fail, "revocation not in effect"', async () => {
    peer = await startUdpPeer(46313, accountsRegistrar(fresh()));
    const report = await rotateVerify(settings(46313), oldCredential, newCredential, { waitMs: 300, pollMs: 100 });
    expect(report.ok).toBe(false);
    expect(report.summary).toMatch(/^revocation not in effect: the old credential \(alice\) still registers/);
    expect(report.propagationDelayMs).toBeUndefined();
  });
});

describe('rotate drain', () => {
  test('window only: waits the window, re-checks the new credential, then safe to revoke', async () => {
    peer = await startUdpPeer(46320, accountsRegistrar(fresh()));
    const started = Date.now();
    const report = await rotateDrain(settings(46320), newCredential, { windowMs: 700, windowSource: '--window', recheckMs: 300, limitMs: 5000, tickMs: 100 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(report.ok).toBe(true);
    expect(report.drain?.rechecks).toBeGreaterThanOrEqual(2);
  });

  test('the new credential stops registering mid-drain -> halt at once, exit-worthy failure', async () => {
    const accounts = fresh();
    peer = await startUdpPeer(46321, accountsRegistrar(accounts));
    setTimeout(() => accounts.forbidden.add('alice2'), 300);
    const report = await rotateDrain(settings(46321), newCredential, { windowMs: 10_000, windowSource: '--window', recheckMs: 200, limitMs: 20_000, tickMs: 50 });
    expect(report.ok).toBe(false);
    expect(report.drain?.stoppedBecause).toBe('new-credential-failed');
    expect(report.elapsedMs).toBeLessThan(3000);
    expect(report.summary).toMatch(/halt: the new credential \(alice2\) rejected with 403/);
  });

  test('calls still up from the live source keep the gate shut until they end; a silent source is reported', async () => {
    peer = await startUdpPeer(46322, accountsRegistrar(fresh()));
    let active = 2;
    const source = { description: 'test', activeCalls: () => active, messages: () => 10 };
    setTimeout(() => { active = 0; }, 600);
    const report = await rotateDrain(settings(46322), newCredential, { windowMs: 200, windowSource: '--window', recheckMs: 5000, limitMs: 5000, tickMs: 50, source });
    expect(report.ok).toBe(true);
    expect(report.elapsedMs).toBeGreaterThanOrEqual(600);
    expect(report.drain).toMatchObject({ peakActiveCalls: 2, activeCallsAtEnd: 0 });
    const silent = await rotateDrain(settings(46322), newCredential, { windowMs: 200, windowSource: '--window', sourceGraceMs: 100, recheckMs: 5000, limitMs: 5000, tickMs: 50, source: { description: 'HEP on 127.0.0.1:1', activeCalls: () => 0, messages: () => 0 } });
    expect(silent.ok).toBe(false);
    expect(silent.verdicts[1]).toMatchObject({ outcome: 'unreachable' });
  });

  test('no window: a live source that has shown nothing yet is waited for during its grace, then judged', async () => {
    peer = await startUdpPeer(46344, accountsRegistrar(fresh()));
    let messages = 0;
    const late = { description: 'HEP on 127.0.0.1:1', activeCalls: () => 0, messages: () => messages };
    setTimeout(() => { messages = 3; }, 400);
    const drained = await rotateDrain(settings(46344), newCredential, { windowMs: 0, windowSource: 'none', sourceGraceMs: 3000, recheckMs: 5000, limitMs: 10_000, tickMs: 50, source: late });
    expect(drained).toMatchObject({ ok: true, drain: { stoppedBecause: 'drained', sourceMessages: 3, sourceGraceMs: 3000 } });
    expect(drained.elapsedMs).toBeGreaterThanOrEqual(350);
    expect(drained.elapsedMs).toBeLessThan(2000);
    const silent = { description: 'HEP on 127.0.0.1:1', activeCalls: () => 0, messages: () => 0 };
    const judged = await rotateDrain(settings(46344), newCredential, { windowMs: 0, windowSource: 'none', sourceGraceMs: 600, recheckMs: 5000, limitMs: 10_000, tickMs: 50, source: silent });
    expect(judged).toMatchObject({ ok: false, drain: { stoppedBecause: 'source-silent' } });
    expect(judged.elapsedMs).toBeGreaterThanOrEqual(600);
    expect(judged.elapsedMs).toBeLessThan(2000);
    expect(judged.verdicts[1].message).toContain('delivered no SIP message in 0.6 s (window 0 s, grace 0.6 s)');
  });
});

/** A HEP3 packet carrying one SIP message over UDP (chunks per the HEP3 spec: family, protocol, ports, addresses, time, payload). */
function hep3(sip: string): Buffer {
  const chunk = (type: number, value: Buffer) => {
    const header = Buffer.alloc(6);
    header.writeUInt16BE(0, 0);
    header.writeUInt16BE(type, 2);
    header.writeUInt16BE(6 + value.length, 4);
    return Buffer.concat([header, value]);
  };
  const u8 = (n: number) => Buffer.from([n]);
  const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const now = Date.now();
  const body = Buffer.concat([
    chunk(1, u8(2)), chunk(2, u8(17)), chunk(3, Buffer.from([127, 0, 0, 1])), chunk(4, Buffer.from([127, 0, 0, 2])),
    chunk(7, u16(5060)), chunk(8, u16(5061)), chunk(9, u32(Math.floor(now / 1000))), chunk(10, u32((now % 1000) * 1000)),
    chunk(11, u8(1)), chunk(12, u32(1)), chunk(15, Buffer.from(sip)),
  ]);
  const head = Buffer.alloc(6);
  head.write('HEP3', 0, 'latin1');
  head.writeUInt16BE(6 + body.length, 4);
  return Buffer.concat([head, body]);
}

function sipMessage(startLine: string, callId: string, cseq: string, extra = ''): string {
  return `${startLine}\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK${callId}${cseq.replace(' ', '')}\r\nFrom: <sip:alice@x>;tag=a\r\nTo: <sip:bob@x>${startLine.startsWith('SIP') ? ';tag=b' : ''}\r\nCall-ID: ${callId}\r\nCSeq: ${cseq}\r\n${extra}Content-Length: 0\r\n\r\n`;
}

describe('sipscope rotate (CLI)', () => {
  const env = { OLD: 'old-pass', NEW: 'new-pass' };
  const common = (port: number) => ['--uri', `sip:127.0.0.1:${port}`, '--old-user', 'alice', '--old-password-env', 'OLD', '--new-user', 'alice2', '--new-password-env', 'NEW', '--t1', '50', '--timeout', '2s'];

  test('check: exit 0 and a JSON report with the verdicts; no password anywhere in the output', async () => {
    peer = await startUdpPeer(46330, accountsRegistrar(fresh()));
    const junit = path.join(mkdtempSync(path.join(os.tmpdir(), 'rotate-')), 'rotate.xml');
    const run = await runCli(['rotate', 'check', ...common(46330), '--json', '--junit', junit], { env });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ step: 'check', ok: true, verdicts: [{ name: 'old-registers', outcome: 'pass' }, { name: 'new-registers', outcome: 'pass' }] });
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase name="old-registers"/);
    expect(xml).toMatch(/tests="2" failures="0"/);
    for (const secret of Object.values(env)) expect(run.stdout + run.stderr + xml).not.toContain(secret);
  });

  test('check with the new credential forbidden: exit 1 and the sentence says why', async () => {
    const accounts = fresh();
    accounts.forbidden.add('alice2');
    peer = await startUdpPeer(46331, accountsRegistrar(accounts));
    const run = await runCli(['rotate', 'check', ...common(46331)], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('rotate check: do not revoke: the new credential (alice2) rejected with 403 Forbidden');
  });

  test('bad input: missing password source, same credential twice, no window or source for drain -> exit 2 with a clear line', async () => {
    const missing = await runCli(['rotate', 'check', ...common(46339)], { env: { OLD: 'old-pass' } });
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toMatch(/--new-password-env NEW: environment variable NEW is not set/);
    const same = await runCli(['rotate', 'check', '--uri', 'sip:127.0.0.1:46339', '--old-user', 'a', '--old-password-env', 'OLD', '--new-user', 'a', '--new-password-env', 'OLD'], { env });
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/the old and the new credential are the same/);
    const noWindow = await runCli(['rotate', 'drain', ...common(46339)], { env });
    expect(noWindow.code).toBe(2);
    expect(noWindow.stderr).toMatch(/drain needs a window/);
  });

  test('unreachable registrar -> exit 3, within the timeout', async () => {
    const run = await runCli(['rotate', 'check', ...common(46338), '--timeout', '300ms'], { env });
    expect(run.code).toBe(3);
    expect(run.elapsedMs).toBeLessThan(3000);
  });

  test('drain with a live HEP source: waits while a call of the old credential is up, ends when its BYE arrives', async () => {
    peer = await startUdpPeer(46332, accountsRegistrar(fresh()));
    const hepPort = 46333;
    const sender = createSocket('udp4');
    const send = (sip: string) => new Promise<void>((resolve) => sender.send(hep3(sip), hepPort, '127.0.0.1', () => resolve()));
    const auth = 'Authorization: Digest username="alice", realm="r", nonce="n", uri="sip:bob@x", response="00"\r\n';
    // the CLI binds its HEP port after start-up: the call is mirrored every 200 ms until it is surely seen (the
    // tracker keys calls by Call-ID, so a repeat is the same call), then the BYE ends it
    const mirrorCall = setInterval(async () => {
      await send(sipMessage('INVITE sip:bob@x SIP/2.0', 'call-1', '2 INVITE', auth));
      await send(sipMessage('SIP/2.0 200 OK', 'call-1', '2 INVITE'));
      await send(sipMessage('INVITE sip:bob@x SIP/2.0', 'call-other', '1 INVITE', auth.replace('alice', 'bob')));
      await send(sipMessage('SIP/2.0 200 OK', 'call-other', '1 INVITE'));
    }, 200);
    setTimeout(() => clearInterval(mirrorCall), 2000);
    setTimeout(() => send(sipMessage('BYE sip:bob@x SIP/2.0', 'call-1', '3 BYE')), 2500);
    try {
      const run = await runCli(['rotate', 'drain', ...common(46332), '--window', '1000ms', '--recheck', '10s', '--hep-listen', `127.0.0.1:${hepPort}`, '--jsonl', '--max-wait', '10s'], { env });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(events.some((event) => event.type === 'progress' && event.activeCalls === 1)).toBe(true);
      const report = events.at(-1);
      expect(report).toMatchObject({ type: 'report', step: 'drain', ok: true, drain: { peakActiveCalls: 1, activeCallsAtEnd: 0, stoppedBecause: 'drained' } });
      expect(report.elapsedMs).toBeGreaterThanOrEqual(2000);
    } finally {
      sender.close();
    }
  });

  test('drain --hep-listen 127.0.0.1:0: a port the system picks, named on stderr once bound, and HEP sent there is read', async () => {
    peer = await startUdpPeer(27830, accountsRegistrar(fresh()));
    const sender = createSocket('udp4');
    let mirror: NodeJS.Timeout | undefined;
    try {
      const run = await runCli(['rotate', 'drain', ...common(27830), '--recheck', '10s', '--hep-listen', '127.0.0.1:0', '--source-grace', '4s', '--json', '--max-wait', '10s'], {
        env,
        onErr(text) {
          const port = Number(/^sipscope rotate: listening for HEP on 127\.0\.0\.1:(\d+)$/.exec(text)?.[1]);
          if (port > 0) mirror ??= setInterval(() => sender.send(hep3(sipMessage('OPTIONS sip:bob@x SIP/2.0', 'probe-1', '1 OPTIONS')), port, '127.0.0.1'), 100);
        },
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(mirror).toBeDefined();
      expect(JSON.parse(run.stdout)).toMatchObject({ step: 'drain', ok: true, drain: { stoppedBecause: 'drained', activeCallsAtEnd: 0 } });
      expect(JSON.parse(run.stdout).drain.sourceMessages).toBeGreaterThanOrEqual(1);
    } finally {
      clearInterval(mirror);
      sender.close();
    }
  });

  test('drain --hep-listen without --window: the first HEP packet may come within --source-grace (was: silent at once, exit 3)', async () => {
    peer = await startUdpPeer(46345, accountsRegistrar(fresh()));
    const hepPort = 46346;
    const sender = createSocket('udp4');
    // an OPTIONS mirrored every 200 ms: the first one after the CLI has bound its port comes up to 200 ms into the
    // drain; the source is alive and shows no call of the old credential
    const mirror = setInterval(() => sender.send(hep3(sipMessage('OPTIONS sip:bob@x SIP/2.0', 'probe-1', '1 OPTIONS')), hepPort, '127.0.0.1'), 200);
    const started = Date.now();
    try {
      const run = await runCli(['rotate', 'drain', ...common(46345), '--recheck', '10s', '--hep-listen', `127.0.0.1:${hepPort}`, '--source-grace', '4s', '--json', '--max-wait', '10s'], { env });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ step: 'drain', ok: true, drain: { windowMs: 0, sourceGraceMs: 4000, stoppedBecause: 'drained', activeCallsAtEnd: 0 } });
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      clearInterval(mirror);
      sender.close();
    }
    const silent = await runCli(['rotate', 'drain', ...common(46345), '--recheck', '10s', '--hep-listen', `127.0.0.1:${hepPort}`, '--source-grace', '700ms', '--json'], { env });
    expect(silent.code).toBe(3);
    expect(JSON.parse(silent.stdout)).toMatchObject({ ok: false, drain: { stoppedBecause: 'source-silent', sourceGraceMs: 700 } });
    const alone = await runCli(['rotate', 'drain', ...common(46345), '--window', '1s', '--source-grace', '2s'], { env });
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--source-grace goes with a live source');
  });

  test('watch: drain, the revocation command, then verify; the command output is kept without secrets', async () => {
    const accounts = fresh();
    peer = await startUdpPeer(46334, accountsRegistrar(accounts));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rotate-watch-'));
    const flag = path.join(dir, 'revoked');
    // the registrar learns of the revocation through the file the command writes (an operator's API call here)
    const timer = setInterval(() => {
      try {
        readFileSync(flag);
        accounts.forbidden.add('alice');
      } catch { /* not yet */ }
    }, 20);
    try {
      const run = await runCli(['rotate', 'watch', ...common(46334), '--window', '300ms', '--wait', '3s', '--poll', '200ms',
        '--revoke-cmd', `echo revoking with $OLD; touch ${flag}`, '--json'], { env: { ...env, PATH: process.env.PATH ?? '' } });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const [drained, watched] = JSON.parse(run.stdout);
      expect(drained).toMatchObject({ step: 'drain', ok: true });
      expect(watched).toMatchObject({ step: 'watch', ok: true, revocation: { exitCode: 0, output: 'revoking with <redacted>\n' } });
      expect(run.stdout).not.toContain('old-pass');
    } finally {
      clearInterval(timer);
    }
  });

  test('watch --json is a list even when the drain halts it (one shape per step); --nagios is not a rotate option', async () => {
    const accounts = fresh();
    peer = await startUdpPeer(46336, accountsRegistrar(accounts));
    const run = await runCli(['rotate', 'watch', ...common(46336), '--window', '5s', '--max-wait', '300ms', '--revoke-cmd', 'true', '--json'], { env: { ...env, PATH: process.env.PATH ?? '' } });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const reports = JSON.parse(run.stdout);
    expect(Array.isArray(reports)).toBe(true);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ step: 'drain', ok: false });
    const nagios = await runCli(['rotate', 'check', ...common(46336), '--nagios'], { env });
    expect(nagios.code).toBe(2);
    expect(nagios.stderr).toMatch(/Unknown argument: nagios/);
  });
});
