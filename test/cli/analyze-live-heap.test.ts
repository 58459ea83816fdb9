/**
 * `analyze --hep-listen` runs under the heap bounds of every analysing command (src/cli/heap-growth.ts). It built
 * its analyzer without them: under a flood of SIP scanner INVITEs over HEP (3000/s, 93,000 calls open at once)
 * RSS reached 660 MB after two minutes and still grew, against a flat ~360 MB with them. A file of its own: the
 * V8 flags are process-wide and each test file runs in a process of its own. UDP port 27835 on loopback.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { heapGrowthBounded } from '../../src/cli/heap-growth.js';
import { runCli } from './analysis-cli-helpers.js';

describe('analyze --hep-listen memory', () => {
  it('bounds the heap growth as the analysis of a capture does', { timeout: 30_000 }, async () => {
    expect(heapGrowthBounded()).toBe(false);
    const run = runCli(['analyze', '--hep-listen', '127.0.0.1:27835', '--jsonl']);
    // listening (its Ctrl-C handler set) once the port is taken: the command loads slowly on a busy machine
    for (let tries = 0; tries < 150 && !(await portTaken(27835)); tries++) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.emit('SIGTERM');
    const { code } = await run;
    expect(code).toBe(0);
    expect(heapGrowthBounded()).toBe(true);
  });
});

/** Whether a UDP socket is bound to the port (read from /proc/net/udp: probing with a bind of our own could take it). */
async function portTaken(port: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  return (await readFile('/proc/net/udp', 'utf8')).includes(hex);
}
