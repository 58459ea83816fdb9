/**
 * Issue 9 proof: a growing capture piped into `analyze - --follow --jsonl` reports findings while the capture still
 * runs. dumpcap writes loopback traffic to stdout (-w -) while SIPp calls a SIPp UAS that answers 503; each 503 is a
 * server-error finding, which must come out of sipscope before dumpcap is stopped. Stopping dumpcap ends the
 * stream: the summary follows. Ports 26322-26323 (analysis helper's range). Run under the interop lock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const UAS_PORT = 26322;
const UAC_PORT = 26323;
const CALLS = 3;

describe('analyze - --follow on a growing capture', () => {
  it('writes finding events before the capture ends, then the summary', { timeout: 60_000 }, async () => {
    const capture = spawn('dumpcap', ['-q', '-i', 'lo', '-f', `udp port ${UAS_PORT}`, '-w', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const analyze = spawn(process.execPath, ['bin/sipscope.js', 'analyze', '-', '--follow', '--jsonl'], { stdio: ['pipe', 'pipe', 'pipe'] });
    capture.stdout.pipe(analyze.stdin);
    const events: Array<{ type: string; kind?: string; at: number }> = [];
    let pending = '';
    analyze.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) events.push({ ...JSON.parse(line), at: Date.now() });
    });
    const analyzeDone = new Promise<number | null>((resolve) => analyze.on('close', resolve));
    const uas = spawn('sipp', ['-sf', 'test/interop/sipp/uas-503.xml', '-i', '127.0.0.1', '-p', String(UAS_PORT), '-nostdin'], { stdio: 'ignore' });
    try {
      await sleep(1500);
      spawnSync('sipp', [`127.0.0.1:${UAS_PORT}`, '-sn', 'uac', '-i', '127.0.0.1', '-p', String(UAC_PORT), '-m', String(CALLS), '-r', '5', '-nostdin', '-timeout', '20s'], {
        stdio: 'ignore',
        timeout: 30_000,
      });
      // findings must come while the capture is still running
      for (let waited = 0; waited < 5000 && events.filter((event) => event.type === 'finding').length < CALLS; waited += 100) await sleep(100);
      const beforeEnd = events.filter((event) => event.type === 'finding');
      expect(beforeEnd.map((event) => event.kind)).toEqual(Array(CALLS).fill('server-error'));
      expect(events.some((event) => event.type === 'summary')).toBe(false);
      const captureEnded = Date.now();
      capture.kill('SIGINT');
      const code = await analyzeDone;
      expect(code).toBe(1); // error-severity findings
      expect(beforeEnd.every((event) => event.at < captureEnded)).toBe(true);
      const summary = events.find((event) => event.type === 'summary') as unknown as { calls: number; sipMessages: number };
      expect(summary.calls).toBe(CALLS);
      expect(summary.sipMessages).toBe(CALLS * 3);
    } finally {
      uas.kill();
      capture.kill('SIGKILL');
      analyze.kill('SIGKILL');
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
