/**
 * Running the real programs of the interop tests (sipscope's CLI, sipsak, kamcmd, sqlite3, openssl, ip, nft):
 * every run is bounded by a timeout after which the child (and its process group) is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sipscopeBin = path.join(repoRoot, 'bin', 'sipscope.js');

export interface CommandResult {
  command: string;
  /** Exit code; null when the process was killed (see `signal`, `timedOut`). */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export interface RunOptions {
  timeoutMs: number;
  env?: Record<string, string>;
  input?: string;
  /** Run inside this network namespace (`ip netns exec NAME ...`). */
  netns?: string;
  cwd?: string;
  /** Values (passwords) shown as *** wherever the command line is reported. */
  redact?: string[];
}

export function runCommand(program: string, args: string[], options: RunOptions): Promise<CommandResult> {
  const [file, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, program, ...args]] : [program, args];
  const hidden = new Set(options.redact ?? []);
  const command = [file, ...argv].map((word) => (hidden.has(word) ? '***' : word)).join(' ');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ command, code, signal, timedOut, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
}

/** Signals the process group of a child we spawned with `detached: true` (its pid is the group id). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs a command that must succeed (setup steps); throws with its output otherwise. */
export async function runChecked(program: string, args: string[], options: RunOptions): Promise<CommandResult> {
  const result = await runCommand(program, args, options);
  if (result.code !== 0) {
    throw new Error(`${result.command} failed (code ${result.code}, signal ${result.signal}, timed out ${result.timedOut}):\n${result.stderr}${result.stdout}`);
  }
  return result;
}

/** `node bin/sipscope.js ARGS` with the password handed over in an environment variable, never argv. */
export function runSipscope(args: string[], options: { timeoutMs: number; password?: string; netns?: string }): Promise<CommandResult> {
  const env: Record<string, string> = {};
  const passwordArgs: string[] = [];
  if (options.password !== undefined) {
    env.SIPSCOPE_TEST_PASSWORD = options.password;
    passwordArgs.push('--password-env', 'SIPSCOPE_TEST_PASSWORD');
  }
  return runCommand(process.execPath, [sipscopeBin, ...args, ...passwordArgs], { timeoutMs: options.timeoutMs, env, netns: options.netns });
}

/** sipsak takes the password on argv (its own design); acceptable for throw-away test accounts. */
export function runSipsak(args: string[], options: { timeoutMs: number; netns?: string; password?: string }): Promise<CommandResult> {
  const passwordArgs = options.password === undefined ? [] : ['-a', options.password];
  return runCommand('sipsak', [...args, ...passwordArgs], {
    timeoutMs: options.timeoutMs,
    netns: options.netns,
    redact: options.password === undefined ? [] : [options.password],
  });
}

/** Parses the single JSON object sipscope prints with --json; the error names the command and its output. */
export function parseJsonOutput(result: CommandResult): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${result.command} did not print one JSON object (code ${result.code}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/** Text for assertion messages: what ran, what it printed. */
export function describeRun(result: CommandResult): string {
  return `${result.command}\n  code=${result.code} signal=${result.signal} timedOut=${result.timedOut} elapsed=${Math.round(result.elapsedMs)}ms\n  stdout: ${result.stdout.trim()}\n  stderr: ${result.stderr.trim()}`;
}

/** Resolves true once the child has exited, false when it is still running after `timeoutMs`. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Process groups of the daemons still running, killed if the test process exits without stopping them. */
const runningGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of runningGroups) killGroup(pid, 'SIGKILL');
});

export interface Daemon {
  child: ChildProcess;
  /** The most recent output (stdout and stderr), at most `maxOutputChars`. */
  output(): string;
  /** Set when the program could not be started at all. */
  spawnError(): Error | undefined;
  exited(): boolean;
  /** TERM, then KILL of the whole process group if it is still running after `stopGraceMs`. */
  stop(): Promise<void>;
}

/**
 * Starts a long-running peer (Kamailio, dnsmasq) in its own process group, collects its output in a bounded
 * buffer (and hands each chunk to `onOutput`), and makes sure it is killed even if the tests never stop it.
 */
export function spawnDaemon(program: string, args: string[], options: { maxOutputChars: number; stopGraceMs: number; onOutput?: (text: string) => void }): Daemon {
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output += text;
    if (output.length > options.maxOutputChars) output = output.slice(-options.maxOutputChars / 2);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  if (child.pid !== undefined) runningGroups.add(child.pid);
  child.once('exit', () => {
    if (child.pid !== undefined) runningGroups.delete(child.pid);
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    output: () => output,
    spawnError: () => spawnError,
    exited,
    async stop() {
      if (exited()) return;
      child.kill('SIGTERM');
      if (!(await waitForExit(child, options.stopGraceMs))) {
        killGroup(child.pid, 'SIGKILL');
        await waitForExit(child, 2000);
      }
    },
  };
}

/**
 * Starts `sipscope serve ARGS` (the CLI, as a user runs it; give it `--control`) and waits, at most 10 s, until it
 * names its control address: by then every listener is bound. The control token reaches it through the
 * environment it inherits, never argv.
 */
export async function startServe(args: string[], maxOutputChars: number): Promise<Daemon> {
  const serve = spawnDaemon(process.execPath, [sipscopeBin, 'serve', ...args], { maxOutputChars, stopGraceMs: 3000 });
  const deadline = Date.now() + 10_000;
  while (!serve.output().includes('control http://') && !serve.exited() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return serve;
}
