#!/usr/bin/env node
/**
 * REGISTER benchmarks against one real Kamailio registrar (digest auth from SQLite), started and stopped here
 * with the interop harness (test/interop/), on 127.0.0.1 port 26160:
 *   1. wall time of one REGISTER check (challenge + answer): sipscope vs sipsak, interleaved, median of --runs;
 *   2. load: `sipscope register --count N --rate R` over N users vs SIPp registering the same N users
 *      (bench/sipp/register.xml, injection file of users and passwords): registrations per second.
 * Needs the build (`npx tsc -p tsconfig.json`). Usage: node bench/register.mjs [--runs 20] [--count 1000] [--rates 500,2000]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';
import { median } from './median.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    count: { type: 'string', default: '1000' },
    rates: { type: 'string', default: '500,2000' },
  },
});
const runs = Number.parseInt(options.runs, 10);
const count = Number.parseInt(options.count, 10);
const rates = options.rates.split(',').map((value) => Number.parseInt(value, 10));
const port = 26160;
const sippLocalPort = 26170;
const domain = 'sipscope.test';

// The harness is TypeScript; vite (installed with vitest) loads it without a separate build.
const load = async (file) => (await runnerImport(path.join(root, 'test', 'interop', file))).module;
const { startRegistrarEnvironment } = await load('environment.ts');
const { runCommand, runSipscope, runSipsak } = await load('processes.ts');

const secret = randomBytes(6).toString('hex');
/** Load-mode passwords: `--password-env` may hold %d, replaced by the user number (see notes/D-cli.md). */
const passwordPattern = `bench-%d-${secret}`;
const loadUsers = Array.from({ length: count }, (_, index) => ({
  username: `user${index + 1}`,
  domain,
  password: passwordPattern.replace('%d', String(index + 1)),
}));
const alicePassword = `alice-${secret}`;

function failIfNot(condition, message, result) {
  if (!condition) {
    throw new Error(`${message}\n${result ? `${result.command}\ncode ${result.code}\n${result.stdout}\n${result.stderr}` : ''}`);
  }
}

async function singleCheckTimes(environment) {
  const target = `sip:alice@127.0.0.1:${port}`;
  const sipscopeMs = [];
  const sipsakMs = [];
  const sipscopeWireMs = [];
  const sipsakWireMs = [];
  for (let run = 0; run < runs; run += 1) {
    // --keep: one registration, the same work as sipsak -U (a default check also removes its binding again)
    const ours = await runSipscope(['register', target, '--timeout', '5s', '--json', '--keep'], { timeoutMs: 15_000, password: alicePassword });
    failIfNot(ours.code === 0, `sipscope register failed\n${environment.logs(20)}`, ours);
    sipscopeMs.push(ours.elapsedMs);
    sipscopeWireMs.push(JSON.parse(ours.stdout).rttMs);
    const theirs = await runSipsak(['-U', '-v', '-s', target], { timeoutMs: 15_000, password: alicePassword });
    failIfNot(theirs.code === 0, 'sipsak -U failed', theirs);
    sipsakMs.push(theirs.elapsedMs);
    // sipsak -U reports "received last message N ms after first request (test duration)".
    const duration = /received last message ([\d.]+) ms after first request/.exec(theirs.stdout);
    failIfNot(duration !== null, 'sipsak printed no test duration', theirs);
    sipsakWireMs.push(Number(duration[1]));
  }
  return { sipscope: median(sipscopeMs), sipsak: median(sipsakMs), sipscopeWire: median(sipscopeWireMs), sipsakWire: median(sipsakWireMs) };
}

/**
 * Runs a program under bash and reads the CPU time of its process (user + system, children included) from bash's
 * `times`, printed last on stderr: on a shared machine the CPU cost per registration is steadier than the rate.
 */
async function runTimed(program, args, options) {
  const script = '"$@"; status=$?; times >&2; exit $status';
  const result = await runCommand('bash', ['-c', script, 'timed', program, ...args], options);
  const seconds = (text) => {
    const [, minutes, secs] = /^(\d+)m([\d.]+)s$/.exec(text) ?? [];
    return minutes === undefined ? Number.NaN : Number(minutes) * 60 + Number(secs);
  };
  const [user, system] = result.stderr.trim().split('\n').at(-1).trim().split(/\s+/).map(seconds);
  return { ...result, cpuMs: (user + system) * 1000 };
}

async function sipscopeLoad(rate) {
  const result = await runTimed(
    process.execPath,
    [path.join(root, 'bin', 'sipscope.js'), 'register', `sip:127.0.0.1:${port}`, '--count', String(count), '--rate', String(rate), '--user', 'user%d',
      '--user-start', '1', '--timeout', '10s', '--json', '--password-env', 'SIPSCOPE_BENCH_PASSWORD'],
    { timeoutMs: 60_000 + (count / rate) * 3000, env: { SIPSCOPE_BENCH_PASSWORD: passwordPattern } },
  );
  let summary;
  try {
    summary = JSON.parse(result.stdout);
  } catch {
    failIfNot(false, 'sipscope load run printed no JSON summary', result);
  }
  return {
    ok: summary.ok, perSecond: summary.ok / (summary.elapsedMs / 1000), wallMs: result.elapsedMs, cpuMs: result.cpuMs,
    errors: summary.errors, retransmissions: summary.retransmissions,
  };
}

async function sippLoad(environment, rate) {
  const injectionPath = path.join(environment.workDirectory, 'sipp-users.csv');
  writeFileSync(injectionPath, ['SEQUENTIAL', ...loadUsers.map((user) => `${user.username};${user.password};${user.domain};[authentication username=${user.username} password=${user.password}];`), ''].join('\n'));
  const statsPath = path.join(environment.workDirectory, `sipp-stats-${rate}.csv`);
  const result = await runTimed(
    'sipp',
    [
      `127.0.0.1:${port}`, '-sf', path.join(root, 'bench', 'sipp', 'register.xml'), '-inf', injectionPath,
      '-i', '127.0.0.1', '-p', String(sippLocalPort), '-m', String(count), '-r', String(rate), '-l', String(Math.max(rate, 100)),
      '-timeout', `${Math.ceil(count / rate) + 30}s`, '-timeout_error', '-nostdin', '-trace_stat', '-stf', statsPath, '-fd', '3600',
    ],
    { timeoutMs: 60_000 + (count / rate) * 3000, cwd: environment.workDirectory },
  );
  // Columns StartTime / CurrentTime hold "date<TAB>time<TAB>epoch seconds"; ElapsedTime has whole seconds only.
  const [header, ...rows] = readFileSync(statsPath, 'utf8').trim().split('\n');
  const columns = header.split(';');
  const cell = (row, name) => row.split(';')[columns.indexOf(name)];
  const epochSeconds = (value) => Number(value.split('\t')[2]);
  const doneRow = rows.find((row) => Number(cell(row, 'SuccessfulCall(C)')) >= count) ?? rows.at(-1);
  const successful = Number(cell(doneRow, 'SuccessfulCall(C)'));
  const elapsedMs = (epochSeconds(cell(doneRow, 'CurrentTime')) - epochSeconds(cell(doneRow, 'StartTime'))) * 1000;
  failIfNot(rows.length > 0, 'SIPp wrote no statistics', result);
  return { ok: successful, perSecond: successful / (elapsedMs / 1000), wallMs: result.elapsedMs, cpuMs: result.cpuMs, exitCode: result.code };
}

/** Runs one measurement; a failure is printed (with its output) and does not stop the others. */
async function measure(label, work) {
  try {
    return await work();
  } catch (error) {
    process.exitCode = 1;
    console.log(`   ${label}: FAILED - ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
const ratio = (a, b) => (a !== undefined && b !== undefined ? (a / b).toFixed(2) : 'n/a');

const environment = await startRegistrarEnvironment({
  name: 'bench',
  hosts: ['127.0.0.1'],
  ports: { sip: port },
  realm: domain,
  subscribers: [{ username: 'alice', domain, password: alicePassword }, ...loadUsers],
});
try {
  console.log(`Kamailio registrar on 127.0.0.1:${port} (UDP), ${count + 1} subscribers in SQLite`);
  console.log(`${os.cpus().length} CPUs, load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} (figures are noisy when it is high)\n`);
  console.log(`1. one REGISTER check (401 challenge + authorized REGISTER), wall time of the process, median of ${runs} runs each:`);
  const single = await measure('single check', () => singleCheckTimes(environment));
  if (single) {
    console.log(`   process wall time:  sipscope ${single.sipscope.toFixed(1)} ms   sipsak ${single.sipsak.toFixed(1)} ms   ratio sipscope/sipsak ${ratio(single.sipscope, single.sipsak)}`);
    console.log(`   first request to final response (sipscope JSON rttMs, sipsak "test duration"):`);
    console.log(`                       sipscope ${single.sipscopeWire.toFixed(1)} ms   sipsak ${single.sipsakWire.toFixed(1)} ms   ratio sipscope/sipsak ${ratio(single.sipscopeWire, single.sipsakWire)}`);
    const startup = await runCommand(process.execPath, [path.join(root, 'bin', 'sipscope.js'), '--version'], { timeoutMs: 15_000 });
    console.log(`   (for reference: \`node bin/sipscope.js --version\` alone took ${startup.elapsedMs.toFixed(0)} ms in this run)`);
  }
  for (const rate of rates) {
    console.log(`\n2. load: ${count} users, target rate ${rate}/s, UDP, registrations per second:`);
    const ours = await measure('sipscope --count/--rate', () => sipscopeLoad(rate));
    if (ours) {
      const errors = ours.ok < count ? `, FAILED ${count - ours.ok}: ${JSON.stringify(ours.errors)}` : '';
      console.log(`   sipscope ${ours.perSecond.toFixed(0)} registrations/s, ${ours.ok}/${count} ok, ${ours.retransmissions ?? '?'} retransmissions (process wall ${ours.wallMs.toFixed(0)} ms, CPU ${ours.cpuMs.toFixed(0)} ms = ${(ours.cpuMs / count).toFixed(3)} ms/registration incl. start-up)${errors}`);
      if (ours.ok < count) process.exitCode = 1;
    }
    const theirs = await measure('SIPp', () => sippLoad(environment, rate));
    if (theirs) {
      console.log(`   SIPp     ${theirs.perSecond.toFixed(0)} registrations/s, ${theirs.ok}/${count} ok (process wall ${theirs.wallMs.toFixed(0)} ms, CPU ${theirs.cpuMs.toFixed(0)} ms = ${(theirs.cpuMs / count).toFixed(3)} ms/registration, exit ${theirs.exitCode})`);
      if (theirs.ok < count) process.exitCode = 1;
    }
    console.log(`   ratio sipscope/SIPp: rate ${ratio(ours?.perSecond, theirs?.perSecond)}, CPU per registration ${ratio(ours?.cpuMs, theirs?.cpuMs)}`);
  }
} finally {
  await environment.close();
}
