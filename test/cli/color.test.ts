/**
 * Colour of the built CLI (bin/sipscope.js; needs `npx tsc -p tsconfig.json` first), run as a user runs it: through
 * a pipe (stdout not a terminal) and through a pseudo-terminal made by util-linux `script`. The rule (src/cli/io.ts
 * colorEnabled): --no-color / --color=false, then NO_COLOR (non-empty), then FORCE_COLOR ('0'/'false' off, else on),
 * else colour only on a terminal. The terminal runs prove colour is really produced, so "no ESC" is not vacuous.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/cli/io.js';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/sipscope.js');
const REVOCATION_UDP = join(root, 'fixtures/captures/recorded/revocation-udp.pcap');
const DAMAGED_CALL = '1-14594@127.0.0.11';
const FLOW = ['flow', REVOCATION_UDP, '--call-id', DAMAGED_CALL];
const ESC = '\x1b';

/** The inherited environment without any colour setting of the machine running the tests. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', ...extra };
  for (const name of ['NO_COLOR', 'FORCE_COLOR'] as const) if (!(name in extra)) delete env[name];
  return env;
}

interface Run {
  code: number;
  output: string;
}

/** stdout and stderr are pipes. */
async function runPiped(args: string[], env: Record<string, string> = {}): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { env: baseEnv(env), timeout: 20_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const shellQuote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/** stdout and stderr are a pseudo-terminal (`script -q -e -c CMD /dev/null`); the exit code is the command's. */
async function runOnTerminal(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const command = [process.execPath, bin, ...args].map(shellQuote).join(' ');
  try {
    const { stdout } = await promisify(execFile)('script', ['-q', '-e', '-c', command, '/dev/null'], { env: baseEnv(env), timeout: 20_000 });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, output: failed.stdout ?? '' };
  }
}

describe('colour of the built CLI', () => {
  it('has dist/ and the fixture', () => {
    expect(existsSync(join(root, 'dist/cli/index.js')), 'dist/ is missing: run `npx tsc -p tsconfig.json` first').toBe(true);
    expect(existsSync(REVOCATION_UDP)).toBe(true);
  });

  it('flow through a pipe prints the ladder with no ESC byte', async () => {
    const run = await runPiped(FLOW);
    expect(run.code).toBe(0);
    expect(run.output).toContain(`Call-ID ${DAMAGED_CALL}`);
    expect(run.output).toContain('403');
    expect(run.output).not.toContain(ESC);
  });

  it('flow on a terminal is coloured, and not with --no-color, --color=false, --color false or NO_COLOR', async () => {
    const coloured = await runOnTerminal(FLOW);
    expect(coloured.code).toBe(0);
    expect(coloured.output).toContain(`Call-ID ${DAMAGED_CALL}`);
    expect(coloured.output).toContain(ESC);
    for (const [extraArgs, env] of [
      [['--no-color'], {}],
      [['--color=false'], {}],
      [['--color', 'false'], {}],
      [[], { NO_COLOR: '1' }],
      [[], { FORCE_COLOR: '0' }],
    ] as const) {
      const run = await runOnTerminal([...FLOW, ...extraArgs], env);
      expect(run.code, `${extraArgs.join(' ')} ${JSON.stringify(env)}`).toBe(0);
      expect(run.output, `${extraArgs.join(' ')} ${JSON.stringify(env)}`).toContain(`Call-ID ${DAMAGED_CALL}`);
      expect(run.output, `${extraArgs.join(' ')} ${JSON.stringify(env)}`).not.toContain(ESC);
    }
  });

  it('FORCE_COLOR colours a pipe, but --no-color and NO_COLOR still win', async () => {
    expect((await runPiped(FLOW, { FORCE_COLOR: '1' })).output).toContain(ESC);
    expect((await runPiped([...FLOW, '--no-color'], { FORCE_COLOR: '1' })).output).not.toContain(ESC);
    expect((await runPiped(FLOW, { FORCE_COLOR: '1', NO_COLOR: '1' })).output).not.toContain(ESC);
  });

  it('every command with coloured text output obeys --no-color and NO_COLOR on a terminal', async () => {
    const lintFile = join(root, 'fixtures/rfc4475/badvers.dat');
    const commands: Array<{ name: string; args: string[] }> = [
      { name: 'analyze', args: ['analyze', REVOCATION_UDP] },
      { name: 'calls', args: ['calls', REVOCATION_UDP] },
      { name: 'flow', args: FLOW },
      { name: 'lint', args: ['lint', lintFile] },
      // nothing listens on UDP port 9 of loopback: a FAILED line in red, quickly (ICMP port unreachable)
      { name: 'options', args: ['options', 'sip:127.0.0.1:9', '--timeout', '2s'] },
    ];
    for (const command of commands) {
      const coloured = await runOnTerminal(command.args);
      expect(coloured.output, `${command.name} on a terminal: ${coloured.output}`).toContain(ESC);
      for (const run of [await runOnTerminal([...command.args, '--no-color']), await runOnTerminal(command.args, { NO_COLOR: '1' })]) {
        expect(run.code, command.name).toBe(coloured.code);
        expect(run.output.length, command.name).toBeGreaterThan(0);
        expect(run.output, `${command.name}: ${run.output}`).not.toContain(ESC);
      }
    }
  });
});

describe('colorEnabled', () => {
  it('applies --no-color, then NO_COLOR, then FORCE_COLOR, then the terminal', () => {
    expect(colorEnabled(true, {}, true)).toBe(true);
    expect(colorEnabled(true, {}, false)).toBe(false);
    expect(colorEnabled(false, {}, true)).toBe(false);
    expect(colorEnabled(false, { FORCE_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: '' }, true)).toBe(true); // no-color.org: an empty value does not count
    expect(colorEnabled(true, { NO_COLOR: '1', FORCE_COLOR: '1' }, false)).toBe(false);
    expect(colorEnabled(true, { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled(true, { FORCE_COLOR: '' }, false)).toBe(true);
    expect(colorEnabled(true, { FORCE_COLOR: '0' }, true)).toBe(false);
    expect(colorEnabled(true, { FORCE_COLOR: 'false' }, true)).toBe(false);
  });
});
