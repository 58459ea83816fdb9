// The CLI frame (src/cli/index.ts): argument errors, and '-' for standard input, run through the built launcher.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const capture = 'fixtures/captures/recorded/udp.pcap';

function sipscope(args: string[], input?: Buffer) {
  return spawnSync(process.execPath, ['bin/sipscope.js', ...args], { input, encoding: 'utf8', timeout: 20_000 });
}

describe('sipscope command frame', () => {
  it('rejects a bad option value once, with exit 2, without running the command', () => {
    const run = sipscope(['options', 'sip:127.0.0.1:9', '--transport', 'bogus']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('bogus');
    // the command itself never ran: exactly one error line block from the frame, nothing on stdout
    expect(run.stdout).toBe('');
    expect(run.stderr.match(/^sipscope:/gm)).toHaveLength(1);
  });

  it('lists every command in --help (all are loaded when no command is named)', () => {
    const run = sipscope(['--help']);
    expect(run.status).toBe(0);
    for (const name of ['register', 'options', 'decode', 'lint', 'analyze', 'calls', 'flow', 'extract', 'report']) {
      expect(run.stdout).toMatch(new RegExp(`sipscope ${name} `));
    }
  });

  it('exits 2 on an unknown command', () => {
    const run = sipscope(['frobnicate']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/frobnicate/);
  });

  it("reads a lone '-' as standard input, beside named files", () => {
    const fromFile = sipscope(['decode', capture]);
    expect(fromFile.status).toBe(0);
    const lines = fromFile.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    const both = sipscope(['decode', capture, '-'], readFileSync(capture));
    expect(both.status).toBe(0);
    expect(both.stdout.trim().split('\n')).toHaveLength(lines.length * 2);
  });
});
