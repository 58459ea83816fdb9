#!/usr/bin/env node
/**
 * Benchmark of `sipscope report` (issue 13): wall time and peak RSS to write the HTML report of a big capture, next to
 * `sipscope analyze --json` on the same file in the same run (the report is the same analysis plus a second pass and
 * the page), the report's size, and in real headless Chromium (/usr/bin/chromium via playwright-core) the time from
 * navigation to the page drawn, plus the time of a sort and a filter of the calls table (responsiveness).
 *
 * Usage: node bench/report.mjs [--capture FILE] [--runs 3]
 * Without --capture: the largest *.pcap of at least 200 MB in /work/bigcaps/ (a recorded SIPp capture), else
 * /work/bigcaps/report-225.pcap made by bench/make-capture.mjs --size 225 (kept for later runs).
 * Wall time and peak RSS come from /usr/bin/time -v (Debian package `time`). Build first: npm run build.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { timeVerboseFigures } from './time-verbose.mjs';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { capture: { type: 'string' }, runs: { type: 'string', default: '3' } } });
const BIGCAPS = '/work/bigcaps';
const MIN_BYTES = 200 * 1024 * 1024;
const runs = Math.max(1, Number(options.runs));
const outDir = path.join(root, 'bench', 'out');
mkdirSync(outDir, { recursive: true });
const reportFile = path.join(outDir, 'report.html');

function run(command, args, { stdout = 'pipe' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', stdout, 'pipe'] });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: out, stderr: err }));
  });
}

/** Runs under /usr/bin/time -v: wall seconds, CPU seconds and peak RSS (kB) as the kernel saw them. */
async function timed(label, command, args, runOptions) {
  const result = await run('/usr/bin/time', ['-v', command, ...args], runOptions);
  const figures = timeVerboseFigures(result.stderr);
  const seconds = figures.seconds ?? 0;
  const maxRssKb = figures.maxRssKb ?? 0;
  const cpuSeconds = figures.cpuSeconds ?? 0;
  if (result.code !== 0 && !(label === 'analyze' && result.code === 1)) throw new Error(`${label}: exit code ${result.code}\n${result.stderr.slice(-2000)}`);
  return { label, seconds, cpuSeconds, maxRssKb, stdout: result.stdout };
}

async function chooseCapture() {
  if (options.capture) return { file: path.resolve(options.capture), made: false };
  const candidates = existsSync(BIGCAPS)
    ? readdirSync(BIGCAPS)
        .filter((name) => /\.pcap(ng)?$/.test(name))
        .map((name) => path.join(BIGCAPS, name))
        .filter((file) => statSync(file).size >= MIN_BYTES)
        .sort((a, b) => statSync(b).size - statSync(a).size)
    : [];
  if (candidates.length > 0) return { file: candidates[0], made: false };
  const file = path.join(BIGCAPS, 'report-225.pcap');
  if (!existsSync(file)) {
    mkdirSync(BIGCAPS, { recursive: true });
    const made = await run(process.execPath, [path.join(root, 'bench/make-capture.mjs'), '--size', '225', '--out', file]);
    if (made.code !== 0) throw new Error(`make-capture failed: ${made.stderr}`);
  }
  return { file, made: true };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mib = (bytes) => bytes / (1024 * 1024);

async function firstRender(file) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const started = Date.now();
    await page.goto(`file://${file}`, { timeout: 120_000 });
    await page.waitForSelector('html[data-ready-ms]', { timeout: 120_000 });
    const drawnMs = Date.now() - started;
    const inPageMs = Number(await page.getAttribute('html', 'data-ready-ms'));
    // responsiveness: the table handlers run synchronously in click(), so the time around it is the work done
    const sortMs = await page.evaluate(() => {
      const button = [...document.querySelectorAll('#calls-table th button')].find((node) => node.textContent === 'duration');
      const t0 = performance.now();
      button.click();
      return performance.now() - t0;
    });
    const filterMs = await page.evaluate(() => {
      const select = document.getElementById('calls-state');
      select.value = 'ended';
      const t0 = performance.now();
      select.dispatchEvent(new Event('change'));
      return performance.now() - t0;
    });
    // a ladder: from the click on a finding's Call-ID to its SVG drawn (its block inflated on demand)
    let ladderMs = null;
    const link = page.locator('#findings-table a.call-link').first();
    if ((await link.count()) > 0) {
      const clicked = Date.now();
      await link.click();
      await page.waitForSelector('#ladders details[open] svg.ladder', { timeout: 60_000 });
      ladderMs = Date.now() - clicked;
    }
    return { drawnMs, inPageMs, sortMs, filterMs, ladderMs };
  } finally {
    await browser.close();
  }
}

const log = (text) => console.log(text);
log(`# report benchmark  (${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)})`);
const capture = await chooseCapture();
const captureBytes = statSync(capture.file).size;
log(`capture: ${capture.file}  ${mib(captureBytes).toFixed(1)} MiB${capture.made ? ' (made by bench/make-capture.mjs --size 225: no SIPp capture of >= 200 MB was in /work/bigcaps)' : ''}`);
await run('cat', [capture.file], { stdout: 'ignore' });

const cli = path.join(root, 'bin/sipscope.js');
const analyze = [];
const report = [];
for (let index = 0; index < runs; index++) {
  analyze.push(await timed('analyze', process.execPath, [cli, 'analyze', capture.file, '--json'], { stdout: 'ignore' }));
  report.push(await timed('report', process.execPath, [cli, 'report', capture.file, '-o', reportFile]));
}
const reportBytes = statSync(reportFile).size;
const summaryLine = report.at(-1).stdout.trim();
const renders = [];
for (let index = 0; index < runs; index++) renders.push(await firstRender(reportFile));

const row = (label, measured) =>
  `| ${label} | ${median(measured.map((m) => m.seconds)).toFixed(2)} | ${median(measured.map((m) => m.cpuSeconds)).toFixed(2)} | ${(median(measured.map((m) => m.maxRssKb)) / 1024).toFixed(0)} |`;
log(`\n${summaryLine}`);
log(`report size: ${mib(reportBytes).toFixed(1)} MiB (${reportBytes} bytes)\n`);
log('| what (median of ' + runs + ') | wall s | CPU s | peak RSS MiB |');
log('|---|---:|---:|---:|');
log(row('sipscope analyze --json > /dev/null', analyze));
log(row('sipscope report -o report.html', report));
const ratio = median(report.map((m) => m.seconds)) / median(analyze.map((m) => m.seconds));
log(`\nreport / analyze wall: ${ratio.toFixed(2)}x`);
const pick = (key) => median(renders.map((r) => r[key] ?? 0));
log(`Chromium: navigation to drawn ${pick('drawnMs').toFixed(0)} ms (page's own clock at ready: ${pick('inPageMs').toFixed(0)} ms; runs: ${renders.map((r) => r.drawnMs).join(', ')} ms; target < 3000 ms)`);
log(`Chromium: sort calls by duration ${pick('sortMs').toFixed(0)} ms, filter calls by state ${pick('filterMs').toFixed(0)} ms, open first ladder ${pick('ladderMs').toFixed(0)} ms`);
writeFileSync(
  path.join(outDir, 'report.json'),
  JSON.stringify({ capture: capture.file, captureBytes, made: capture.made, reportBytes, summaryLine, analyze, report: report.map(({ stdout, ...rest }) => rest), renders, ratio }, null, 2),
);
