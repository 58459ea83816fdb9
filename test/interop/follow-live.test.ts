/**
 * Issue 9 proof: a growing capture piped into `analyze - --follow --jsonl` reports findings while the capture still
 * runs. dumpcap writes loopback traffic to stdout (-w -) while SIPp calls a SIPp UAS that answers 503; each 503 is a
 * server-error finding, which must come out of sipscope before dumpcap is stopped. Stopping dumpcap ends the
 * stream: the summary follows. Ports 26322-26323 (analysis helper's range). Run under the interop lock. SIPp
 * calls once dumpcap says it captures and the UAS's port is bound.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const UAS_PORT = 26322;
const UAC_PORT = 26323;
const CALLS = 3;

describe('analyze - --follow on a growing capture', () => {
  it('writes finding events before the capture ends, then the summary', { timeout: 60_000 }, async () => {
    const capture = spawn('dumpcap', ['-q', '-i', 'lo', '-f', `udp port ${UAS_PORT}`, '-w', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const capturing = said(capture, /Capturing on/);
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
      // SIPp calls once dumpcap captures and the UAS listens, not after a while (a loaded machine took longer)
      await capturing;
      await udpBound(UAS_PORT);
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

/** Resolves when `child` writes a line matching `pattern` on stderr; rejects when it ends first or after 10 s. */
function said(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within 10 s: ${text}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ended (${code}) before ${pattern}: ${text}`));
    });
  });
}

/** Resolves when a UDP socket is bound to 127.0.0.1:`port` (/proc/net/udp), within 10 s. */
async function udpBound(port: number): Promise<void> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (readFileSync('/proc/net/udp', 'utf8').split('\n').some((line) => line.trim().split(/\s+/)[1] === local)) return;
    await sleep(50);
  }
  throw new Error(`nothing bound to udp 127.0.0.1:${port} within 10 s`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
