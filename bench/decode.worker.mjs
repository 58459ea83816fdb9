#!/usr/bin/env node
/**
 * One measurement of bench/decode.mjs, in a process of its own so that its peak RSS is its own.
 * Usage: node bench/decode.worker.mjs MODE FILE...   (needs the build in dist/)
 *   decode       decodeCaptures (dist/capture/decode.js) over FILE..., counting SIP messages
 *   read-node    fs read loop, 4 MiB buffer: the raw read speed as Node sees it
 *   read-reader  sipscope's container reader (openCapture + step), every packet visited, nothing decoded
 *   read-pcap-parser  the npm package pcap-parser (classic pcap only), every packet visited
 * Prints one JSON line: { mode, wallMs, cpuMs, packets, messages?, bytes, maxRssKb }.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [mode, ...files] = process.argv.slice(2);
const started = process.hrtime.bigint();
const result = { mode, packets: 0, bytes: files.reduce((sum, f) => sum + statSync(f).size, 0) };

if (mode === 'decode') {
  const { decodeCaptures } = await import(path.join(root, 'dist/capture/decode.js'));
  let messages = 0;
  let issues = 0;
  const stats = await decodeCaptures(files, { payload: () => messages++, issue: () => issues++ });
  Object.assign(result, { packets: stats.packets, messages, issues });
} else if (mode === 'read-node') {
  const buffer = Buffer.alloc(4 * 1024 * 1024);
  for (const file of files) {
    const fd = openSync(file, 'r');
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    closeSync(fd);
  }
} else if (mode === 'read-reader') {
  const { openCapture } = await import(path.join(root, 'dist/capture/open-capture.js'));
  const { STEP_PACKET, STEP_NEED_BYTES } = await import(path.join(root, 'dist/capture/packet-record.js'));
  for (const file of files) {
    const capture = await openCapture(file, () => {});
    let checksum = 0;
    for (;;) {
      const step = capture.reader.step();
      if (step === STEP_PACKET) {
        result.packets++;
        checksum += capture.reader.record.end - capture.reader.record.start;
      } else if (step === STEP_NEED_BYTES) {
        await capture.reader.refill();
      } else break;
    }
    result.capturedBytes = checksum;
    await capture.close();
  }
} else if (mode === 'read-pcap-parser') {
  const pcapParser = createRequire(import.meta.url)('pcap-parser');
  for (const file of files) {
    let checksum = 0;
    await new Promise((resolve, reject) => {
      const parser = pcapParser.parse(file);
      parser.on('packet', (packet) => {
        result.packets++;
        checksum += packet.data.length;
      });
      parser.on('end', resolve);
      parser.on('error', reject);
    });
    result.capturedBytes = checksum;
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
result.wallMs = Number(process.hrtime.bigint() - started) / 1e6;
const usage = process.resourceUsage();
result.maxRssKb = usage.maxRSS;
result.cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
console.log(JSON.stringify(result));
