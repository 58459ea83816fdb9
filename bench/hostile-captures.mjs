#!/usr/bin/env node
/**
 * Hostile-capture benchmark (issue 14, defect 1): does decoding stay linear in the number of units a capture throws
 * at one datagram, flow or stream? For 5k/10k/20k/40k units (default), each in a capture made by the generators of
 * test/capture/hostile-captures.mjs, in the same run:
 *   - fragments v4 / v6: overlapping IP fragments of one datagram that never completes, the last fragment first
 *     (the case that took 2.4 s / 8.1 s / > 20 s for 5k / 10k / 20k before);
 *   - fragments v4, cap lifted: the same with maxFragmentsPerDatagram out of the way, so that the ordered piece
 *     structure alone is timed (every fragment lands in one datagram);
 *   - tcp out-of-order: segments of one flow held ahead of a hole, arriving in descending order;
 *   - tcp resync, 1-byte segments: a damaged flow resynchronising over one-byte segments of start lines that never end;
 *   - sctp fragments: DATA fragments of one user message that never ends, in descending TSN order;
 *   - tshark -r FILE on the v4 fragment flood, as the peer (its own reassembly, same file).
 * Printed: wall ms (best of --runs), microseconds per unit, and the growth from the previous size (2.0x = linear
 * for doubling sizes; 4x would be quadratic). Needs `npm run build` (or --dist DIR for another build, e.g. an older
 * one to compare). Usage: node bench/hostile-captures.mjs [--sizes 5000,10000,20000,40000] [--runs 3] [--dist DIR]
 * [--no-tshark] [--limit-s 60]   (a case stops growing once one run takes longer than --limit-s)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { fragmentFlood, sctpFragments, tcpOutOfOrder, tcpResyncTinySegments } from '../test/capture/hostile-captures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({
  options: {
    sizes: { type: 'string', default: '5000,10000,20000,40000' },
    runs: { type: 'string', default: '5' },
    dist: { type: 'string', default: path.join(root, 'dist') },
    'no-tshark': { type: 'boolean', default: false },
    'limit-s': { type: 'string', default: '60' },
  },
});
const sizes = options.sizes.split(',').map(Number);
const runs = Number(options.runs);
const limitMs = Number(options['limit-s']) * 1000;
const { decodeCaptures } = await import(pathToFileURL(path.join(path.resolve(options.dist), 'capture/decode.js')).href);
const scratch = mkdtempSync(path.join(tmpdir(), 'sipscope-hostile-'));

const cases = [
  { name: 'fragments v4', make: (n) => fragmentFlood(n, 4) },
  { name: 'fragments v6', make: (n) => fragmentFlood(n, 6) },
  { name: 'fragments v4, cap lifted', make: (n) => fragmentFlood(n, 4), decodeOptions: { fragments: { maxFragmentsPerDatagram: Number.MAX_SAFE_INTEGER } } },
  { name: 'tcp out-of-order', make: tcpOutOfOrder },
  { name: 'tcp resync, 1-byte segments', make: tcpResyncTinySegments },
  { name: 'sctp fragments', make: sctpFragments },
];

async function timeDecode(file, decodeOptions) {
  let best = Infinity;
  let issues = 0;
  for (let run = 0; run < runs; run++) {
    issues = 0;
    const started = process.hrtime.bigint();
    await decodeCaptures([file], { payload: () => {}, issue: () => issues++ }, decodeOptions);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    best = Math.min(best, ms);
    if (ms > limitMs) break;
  }
  return { ms: best, issues };
}

function timeTshark(file) {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    const result = spawnSync('tshark', ['-r', file, '-q'], { stdio: 'ignore', timeout: limitMs * 2 });
    if (result.error) return undefined;
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

// warm the decoder up (JIT) on a small capture of each kind, so that the first size is not charged for it
for (const testCase of cases) {
  const file = path.join(scratch, 'warm-up.pcap');
  writeFileSync(file, testCase.make(1000));
  await timeDecode(file, testCase.decodeOptions);
}

const rows = [];
try {
  for (const testCase of [...cases, ...(options['no-tshark'] ? [] : [{ name: 'tshark -r (fragments v4)', make: (n) => fragmentFlood(n, 4), tshark: true }])]) {
    let previous;
    for (const size of sizes) {
      const file = path.join(scratch, `${testCase.name.replace(/\W+/g, '-')}-${size}.pcap`);
      writeFileSync(file, testCase.make(size));
      const measured = testCase.tshark ? { ms: timeTshark(file), issues: '' } : await timeDecode(file, testCase.decodeOptions);
      if (measured.ms === undefined) break;
      const growth = previous === undefined ? '' : `${(measured.ms / previous.ms).toFixed(2)}x for ${(size / previous.size).toFixed(1)}x units`;
      rows.push({ case: testCase.name, units: size, ms: measured.ms, usPerUnit: (measured.ms * 1000) / size, growth, issues: measured.issues });
      previous = { ms: measured.ms, size };
      rmSync(file);
      if (measured.ms > limitMs) break;
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log(`# hostile captures: time per unit as units grow (${new Date().toISOString()}, node ${process.version}, load ${loadavg()[0].toFixed(1)}, best of ${runs}, build ${options.dist})`);
console.log('| case | units | wall ms | µs/unit | growth | issues |');
console.log('|---|---:|---:|---:|---|---:|');
for (const row of rows) console.log(`| ${row.case} | ${row.units} | ${row.ms.toFixed(1)} | ${row.usPerUnit.toFixed(2)} | ${row.growth} | ${row.issues} |`);
for (const name of new Set(rows.map((row) => row.case))) {
  const own = rows.filter((row) => row.case === name);
  if (own.length < 2) continue;
  const first = own[0];
  const last = own[own.length - 1];
  console.log(`${name}: ${(last.units / first.units).toFixed(0)}x the units took ${(last.ms / first.ms).toFixed(1)}x the time (linear: ${(last.units / first.units).toFixed(0)}x, quadratic: ${((last.units / first.units) ** 2).toFixed(0)}x)`);
}
const ours = rows.filter((row) => row.case === 'fragments v4');
const peer = rows.filter((row) => row.case.startsWith('tshark'));
for (const row of ours) {
  const match = peer.find((p) => p.units === row.units);
  if (match) console.log(`fragments v4, ${row.units} units: sipscope ${row.ms.toFixed(0)} ms, tshark ${match.ms.toFixed(0)} ms (${(match.ms / row.ms).toFixed(1)}x)`);
}
