#!/usr/bin/env node
/**
 * Dataset benchmark (issue 16), in one run on the same files:
 *   - `sipscope analyze FILE --json` against `sipscope analyze FILE --json --dataset DIR --host h`: wall time, CPU
 *     time and peak RSS (from /usr/bin/time), and their ratios (target: <= 1.3x the time; RSS within 200 MB);
 *   - the dataset's size against the capture's;
 *   - `sipscope query DIR --revocations` over the datasets of ~10 GB of replicated captures: the 1 GB capture's
 *     dataset written under 10 host names (its part files copied to host=h1..h10), as 10 hosts' rings would give
 *     (target: under 2 s), timed as a whole process and in-process (opening the views, then the query).
 * Captures: the SIPp capture in /work/bigcaps (analysis-sipp-90k.pcapng) when there, else one made by
 * bench/make-capture.mjs at 225 MB; and a 1 GB capture made by bench/make-capture.mjs (kept in /work/bigcaps).
 * Needs `npm run build` first. Usage: node bench/dataset.mjs [--capture FILE] [--big FILE] [--hosts 10] [--skip-big]
 * Results are also written to bench/out/dataset.json.
 */
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: {
    capture: { type: 'string' },
    big: { type: 'string', default: '/work/bigcaps/dataset-1000MB.pcap' },
    hosts: { type: 'string', default: '10' },
    'skip-big': { type: 'boolean', default: false },
    work: { type: 'string', default: '/work/bigcaps/dataset-bench' },
  },
});
if (!existsSync(path.join(root, 'dist/dataset/index.js'))) throw new Error('dist/ missing: run `npm run build` first');

function run(command, args, { stdout = 'ignore' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', stdout, 'pipe'], cwd: root });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, err }));
  });
}

/** Wall, user+sys CPU seconds and peak RSS (MB) of one command, from /usr/bin/time. */
async function timed(args, outFile) {
  const fd = outFile === undefined ? 'ignore' : openSync(outFile, 'w');
  const { code, err } = await run('/usr/bin/time', ['-f', 'BENCH %e %U %S %M', ...args], { stdout: fd });
  if (fd !== 'ignore') closeSync(fd);
  const line = err.split('\n').find((text) => text.startsWith('BENCH '));
  if (!line || code > 1) throw new Error(`${args.join(' ')} failed (${code}): ${err.slice(-500)}`);
  const [wall, user, sys, rssKb] = line.split(' ').slice(1).map(Number);
  return { wall, cpu: +(user + sys).toFixed(2), rssMb: Math.round(rssKb / 1024), stderr: err };
}

function sizeOf(target) {
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(target, { recursive: true }).reduce((sum, entry) => {
    const entryStat = statSync(path.join(target, String(entry)));
    return entryStat.isFile() ? sum + entryStat.size : sum;
  }, 0);
}

const mb = (bytes) => +(bytes / 1048576).toFixed(1);

async function ensureCapture(file, sizeMb) {
  if (existsSync(file)) return file;
  const made = await run(process.execPath, ['bench/make-capture.mjs', '--size', String(sizeMb), '--out', file]);
  if (made.code !== 0) throw new Error(`make-capture failed: ${made.err}`);
  return file;
}

async function compare(capture, label) {
  const dataset = path.join(options.work, `${label}-dataset`);
  rmSync(dataset, { recursive: true, force: true });
  const cli = [process.execPath, 'bin/sipscope.js', 'analyze', capture, '--json'];
  // alternate the two so that load from elsewhere on the machine falls on both
  const analyzeOut = path.join(options.work, `${label}-analyze.json`);
  const plain = await timed(cli, analyzeOut);
  const withDataset = await timed([...cli, '--dataset', dataset, '--host', 'h']);
  const plain2 = await timed(cli);
  const withDataset2 = await timed([...cli, '--dataset', dataset, '--host', 'h']);
  const best = (a, b) => (a.wall <= b.wall ? a : b);
  const p = best(plain, plain2);
  const d = best(withDataset, withDataset2);
  const result = {
    capture,
    captureMb: mb(sizeOf(capture)),
    plain: { wall: p.wall, cpu: p.cpu, rssMb: p.rssMb },
    dataset: { wall: d.wall, cpu: d.cpu, rssMb: d.rssMb },
    timeRatio: +(d.wall / p.wall).toFixed(2),
    cpuRatio: +(d.cpu / p.cpu).toFixed(2),
    rssDeltaMb: d.rssMb - p.rssMb,
    datasetMb: mb(sizeOf(dataset)),
    datasetToCapture: +(sizeOf(dataset) / sizeOf(capture)).toFixed(4),
    written: /\): (.*)$/m.exec(d.stderr)?.[1],
    sameAsAnalyze: await sameAnswers(dataset, analyzeOut),
  };
  console.log(
    `${label}: ${result.captureMb} MB capture; analyze --json ${p.wall}s (cpu ${p.cpu}s, ${p.rssMb} MB) vs --dataset ${d.wall}s ` +
      `(cpu ${d.cpu}s, ${d.rssMb} MB): time x${result.timeRatio}, cpu x${result.cpuRatio}, RSS +${result.rssDeltaMb} MB; ` +
      `dataset ${result.datasetMb} MB = ${(100 * result.datasetToCapture).toFixed(2)}% of the capture; ` +
      `query = analyze: revocations ${result.sameAsAnalyze.revocations}, durations ${result.sameAsAnalyze.durations}`,
  );
  return { result, dataset };
}

/** Does `query` give the revocation timeline and durations that `analyze --json` printed? */
async function sameAnswers(dataset, analyzeOut) {
  const analyzed = JSON.parse(readFileSync(analyzeOut, 'utf8'));
  const ask = async (flag) => {
    const out = path.join(options.work, 'query.json');
    await timed([process.execPath, 'bin/sipscope.js', 'query', dataset, flag, '--json'], out);
    return JSON.parse(readFileSync(out, 'utf8'));
  };
  const revocations = (await ask('--revocations')).map((row) => ({
    username: row.username, lastSuccess: row.last_success, firstForbidden: row.first_forbidden, activeCalls: row.active_calls, damagedCalls: row.damaged_calls,
  }));
  const [d] = await ask('--durations');
  const durations = { p50Ms: d.p50_ms, p95Ms: d.p95_ms, p99Ms: d.p99_ms, maxMs: d.max_ms, drainWindowMs: d.drain_window_ms };
  return {
    revocations: JSON.stringify(revocations) === JSON.stringify(analyzed.revocations),
    durations: JSON.stringify(durations) === JSON.stringify(analyzed.durations),
  };
}

/** The dataset of one host copied under `hosts` host names: what `hosts` hosts' rings would write. */
function replicate(dataset, hosts, target) {
  rmSync(target, { recursive: true, force: true });
  for (const table of readdirSync(dataset)) {
    for (const date of readdirSync(path.join(dataset, table))) {
      for (let index = 1; index <= hosts; index++) {
        cpSync(path.join(dataset, table, date, 'host=h'), path.join(target, table, date, `host=h${index}`), { recursive: true });
      }
    }
  }
  return target;
}

async function queryTimes(dataset) {
  const processRuns = [];
  for (let i = 0; i < 3; i++) processRuns.push(await timed([process.execPath, 'bin/sipscope.js', 'query', dataset, '--revocations']));
  const { DatasetConnection, revocationsSql } = await import(path.join(root, 'dist/dataset/index.js'));
  const inProcess = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const connection = await DatasetConnection.open(dataset);
    const opened = performance.now();
    const answer = await connection.query(revocationsSql({}));
    const done = performance.now();
    connection.close();
    inProcess.push({ openMs: Math.round(opened - started), queryMs: Math.round(done - opened), rows: answer.rows.length });
  }
  return { process: processRuns.map(({ wall, cpu, rssMb }) => ({ wall, cpu, rssMb })), inProcess };
}

mkdirSync(options.work, { recursive: true });
const started = Date.now();
const results = { machine: { load: loadavg().map((value) => +value.toFixed(1)) }, runs: [] };
const sipp = '/work/bigcaps/analysis-sipp-90k.pcapng';
const capture = options.capture ?? (existsSync(sipp) ? sipp : await ensureCapture('/work/bigcaps/dataset-225MB.pcap', 225));
results.runs.push((await compare(capture, options.capture === undefined ? '225MB' : path.basename(capture))).result);
if (!options['skip-big']) {
  const big = await ensureCapture(options.big, 1000);
  const { result, dataset } = await compare(big, '1GB');
  results.runs.push(result);
  const hosts = Number(options.hosts);
  const fleet = replicate(dataset, hosts, path.join(options.work, `fleet-${hosts}-hosts`));
  const query = await queryTimes(fleet);
  results.fleet = { hosts, capturesGb: +((hosts * sizeOf(big)) / 1024 ** 3).toFixed(1), datasetMb: mb(sizeOf(fleet)), query };
  console.log(
    `query --revocations over ${hosts} hosts (${results.fleet.capturesGb} GB of captures, ${results.fleet.datasetMb} MB of Parquet): ` +
      `process ${query.process.map((runTime) => `${runTime.wall}s`).join(', ')}; in-process open+query ` +
      `${query.inProcess.map((runTime) => `${runTime.openMs}+${runTime.queryMs} ms`).join(', ')}`,
  );
}
results.seconds = Math.round((Date.now() - started) / 1000);
mkdirSync(path.join(root, 'bench/out'), { recursive: true });
writeFileSync(path.join(root, 'bench/out/dataset.json'), JSON.stringify(results, null, 2));
