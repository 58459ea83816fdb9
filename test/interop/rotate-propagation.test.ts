/**
 * `sipscope rotate verify --wait` against a Kamailio registrar that keeps accepting a revoked password for a while:
 * each password read from the subscriber database is cached in an htable for 6 s (WITH_CREDENTIAL_CACHE in
 * registrar.cfg), as a registrar cache or a lagging replica would. The reported propagation delay must be within
 * one poll interval of what the cache leaves. Port 26620.
 */
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { testDomain } from './environment.js';
import { useRegistrarEnvironment } from './registrar-hooks.js';
import { sipscopeBin } from './processes.js';
import { deleteSubscriber, randomPassword } from './subscribers.js';

const port = 26620;
const cacheSeconds = 6;
const pollMs = 1000;
const oldPassword = randomPassword();
const newPassword = randomPassword();
const setup = useRegistrarEnvironment({
  name: 'rotate-cache',
  ports: { sip: port },
  hosts: ['127.0.0.1'],
  realm: 'cache-realm.sipscope.test',
  credentialCacheSeconds: cacheSeconds,
  subscribers: [
    { username: 'cached-old', domain: testDomain, password: oldPassword },
    { username: 'cached-new', domain: testDomain, password: newPassword },
  ],
});

function rotate(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [sipscopeBin, 'rotate', ...args, '--uri', `sip:${testDomain}`, '--proxy', `sip:127.0.0.1:${port}`,
    '--old-user', 'cached-old', '--new-user', 'cached-new', '--old-password-env', 'OLD_PW', '--new-password-env', 'NEW_PW', '--t1', '100', '--timeout', '3s', '--json'], {
    env: { PATH: process.env.PATH, OLD_PW: oldPassword, NEW_PW: newPassword }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

describe('propagation delay of a revocation', () => {
  test(`a ${cacheSeconds} s credential cache: verify --wait polls until the 403 and reports the delay within one poll`, async () => {
    const check = await rotate(['check']);
    expect(check.code, check.stdout + check.stderr + setup.logs()).toBe(0);
    const cachedAt = Date.parse(JSON.parse(check.stdout).probes[0].at);
    expect(await deleteSubscriber(setup.environment.databasePath, 'cached-old')).toBe(1);
    const verify = await rotate(['verify', '--wait', '20s', '--poll', `${pollMs}ms`]);
    expect(verify.code, verify.stdout + verify.stderr + setup.logs()).toBe(0);
    const report = JSON.parse(verify.stdout);
    const firstPoll = Date.parse(report.probes[0].at);
    expect(report.probes[0]).toMatchObject({ role: 'old', state: 'accepted' });
    expect(report.probes.filter((probe: { role: string }) => probe.role === 'old').at(-1)).toMatchObject({ state: 'rejected', status: 403 });
    // the cache holds the old password until cachedAt + cacheSeconds: that much of it was left at the first poll.
    // htable's autoexpire counts whole seconds (time()), so the entry may live up to 1 s longer than that, never less
    const leftAtFirstPoll = cachedAt + cacheSeconds * 1000 - firstPoll;
    expect(Math.abs(report.propagationDelayMs - leftAtFirstPoll), JSON.stringify({ leftAtFirstPoll, delay: report.propagationDelayMs, polls: report.probes.map((p: { at: string; state: string }) => [p.at, p.state]) })).toBeLessThanOrEqual(pollMs + 1000);
  }, 60_000);
});
