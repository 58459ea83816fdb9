#!/usr/bin/env node
/**
 * The revocation story in ~10 seconds with nothing but Node (after `npm ci && npm run build`):
 *   1. `sipscope serve` on loopback (random ports) records everything to a pcapng file;
 *   2. alice places two calls and bob two, each refreshed by a re-INVITE every second;
 *   3. while they are up, alice's credential is revoked through serve's control API;
 *   4. alice's calls get 403 on their next re-INVITE and hang up (`sipscope call` exits 1); bob's go on (exit 0);
 *   5. `sipscope analyze` of the recording names exactly alice's calls as damaged, and none of bob's.
 * Usage: node scripts/demo.mjs [--keep DIR]   (the recording is kept in DIR, else in a temp dir removed at the end)
 * Exit code 0 when the analysis found exactly alice's calls; 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sipscope = path.join(root, 'bin', 'sipscope.js');
const keepIndex = process.argv.indexOf('--keep');
const work = keepIndex > 0 ? path.resolve(process.argv[keepIndex + 1]) : mkdtempSync(path.join(os.tmpdir(), 'sipscope-demo-'));
mkdirSync(work, { recursive: true });
const recording = path.join(work, 'demo.pcapng');
const secret = () => randomBytes(12).toString('base64url');
const passwords = { alice: secret(), bob: secret() };
const token = secret();
writeFileSync(path.join(work, 'users.txt'), `alice ${passwords.alice}\nbob ${passwords.bob}\n`, { mode: 0o600 });
const started = Date.now();
const say = (text) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(4)} s] ${text}\n`);

function run(args, env = {}) {
  const child = spawn(process.execPath, [sipscope, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => stdout };
}

async function until(condition, what, limitMs = 5000) {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`demo: ${what} did not happen within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const serve = run(['serve', '--listen', '127.0.0.1:0', '--users', path.join(work, 'users.txt'), '--record', recording,
  '--control', '127.0.0.1:0', '--control-token-env', 'DEMO_TOKEN', '--ring-ms', '50'], { DEMO_TOKEN: token });
let exitCode = 1;
try {
  await until(() => /^control http:\/\/\S+/m.test(serve.output()), 'serve start-up');
  const port = /^listening udp 127\.0\.0\.1:(\d+)$/m.exec(serve.output())[1];
  const control = /^control (http:\/\/\S+)$/m.exec(serve.output())[1];
  say(`sipscope serve on 127.0.0.1:${port} (UDP+TCP), recording to ${recording}`);

  const calls = [];
  const place = (user, transport) => {
    const call = run(['call', `sip:echo@127.0.0.1:${port}`, '--user', user, '--password-env', 'DEMO_PASSWORD', '--transport', transport,
      '--duration', '6', '--refresh', '1', '--json'], { DEMO_PASSWORD: passwords[user] });
    calls.push({ user, transport, call });
    say(`${user} places a call over ${transport.toUpperCase()} (6 s, re-INVITE every 1 s)`);
  };
  place('alice', 'udp');
  place('bob', 'udp');
  await new Promise((resolve) => setTimeout(resolve, 300));
  place('alice', 'tcp');
  place('bob', 'tcp');

  await new Promise((resolve) => setTimeout(resolve, 3500));
  const revoked = await fetch(`${control}users/alice/revoke`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  say(`control API: POST /users/alice/revoke -> ${revoked.status} ${JSON.stringify(await revoked.json())}`);

  const expectedDamaged = new Set();
  for (const { user, transport, call } of calls) {
    const { code, stdout } = await call.done;
    const json = JSON.parse(stdout);
    const how = json.revocation
      ? `revoked: refresh ${json.revocation.refresh} got ${json.revocation.status} ${json.revocation.reason} after ${(json.revocation.afterMs / 1000).toFixed(1)} s, BYE sent`
      : `${json.endedBy}, ${json.refreshes.ok} refreshes accepted`;
    say(`${user}'s ${transport.toUpperCase()} call ${json.callId}: exit ${code} (${how})`);
    if (user === 'alice') expectedDamaged.add(json.callId);
  }
  serve.child.kill('SIGTERM');
  await serve.done;
  say('serve stopped; the recording is closed');

  say(`sipscope analyze ${recording}:`);
  const text = await run(['analyze', recording]).done;
  process.stdout.write(`\n${text.stdout}\n`);
  const json = JSON.parse((await run(['analyze', recording, '--json']).done).stdout);
  const damaged = new Set((json.revocations ?? []).flatMap((revocation) => revocation.damagedCalls ?? []).map((call) => (typeof call === 'string' ? call : call.callId)));
  const same = damaged.size === expectedDamaged.size && [...damaged].every((callId) => expectedDamaged.has(callId));
  say(same
    ? `analyze found exactly alice's ${damaged.size} calls damaged by the revocation, and none of bob's`
    : `analyze found ${[...damaged].join(', ') || 'no calls'} damaged; expected alice's ${[...expectedDamaged].join(', ')}`);
  exitCode = same ? 0 : 1;
} catch (error) {
  process.stderr.write(`${error.message}\n${serve.output()}\n`);
} finally {
  if (serve.child.exitCode === null) serve.child.kill('SIGTERM');
  if (keepIndex < 0) rmSync(work, { recursive: true, force: true });
}
process.exitCode = exitCode;
