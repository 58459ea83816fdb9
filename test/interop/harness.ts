/**
 * Starts and stops a real Kamailio for the interop tests and benchmarks: the config template from
 * test/interop/kamailio/ is filled in (ports, database, certificates, realm) and written to the instance's
 * temp dir; Kamailio runs in the foreground (-DD -E) so its log is collected for failure messages; start()
 * returns once it answers an OPTIONS from sipsak; stop() ends it (TERM, then KILL of its process group).
 */
import { mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, runCommand, spawnDaemon, type CommandResult } from './processes.js';

const templateDirectory = path.join(repoRoot, 'test', 'interop', 'kamailio');

export interface KamailioOptions {
  /** Names the instance in logs and its sub-directory of `workDirectory`. */
  name: string;
  /** File in test/interop/kamailio/ (registrar.cfg or proxy.cfg). */
  template: string;
  workDirectory: string;
  /** Kamailio socket specs, e.g. `udp:127.0.0.1:25160`, `tls:[::1]:25161`. */
  listen: string[];
  /** Values for the template's %%NAME%% tokens (RUNDIR, LISTEN are filled in here). */
  tokens: Record<string, string>;
  /** Preprocessor symbols (`#!define NAME`) put at the top of the generated config. */
  defines?: string[];
  /** UDP address the readiness probe (sipsak OPTIONS) is sent to. */
  probe: { host: string; port: number };
  netns?: string;
  startTimeoutMs?: number;
}

export interface KamailioInstance {
  name: string;
  runDirectory: string;
  configPath: string;
  logPath: string;
  /** The last `lines` lines of Kamailio's log, for assertion messages. */
  logTail(lines?: number): string;
  /** `kamcmd` against this instance's control socket. */
  kamcmd(...args: string[]): Promise<CommandResult>;
  stop(): Promise<void>;
}

function renderTemplate(options: KamailioOptions, runDirectory: string): string {
  const tokens: Record<string, string> = {
    ...options.tokens,
    RUNDIR: runDirectory,
    LISTEN: options.listen.map((socket) => `listen=${socket}`).join('\n'),
  };
  const text = readFileSync(path.join(templateDirectory, options.template), 'utf8').replace(/%%([A-Z0-9_]+)%%/g, (token, name: string) => {
    const value = tokens[name];
    if (value === undefined) throw new Error(`${options.template}: no value for token ${token}`);
    return value;
  });
  const [firstLine, ...rest] = text.split('\n');
  const defineLines = (options.defines ?? []).map((symbol) => `#!define ${symbol}`);
  return [firstLine, ...defineLines, ...rest].join('\n');
}

/** Fills another template of test/interop/kamailio/ (e.g. tls.cfg) into the instance's run directory. */
export function renderSideFile(template: string, targetPath: string, tokens: Record<string, string>): void {
  const text = readFileSync(path.join(templateDirectory, template), 'utf8').replace(/%%([A-Z0-9_]+)%%/g, (token, name: string) => {
    const value = tokens[name];
    if (value === undefined) throw new Error(`${template}: no value for token ${token}`);
    return value;
  });
  mkdirSync(path.dirname(targetPath), { recursive: true });
  writeFileSync(targetPath, text);
}

export function instanceRunDirectory(workDirectory: string, name: string): string {
  return path.join(workDirectory, `kamailio-${name}`);
}

async function probeOnce(options: KamailioOptions): Promise<boolean> {
  const host = options.probe.host.includes(':') ? `[${options.probe.host}]` : options.probe.host;
  const result = await runCommand('sipsak', ['-s', `sip:${host}:${options.probe.port}`, '-Z', '100'], { timeoutMs: 1500, netns: options.netns });
  return result.code === 0;
}

export async function startKamailio(options: KamailioOptions): Promise<KamailioInstance> {
  const runDirectory = instanceRunDirectory(options.workDirectory, options.name);
  mkdirSync(runDirectory, { recursive: true });
  const configPath = path.join(runDirectory, 'kamailio.cfg');
  const logPath = path.join(runDirectory, 'kamailio.log');
  writeFileSync(configPath, renderTemplate(options, runDirectory));
  writeFileSync(logPath, '');

  const kamailioArgs = ['-f', configPath, '-DD', '-E', '-m', '64', '-M', '8', '-Y', runDirectory, '-P', path.join(runDirectory, 'kamailio.pid'), '-w', runDirectory];
  const [file, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, 'kamailio', ...kamailioArgs]] : ['kamailio', kamailioArgs];
  // the last lines can arrive after the work directory was removed (environment close): they stay in memory only
  const appendLog = (text: string) => {
    try {
      appendFileSync(logPath, text);
    } catch {
      // log file gone with its directory
    }
  };
  const daemon = spawnDaemon(file, argv, { maxOutputChars: 2_000_000, stopGraceMs: 5000, onOutput: appendLog });
  const child = daemon.child;
  const logTail = (lines = 40) => `--- kamailio ${options.name} log (${logPath}), last ${lines} lines ---\n${daemon.output().split('\n').slice(-lines).join('\n')}`;
  // Kamailio's main process stops its children on TERM; spawnDaemon KILLs the whole group if it does not.
  const stop = daemon.stop;
  const instance: KamailioInstance = {
    name: options.name,
    runDirectory,
    configPath,
    logPath,
    logTail,
    kamcmd: (...args) => runCommand('kamcmd', ['-s', `unix:${path.join(runDirectory, 'kamailio_ctl')}`, ...args], { timeoutMs: 10_000 }),
    stop,
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    const spawnError = daemon.spawnError();
    if (spawnError) throw new Error(`cannot start kamailio ${options.name}: ${spawnError.message}`);
    if (daemon.exited()) {
      throw new Error(`kamailio ${options.name} exited during start-up (code ${child.exitCode}, signal ${child.signalCode})\n${logTail(60)}`);
    }
    if (await probeOnce(options)) return instance;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`kamailio ${options.name} did not answer OPTIONS on ${options.probe.host}:${options.probe.port} within the start timeout\n${logTail(60)}`);
}
