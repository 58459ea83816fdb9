#!/usr/bin/env node
/**
 * Call and serve benchmarks against real SIPp, started and stopped here, on loopback:
 *   1. `sipscope call --count N --rate R` against SIPp's built-in UAS (-sn uas) vs SIPp's own UAC (-sn uac) at the
 *      same rate and the same hold time: achieved calls per second and CPU per call (user + system of the process,
 *      start-up included, from bash `times`). Target: the same rate, <= 2x SIPp's CPU per call. Each pair also runs
 *      bench/call-floor-uac.mjs, a bare Node UAC with no SIP stack, for what any Node implementation pays.
 *   2. `sipscope serve` under SIPp's REGISTER load (bench/sipp/register.xml: REGISTER, 401, REGISTER with digest):
 *      registrations per second held and failures, and serve's CPU. Target: >= 2000/s with no failure.
 * Needs the build. Usage: node bench/call.mjs [--calls 500] [--rate 100] [--repeat 1] [--registrations 10000] [--reg-rate 2000] [--only calls|serve]
 *   [--baseline DIR] [--ours-only] [--port-base 26150] [--marginal A,B]
 * --repeat N runs the sipscope/SIPp pair N times, alternating, and prints the median of the ratios (the machine is
 * shared: one pair alone is noisy). --baseline DIR also runs DIR/bin/sipscope.js (another build, e.g. a worktree of an
 * older commit) in each repetition, so a change is measured before and after in the same run.
 * Ports: SIPp UAS 26150, SIPp UAC 26151, serve 26155, SIPp REGISTER 26156; --port-base P moves them to P, P+1, P+5,
 * P+6 (two benches at once on one machine). --ours-only (with --baseline) runs only sipscope and the baseline in each
 * repetition and prints their CPU per call and its median, without the floor and SIPp's UAC.
 * --marginal A,B runs every program of a repetition at A calls and then at B calls (B > A; --calls is then unused) and
 * also prints the marginal CPU per call, (CPU(B) - CPU(A)) / (B - A), of sipscope, the baseline, the floor and SIPp,
 * and their ratios: what one more call costs once start-up and warm-up are paid. The fixed cost of a run is
 * CPU(A) - A x marginal. The target stays the CPU per call of a 2000-call run, start-up included (as printed for A).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runnerImport } from 'vite';
import { median } from './median.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: {
    calls: { type: 'string', default: '500' },
    rate: { type: 'string', default: '100' },
    repeat: { type: 'string', default: '1' },
    baseline: { type: 'string' },
    registrations: { type: 'string', default: '10000' },
    'reg-rate': { type: 'string', default: '2000' },
    only: { type: 'string' },
    'port-base': { type: 'string', default: '26150' },
    'ours-only': { type: 'boolean', default: false },
    marginal: { type: 'string' },
  },
});
const marginalCounts = options.marginal === undefined ? undefined : options.marginal.split(',').map(Number);
if (marginalCounts && (marginalCounts.length !== 2 || !marginalCounts.every((count) => Number.isInteger(count) && count > 0) || marginalCounts[1] <= marginalCounts[0])) {
  throw new Error(`--marginal wants two call counts A,B with 0 < A < B, not ${options.marginal}`);
}
const calls = marginalCounts ? marginalCounts[0] : Number(options.calls);
const rate = Number(options.rate);
const repeat = Math.max(1, Number(options.repeat));
const registrations = Number(options.registrations);
const regRate = Number(options['reg-rate']);
const holdMs = 100;
const portBase = Number(options['port-base']);
const uasPort = portBase;
const uacPort = portBase + 1;
const servePort = portBase + 5;
const sippRegisterPort = portBase + 6;
// sipscope and the baseline only, no floor or SIPp UAC run: for measuring a change before and after
const oursOnly = options['ours-only'];

/** Labels (repetition-count) of the pairs in which a program did not complete every call. */
const incompleteRuns = new Set();
const load = async (file) => (await runnerImport(path.join(root, 'test', 'interop', file))).module;
const { runCommand, spawnDaemon } = await load('processes.ts');
const work = mkdtempSync(path.join(os.tmpdir(), 'sipscope-bench-call-'));
const sipscope = path.join(root, 'bin', 'sipscope.js');
const baseline = options.baseline === undefined ? undefined : path.join(path.resolve(options.baseline), 'bin', 'sipscope.js');

/** Runs a program under bash and reads its CPU time (user + system, children included) from `times`. */
async function runTimed(program, args, runOptions) {
  const script = '"$@"; status=$?; times >&2; exit $status';
  const result = await runCommand('bash', ['-c', script, 'timed', program, ...args], runOptions);
  const seconds = (text) => {
    const [, minutes, secs] = /^(\d+)m([\d.]+)s$/.exec(text) ?? [];
    return minutes === undefined ? Number.NaN : Number(minutes) * 60 + Number(secs);
  };
  const [user, system] = result.stderr.trim().split('\n').at(-1).trim().split(/\s+/).map(seconds);
  return { ...result, cpuMs: (user + system) * 1000, userMs: user * 1000, systemMs: system * 1000 };
}

/** SIPp's statistics file: successful and failed calls, and the seconds between its first and last row. */
function sippStats(statsPath, wanted) {
  const [header, ...rows] = readFileSync(statsPath, 'utf8').trim().split('\n');
  const columns = header.split(';');
  const cell = (row, name) => row.split(';')[columns.indexOf(name)];
  const epochSeconds = (value) => Number(value.split('\t')[2]);
  const doneRow = rows.find((row) => Number(cell(row, 'SuccessfulCall(C)')) + Number(cell(row, 'FailedCall(C)')) >= wanted) ?? rows.at(-1);
  return {
    retransmissions: Number(cell(doneRow, 'Retransmissions(C)')),
    ok: Number(cell(doneRow, 'SuccessfulCall(C)')),
    failed: Number(cell(doneRow, 'FailedCall(C)')),
    elapsedMs: (epochSeconds(cell(doneRow, 'CurrentTime')) - epochSeconds(cell(doneRow, 'StartTime'))) * 1000,
  };
}

async function waitFor(condition, limitMs) {
  const deadline = Date.now() + limitMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

console.log(`${os.cpus().length} CPUs, load average ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} (figures are noisy when it is high)\n`);
if (options.only !== 'serve') await callBench();
if (options.only !== 'calls') await serveBench();
rmSync(work, { recursive: true, force: true });

async function callBench() {
const uas = spawnDaemon('sipp', ['-sn', 'uas', '-buff_size', '4194304', '-i', '127.0.0.1', '-p', String(uasPort), '-nostdin'], { maxOutputChars: 100_000, stopGraceMs: 2000 });
try {
  await new Promise((resolve) => setTimeout(resolve, 500));
  const counts = marginalCounts ?? [calls];
  console.log(`1. ${counts.join(' then ')} calls at ${rate}/s, each held ${holdMs} ms (INVITE, 100/180/200, ACK, BYE), against SIPp -sn uas:`);
  const ratios = [];
  const marginals = [];
  for (let run = 1; run <= repeat; run++) {
    if (repeat > 1) console.log(`   run ${run}/${repeat}`);
    const pairs = [];
    for (const count of counts) {
      if (marginalCounts) console.log(`   ${count} calls:`);
      pairs.push(await callPair(`${run}-${count}`, count));
    }
    ratios.push(pairs[0]);
    if (marginalCounts) marginals.push(printMarginal(pairs[0], pairs[1]));
    if (counts.some((count) => incompleteRuns.has(`${run}-${count}`))) {
      console.log(`   warning: a run of this repetition had failed calls (a loaded machine drops datagrams): its CPU is not comparable`);
    }
  }
  if (incompleteRuns.size > 0) console.log(`   ${incompleteRuns.size} pair(s) had failed calls (${[...incompleteRuns].join(', ')}): the medians below include them`);
  const first = marginalCounts ? ` (at ${calls} calls)` : '';
  if (repeat > 1 && oursOnly) {
    const faster = ratios.filter((r) => r.oursMsPerCall < r.baselineMsPerCall).length;
    console.log(`   median of ${repeat} runs${first}: sipscope ${median(ratios.map((r) => r.oursMsPerCall)).toFixed(3)} ms/call, baseline ${median(ratios.map((r) => r.baselineMsPerCall)).toFixed(3)} ms/call; sipscope used less CPU in ${faster} of ${repeat} pairs`);
  } else if (repeat > 1) {
    console.log(`   median of ${repeat} runs${first}: rate ratio ${median(ratios.map((r) => r.rate)).toFixed(2)}, CPU per call ratio ${median(ratios.map((r) => r.cpu)).toFixed(2)} (target <= 2), floor/SIPp ${median(ratios.map((r) => r.floor)).toFixed(2)}; sipscope ${median(ratios.map((r) => r.oursMsPerCall)).toFixed(3)} ms/call, SIPp ${median(ratios.map((r) => r.sippMsPerCall)).toFixed(3)} ms/call`);
    if (baseline) console.log(`   median baseline/SIPp CPU per call ratio ${median(ratios.map((r) => r.baseline)).toFixed(2)}`);
  }
  if (repeat > 1 && marginalCounts) {
    const names = Object.keys(marginals[0]);
    console.log(`   median of ${repeat} runs, marginal CPU per call (${counts[0]} -> ${counts[1]} calls): ${names.map((name) => `${name} ${median(marginals.map((m) => m[name])).toFixed(3)} ms`).join(', ')}`);
    if (marginals[0].SIPp !== undefined) console.log(`   median marginal sipscope/SIPp ${median(marginals.map((m) => m.sipscope / m.SIPp)).toFixed(2)}, floor/SIPp ${median(marginals.map((m) => m.floor / m.SIPp)).toFixed(2)}`);
    if (marginals[0].baseline !== undefined) console.log(`   median marginal sipscope/baseline ${median(marginals.map((m) => m.sipscope / m.baseline)).toFixed(2)}`);
  }
} finally {
  await uas.stop();
}
}

/**
 * The marginal CPU per call of each program between two runs of one repetition, (CPU(B) - CPU(A)) / (B - A), and
 * the fixed cost it leaves, CPU(A) - A x marginal; printed, and returned by program name.
 */
function printMarginal(atA, atB) {
  const [countA, countB] = marginalCounts;
  const programs = { sipscope: 'ours', baseline: 'baseline', floor: 'floorCpu', SIPp: 'sippCpu' };
  const marginal = {};
  const parts = [];
  for (const [name, key] of Object.entries(programs)) {
    const cpuA = key === 'ours' ? atA.oursMsPerCall * countA : key === 'baseline' ? atA.baselineMsPerCall * countA : atA[key];
    const cpuB = key === 'ours' ? atB.oursMsPerCall * countB : key === 'baseline' ? atB.baselineMsPerCall * countB : atB[key];
    if (cpuA === undefined || cpuB === undefined || Number.isNaN(cpuA) || Number.isNaN(cpuB)) continue;
    marginal[name] = (cpuB - cpuA) / (countB - countA);
    parts.push(`${name} ${marginal[name].toFixed(3)} ms/call (fixed ${(cpuA - countA * marginal[name]).toFixed(0)} ms)`);
  }
  console.log(`   marginal CPU per call, ${countA} -> ${countB} calls: ${parts.join(', ')}`);
  const ratios = [];
  if (marginal.SIPp !== undefined) ratios.push(`sipscope/SIPp ${(marginal.sipscope / marginal.SIPp).toFixed(2)}`, `floor/SIPp ${(marginal.floor / marginal.SIPp).toFixed(2)}`, `sipscope/floor ${(marginal.sipscope / marginal.floor).toFixed(2)}`);
  if (marginal.baseline !== undefined) ratios.push(`sipscope/baseline ${(marginal.sipscope / marginal.baseline).toFixed(2)}`);
  if (ratios.length > 0) console.log(`   marginal ratios: ${ratios.join(', ')}`);
  return marginal;
}

/** One sipscope run and one SIPp run of `calls` calls at the same rate; their rates and CPU per call. */
async function callPair(label, calls) {
  const cpu = (run) => `CPU ${run.cpuMs.toFixed(0)} ms (user ${run.userMs.toFixed(0)} + sys ${run.systemMs.toFixed(0)}) = ${(run.cpuMs / calls).toFixed(3)} ms/call`;
  const runOurs = async (launcher, name) => {
    const run = await runTimed(process.execPath, [launcher, 'call', `sip:uas@127.0.0.1:${uasPort}`, '--user', 'bench', '--count', String(calls), '--rate', String(rate),
      '--concurrent', String(Math.max(50, rate)), '--duration', `${holdMs}ms`, '--json'], { timeoutMs: 120_000 + (calls / rate) * 3000 });
    const json = JSON.parse(run.stdout);
    const callsPerSec = json.count / (json.elapsedMs / 1000);
    console.log(`   ${name.padEnd(8)} ${callsPerSec.toFixed(1)} calls/s, ${json.ok}/${calls} ok, ${json.retransmissions} retransmissions, setup p50 ${json.setupMs?.p50.toFixed(2)} ms p99 ${json.setupMs?.p99.toFixed(2)} ms, wall ${run.elapsedMs.toFixed(0)} ms, ${cpu(run)} (start-up included)`);
    if (json.ok < calls) incompleteRuns.add(label);
    return { ...run, callsPerSec };
  };
  const ours = await runOurs(sipscope, 'sipscope');
  const before = baseline === undefined ? undefined : await runOurs(baseline, 'baseline');
  if (oursOnly) {
    const pair = { oursMsPerCall: ours.cpuMs / calls, baselineMsPerCall: before === undefined ? Number.NaN : before.cpuMs / calls };
    if (before) console.log(`   sipscope/baseline CPU ${(ours.cpuMs / before.cpuMs).toFixed(2)}`);
    return pair;
  }
  // the least any Node.js UAC pays for the same calls (bench/call-floor-uac.mjs: no SIP stack, templates only)
  const floor = await runTimed(process.execPath, [path.join(root, 'bench', 'call-floor-uac.mjs'), `127.0.0.1:${uasPort}`, String(calls), String(rate), String(holdMs)],
    { timeoutMs: 120_000 + (calls / rate) * 3000 });
  const floorRun = JSON.parse(floor.stdout);
  if (floorRun.ok < calls) incompleteRuns.add(label);
  console.log(`   ${'floor'.padEnd(8)} ${(floorRun.count / (floorRun.elapsedMs / 1000)).toFixed(1)} calls/s, ${floorRun.ok}/${calls} ok (bare Node UAC: no SIP stack), ${cpu(floor)}`);
  const oursRate = ours.callsPerSec;
  const statsPath = path.join(work, `uac-stats-${label}.csv`);
  const theirs = await runTimed('sipp', [`127.0.0.1:${uasPort}`, '-sn', 'uac', '-buff_size', '4194304', '-i', '127.0.0.1', '-p', String(uacPort), '-m', String(calls), '-r', String(rate),
    '-l', String(Math.max(50, rate)), '-d', String(holdMs), '-nostdin', '-trace_stat', '-stf', statsPath, '-fd', '3600', '-timeout', `${Math.ceil(calls / rate) + 30}s`],
    { timeoutMs: 120_000 + (calls / rate) * 3000, cwd: work });
  const stats = sippStats(statsPath, calls);
  // SIPp's statistics have whole seconds; its process wall time is the finer measure of the same run
  const sippRate = calls / (theirs.elapsedMs / 1000);
  if (stats.ok < calls) incompleteRuns.add(label);
  console.log(`   SIPp     ${sippRate.toFixed(1)} calls/s (process wall), ${stats.ok}/${calls} ok, ${stats.retransmissions} retransmissions, wall ${theirs.elapsedMs.toFixed(0)} ms, ${cpu(theirs)}`);
  const ratio = {
    rate: oursRate / sippRate, cpu: ours.cpuMs / theirs.cpuMs, floor: floor.cpuMs / theirs.cpuMs, oursMsPerCall: ours.cpuMs / calls, sippMsPerCall: theirs.cpuMs / calls,
    floorCpu: floor.cpuMs, sippCpu: theirs.cpuMs, baselineMsPerCall: before === undefined ? Number.NaN : before.cpuMs / calls,
  };
  console.log(`   ratio sipscope/SIPp: rate ${ratio.rate.toFixed(2)}, CPU per call ${ratio.cpu.toFixed(2)} (target <= 2); floor/SIPp ${ratio.floor.toFixed(2)}, sipscope/floor ${(ours.cpuMs / floor.cpuMs).toFixed(2)}`);
  if (before) {
    ratio.baseline = before.cpuMs / theirs.cpuMs;
    console.log(`   ratio baseline/SIPp: rate ${(before.callsPerSec / sippRate).toFixed(2)}, CPU per call ${ratio.baseline.toFixed(2)}; sipscope/baseline CPU ${(ours.cpuMs / before.cpuMs).toFixed(2)}`);
  }
  return ratio;
}

async function serveBench() {
console.log(`\n2. sipscope serve under SIPp REGISTER load: ${registrations} registrations at ${regRate}/s (REGISTER, 401, REGISTER with MD5 digest, 200):`);
const secret = randomBytes(6).toString('hex');
const users = Array.from({ length: registrations }, (_, index) => ({ user: `user${index + 1}`, password: `bench-${index + 1}-${secret}` }));
writeFileSync(path.join(work, 'users.txt'), users.map(({ user, password }) => `${user} ${password}`).join('\n'));
writeFileSync(path.join(work, 'sipp-users.csv'), ['SEQUENTIAL', ...users.map(({ user, password }) => `${user};${password};sipscope.test;[authentication username=${user} password=${password}];`), ''].join('\n'));
const servePid = path.join(work, 'serve.pid');
const serve = spawnDaemon('bash', ['-c', `echo $$ > ${servePid}; exec "$@"`, 'serve', process.execPath, sipscope, 'serve', '--listen', `127.0.0.1:${servePort}`, '--users', path.join(work, 'users.txt')],
  { maxOutputChars: 200_000, stopGraceMs: 3000 });
try {
  await waitFor(() => serve.output().includes('accounts'), 10_000);
  const statsPath = path.join(work, 'register-stats.csv');
  const cpuBefore = readFileSync(`/proc/${readFileSync(servePid, 'utf8').trim()}/stat`, 'utf8').split(' ');
  const result = await runTimed('sipp', [`127.0.0.1:${servePort}`, '-sf', path.join(root, 'bench', 'sipp', 'register.xml'), '-inf', path.join(work, 'sipp-users.csv'),
    '-buff_size', '4194304', '-i', '127.0.0.1', '-p', String(sippRegisterPort), '-m', String(registrations), '-r', String(regRate), '-l', String(Math.max(regRate, 100)),
    '-timeout', `${Math.ceil(registrations / regRate) + 30}s`, '-nostdin', '-trace_stat', '-stf', statsPath, '-fd', '3600'], { timeoutMs: 120_000, cwd: work });
  const cpuAfter = readFileSync(`/proc/${readFileSync(servePid, 'utf8').trim()}/stat`, 'utf8').split(' ');
  const ticks = (stat) => Number(stat[13]) + Number(stat[14]);
  const serveCpuMs = ((ticks(cpuAfter) - ticks(cpuBefore)) * 1000) / 100;
  const stats = sippStats(statsPath, registrations);
  const perSecond = registrations / (result.elapsedMs / 1000);
  console.log(`   ${stats.ok}/${registrations} registered, ${stats.failed} failed, ${perSecond.toFixed(0)} registrations/s (SIPp process wall ${result.elapsedMs.toFixed(0)} ms), serve CPU ${serveCpuMs.toFixed(0)} ms = ${(serveCpuMs / registrations).toFixed(3)} ms/registration; SIPp exit ${result.code}`);
  // which side held the rate back: a process near 100% of a core is the bottleneck
  console.log(`   SIPp retransmissions: ${stats.retransmissions} (a lost datagram costs its call 500 ms or more)`);
  console.log(`   busy: serve ${((100 * serveCpuMs) / result.elapsedMs).toFixed(0)}% of one core, SIPp ${((100 * result.cpuMs) / result.elapsedMs).toFixed(0)}% (SIPp CPU ${result.cpuMs.toFixed(0)} ms)`);
  const failures = serve.output().split('\n').filter((line) => /dropped|closed|403/.test(line)).length;
  console.log(`   serve log lines about dropped/refused input: ${failures}`);
} finally {
  await serve.stop();
}
}
