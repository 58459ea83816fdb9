#!/usr/bin/env node
/**
 * Capture decoding benchmark (issue 4): on one large capture made by bench/make-capture.mjs (real captures
 * replicated, default 220 MB, written to bench/data/, gitignored), in the same run:
 *   - raw read speed of the file: `cat FILE > /dev/null` and a Node fs read loop (page cache warm, nothing dropped);
 *   - sipscope: decodeCaptures in-process (dist/capture/decode.js, counting messages) and the CLI
 *     `sipscope decode FILE --json > /dev/null`;
 *   - tshark: `tshark -r FILE -d tcp.port==6060,sip -Y sip -T fields -e frame.number -e sip.Call-ID`;
 *   - sngrep, headless: `sngrep -N -l 100000000 -I FILE`;
 *   - container reading alone: sipscope's reader vs the npm package pcap-parser;
 *   - sipscope's peak RSS at 1x and 4x the capture size (a 4x file), which must stay flat.
 * Wall time and peak RSS of every external program come from /usr/bin/time -v (Debian package `time`).
 * Needs `npm run build` first. Usage: node bench/decode.mjs [--size 220] [--keep] [--skip-4x]
 * Results are also written to bench/out/decode.json.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { timeVerboseFigures } from './time-verbose.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: { size: { type: 'string', default: '220' }, keep: { type: 'boolean', default: false }, 'skip-4x': { type: 'boolean', default: false } },
});
const size = Number(options.size);
const dataDir = path.join(root, 'bench', 'data');
const file1x = path.join(dataDir, `replicated-${size}MB.pcap`);
const file4x = path.join(dataDir, `replicated-${size * 4}MB.pcap`);
const TIME_LIMIT_MS = 9 * 60 * 1000;
const benchStarted = Date.now();

for (const tool of ['tshark', 'sngrep', '/usr/bin/time']) {
  if ((await run('sh', ['-c', `command -v ${tool}`])).code !== 0) throw new Error(`${tool} is needed (Debian packages tshark, sngrep, time)`);
}
if (!existsSync(path.join(root, 'dist/capture/decode.js'))) throw new Error('dist/ missing: run `npm run build` first');

/** Runs a command; stdout goes to `stdout` ('ignore', 'pipe' or an fd), a line handler can watch it. */
function run(command, args, { stdout = 'pipe', onLine } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', stdout, 'pipe'], cwd: root });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout?.on('data', (chunk) => {
      if (!onLine) return void (out += chunk);
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) onLine(line);
    });
    child.stderr.on('data', (chunk) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIME_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (onLine && partial) onLine(partial);
      resolve({ code, stdout: out, stderr: err });
    });
  });
}

/** Runs under /usr/bin/time -v: wall seconds and peak RSS (kB) as the kernel saw them. */
async function timed(label, command, args, runOptions) {
  const result = await run('/usr/bin/time', ['-v', command, ...args], runOptions);
  const figures = timeVerboseFigures(result.stderr);
  const seconds = figures.seconds ?? 0;
  const maxRssKb = figures.maxRssKb ?? 0;
  const cpuSeconds = figures.cpuSeconds ?? 0;
  if (result.code !== 0) console.error(`${label}: exit code ${result.code}\n${result.stderr.slice(-2000)}`);
  return { label, seconds, cpuSeconds, maxRssKb, code: result.code, stdout: result.stdout, stderr: result.stderr };
}

async function worker(mode, files) {
  const measured = await timed(`worker ${mode}`, process.execPath, [path.join(root, 'bench/decode.worker.mjs'), mode, ...files]);
  const line = measured.stdout.trim().split('\n').pop();
  const inside = JSON.parse(line);
  // in-process figures: the worker's own clock, from before it loads the module to the end (no Node start-up)
  return { ...measured, ...inside, processSeconds: measured.seconds, seconds: inside.wallMs / 1000, cpuSeconds: inside.cpuMs / 1000 };
}

async function makeCapture(target, sizeMb) {
  if (existsSync(target) && statSync(target).size >= sizeMb * 1024 * 1024) return JSON.parse('{"reused":true}');
  const result = await run(process.execPath, [path.join(root, 'bench/make-capture.mjs'), '--size', String(sizeMb), '--out', target]);
  if (result.code !== 0) throw new Error(`make-capture failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim());
}

const mb = (bytes) => bytes / (1024 * 1024);
const log = (text) => console.log(text);

log(`# capture decode benchmark  (${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)})`);
const made = await makeCapture(file1x, size);
const bytes = statSync(file1x).size;
log(`capture: ${path.relative(root, file1x)}  ${mb(bytes).toFixed(1)} MB${made.reused ? ' (reused)' : `, made: ${made.replicas} replicas of ${made.templatePackets} real packets`}`);

const results = {};
// warm the page cache so that every reader below sees the same (cached) file
await run('cat', [file1x], { stdout: 'ignore' });
results.cat = await timed('cat', 'sh', ['-c', `cat "${file1x}" > /dev/null`]);
// O_DIRECT bypasses the page cache: the disk's own read speed, without dropping anyone's cache
results.dd = await timed('dd direct', 'dd', [`if=${file1x}`, 'of=/dev/null', 'bs=4M', 'iflag=direct']);
results.readNode = await worker('read-node', [file1x]);
results.readReader = await worker('read-reader', [file1x]);
results.readPcapParser = await worker('read-pcap-parser', [file1x]);
results.decode = await worker('decode', [file1x]);
const packets = results.decode.packets;

const devNull = openSync('/dev/null', 'w');
results.cli = await timed('sipscope decode --json', process.execPath, [path.join(root, 'bin/sipscope.js'), 'decode', file1x, '--json'], { stdout: devNull });

let tsharkMessages = 0;
results.tshark = await timed('tshark', 'tshark', ['-r', file1x, '-d', 'tcp.port==6060,sip', '-Y', 'sip', '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Call-ID'], {
  onLine: (line) => {
    if (line.trim()) tsharkMessages += line.split('\t')[1]?.split(',').length ?? 1;
  },
});
results.tshark.messages = tsharkMessages;

results.sngrep = await timed('sngrep', 'sngrep', ['-N', '-l', '100000000', '-I', file1x]);
results.sngrep.dialogs = Number([...results.sngrep.stdout.matchAll(/Dialog count: (\d+)/g)].pop()?.[1] ?? NaN);

if (!options['skip-4x']) {
  await makeCapture(file4x, size * 4);
  results.decode4x = await worker('decode', [file4x]);
  results.cli4x = await timed('sipscope decode --json (4x)', process.execPath, [path.join(root, 'bin/sipscope.js'), 'decode', file4x, '--json'], { stdout: devNull });
}

// ---- report
const rate = (r) => ({ mbs: mb(bytes) / r.seconds, pps: packets / r.seconds });
const rows = [
  ['cat (raw read, page cache)', results.cat],
  ['dd iflag=direct (raw read, disk)', results.dd],
  ['node fs read loop', results.readNode],
  ['sipscope reader only', results.readReader],
  ['pcap-parser (npm) read', results.readPcapParser],
  ['sipscope decode (in-process)', results.decode],
  ['sipscope decode CLI --json', results.cli],
  ['tshark -Y sip fields', results.tshark],
  ['sngrep -N -I', results.sngrep],
];
log('');
log('| what | wall s | CPU s | MB/s | packets/s | peak RSS MB | messages |');
log('|---|---:|---:|---:|---:|---:|---:|');
for (const [name, r] of rows) {
  const { mbs, pps } = rate(r);
  const messages = r.messages ?? (r.dialogs !== undefined ? `${r.dialogs} dialogs` : '');
  log(`| ${name} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${mbs.toFixed(1)} | ${Math.round(pps).toLocaleString('en')} | ${(r.maxRssKb / 1024).toFixed(0)} | ${messages} |`);
}
const ratio = (a, b) => (b.seconds / a.seconds).toFixed(1);
const cpuRatio = (a, b) => (b.cpuSeconds / a.cpuSeconds).toFixed(1);
const summary = {
  fileMB: mb(bytes),
  packets,
  messagesSipscope: results.decode.messages,
  messagesTshark: tsharkMessages,
  messagesAgree: results.decode.messages === tsharkMessages,
  speedupVsTshark: {
    inProcess: Number(ratio(results.decode, results.tshark)),
    cli: Number(ratio(results.cli, results.tshark)),
    cliCpu: Number(cpuRatio(results.cli, results.tshark)),
  },
  speedupVsSngrep: {
    inProcess: Number(ratio(results.decode, results.sngrep)),
    cli: Number(ratio(results.cli, results.sngrep)),
    cliCpu: Number(cpuRatio(results.cli, results.sngrep)),
  },
  shareOfRawRead: {
    vsDiskDirect: results.dd.seconds / results.decode.seconds,
    vsCat: results.cat.seconds / results.decode.seconds,
    vsNodeRead: results.readNode.seconds / results.decode.seconds,
  },
  pcapParserVsReader: results.readPcapParser.seconds / results.readReader.seconds,
  peakRssMB: {
    inProcess1x: results.decode.maxRssKb / 1024,
    inProcess4x: results.decode4x ? results.decode4x.maxRssKb / 1024 : undefined,
    cli1x: results.cli.maxRssKb / 1024,
    cli4x: results.cli4x ? results.cli4x.maxRssKb / 1024 : undefined,
  },
};
log('');
log(`messages: sipscope ${summary.messagesSipscope}, tshark ${summary.messagesTshark} -> ${summary.messagesAgree ? 'agree' : 'DIFFER'}`);
log(
  `sipscope vs tshark: ${summary.speedupVsTshark.inProcess}x in-process, ${summary.speedupVsTshark.cli}x CLI wall, ${summary.speedupVsTshark.cliCpu}x CLI CPU time (target >= 20x)`,
);
log(
  `sipscope vs sngrep: ${summary.speedupVsSngrep.inProcess}x in-process, ${summary.speedupVsSngrep.cli}x CLI wall, ${summary.speedupVsSngrep.cliCpu}x CLI CPU time`,
);
log(
  `share of raw read speed: ${(summary.shareOfRawRead.vsDiskDirect * 100).toFixed(0)}% of the disk (O_DIRECT), ${(summary.shareOfRawRead.vsCat * 100).toFixed(0)}% of cat from page cache, ${(summary.shareOfRawRead.vsNodeRead * 100).toFixed(0)}% of a Node read loop (target >= 40%)`,
);
log(`container reading: pcap-parser takes ${summary.pcapParserVsReader.toFixed(1)}x the time of sipscope's reader (${results.readPcapParser.packets} vs ${results.readReader.packets} packets)`);
if (results.decode4x) {
  log(
    `peak RSS 1x -> 4x: in-process ${summary.peakRssMB.inProcess1x.toFixed(0)} -> ${summary.peakRssMB.inProcess4x.toFixed(0)} MB, ` +
      `CLI ${summary.peakRssMB.cli1x.toFixed(0)} -> ${summary.peakRssMB.cli4x.toFixed(0)} MB (4x: ${mb(statSync(file4x).size).toFixed(0)} MB, ${results.decode4x.messages} messages in ${results.decode4x.seconds.toFixed(1)} s)`,
  );
}
log(`bench time: ${((Date.now() - benchStarted) / 1000).toFixed(0)} s, load average now ${loadavg()[0].toFixed(1)} (other work on the machine slows every figure; CPU times are steadier)`);
mkdirSync(path.join(root, 'bench', 'out'), { recursive: true });
writeFileSync(
  path.join(root, 'bench', 'out', 'decode.json'),
  JSON.stringify({ summary, results: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { ...r, stdout: undefined, stderr: undefined }])) }, null, 1),
);
if (!options.keep) {
  for (const file of [file1x, file4x]) rmSync(file, { force: true });
}
