/**
 * bin/prestart-read-thread.js starts a threaded analysis's read thread before the CLI bundle loads, from a guess at
 * the command line; read-thread.ts adopts it. The guess must follow the CLI's own rule (the same size threshold and
 * environment variable, the same commands, never for stdin or an option that reads in one thread), an adopted thread
 * must give exactly what one thread gives, and one left unadopted must not keep the process alive.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analysis/analyze.js';
import { READ_THREAD_MIN_BYTES, readThreadsAdopted } from '../../src/analysis/read-thread/read-thread.js';

const require = createRequire(import.meta.url);
const prestart = require('../../bin/prestart-read-thread.js') as {
  prestartReadThread(args: string[], env?: NodeJS.ProcessEnv): void;
  wantsReadThread(args: string[], env: NodeJS.ProcessEnv): boolean;
  READ_THREAD_MIN_BYTES: number;
  PRESTARTED: symbol;
};

const CAPTURE = 'fixtures/captures/recorded/revocation-udp.pcap';
const ANY_SIZE = { SIPSCOPE_READ_THREAD_MIN_BYTES: '0' };
const slot = globalThis as unknown as Record<symbol, unknown>;

describe('the read thread started before the CLI loads', () => {
  it('is guessed with the CLI rule: its commands, capture files of READ_THREAD_MIN_BYTES or more, no stdin, no one-thread option', () => {
    expect(prestart.READ_THREAD_MIN_BYTES).toBe(READ_THREAD_MIN_BYTES);
    const wants = (args: string[], env: NodeJS.ProcessEnv = ANY_SIZE) => prestart.wantsReadThread(args, env);
    for (const command of ['analyze', 'calls', 'flow']) expect(wants([command, CAPTURE])).toBe(true);
    expect(wants(['analyze', '--user', 'alice', CAPTURE, '--json'])).toBe(true);
    // the fixture is far under the default threshold; a threshold of exactly its size takes it, one byte more not
    const size = statSync(CAPTURE).size;
    expect(wants(['analyze', CAPTURE], {})).toBe(false);
    expect(wants(['analyze', CAPTURE], { SIPSCOPE_READ_THREAD_MIN_BYTES: String(size) })).toBe(true);
    expect(wants(['analyze', CAPTURE], { SIPSCOPE_READ_THREAD_MIN_BYTES: String(size + 1) })).toBe(false);
    expect(wants(['analyze', CAPTURE, CAPTURE], { SIPSCOPE_READ_THREAD_MIN_BYTES: String(size + 1) })).toBe(true);
    for (const args of [
      ['register', CAPTURE],
      ['analyze'],
      ['analyze', 'no-such-capture.pcap'],
      ['analyze', 'fixtures/captures'],
      ['analyze', '-'],
      ['analyze', CAPTURE, '-'],
      ['analyze', CAPTURE, '--no-threads'],
      ['analyze', CAPTURE, '--dataset', 'out.parquet'],
      ['analyze', CAPTURE, '--dataset=out.parquet'],
      ['analyze', CAPTURE, '--follow'],
      ['analyze', '--hep-listen', '127.0.0.1:9060'],
    ]) {
      expect({ args, wants: wants(args) }).toEqual({ args, wants: false });
    }
  });

  it('is adopted by the analysis, which then gives what one thread gives', async () => {
    const expected = await analyzeCaptures([CAPTURE]);
    prestart.prestartReadThread(['analyze', CAPTURE], ANY_SIZE);
    expect(slot[prestart.PRESTARTED]).toBeDefined();
    const adopted = readThreadsAdopted;
    const result = await analyzeCaptures([CAPTURE], { readThread: {} });
    expect(readThreadsAdopted).toBe(adopted + 1);
    expect(slot[prestart.PRESTARTED]).toBeUndefined();
    expect(result).toEqual(expected);
    expect(result.summary.sipMessages).toBeGreaterThan(100);
  });

  it('runs the CLI the same as one thread, and an unadopted one does not hold the process', () => {
    const run = (args: string[]) => spawnSync(process.execPath, ['bin/sipscope.js', ...args], { env: { ...process.env, ...ANY_SIZE }, encoding: 'utf8', timeout: 30_000 });
    const threaded = run(['analyze', CAPTURE, '--json']);
    const oneThread = run(['analyze', CAPTURE, '--json', '--no-threads']);
    // the revocation capture's damage: exit 1 either way
    expect({ status: threaded.status, out: threaded.stdout, err: threaded.stderr }).toEqual({ status: 1, out: oneThread.stdout, err: oneThread.stderr });
    expect(oneThread.status).toBe(1);
    expect(threaded.stdout).toContain('"reinvite-forbidden"');
    // a usage error ends the CLI before any analysis: the process exits at once, the prestarted thread with it
    const started = Date.now();
    const usage = run(['analyze', CAPTURE, '--bogus']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/Unknown argument: bogus/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
