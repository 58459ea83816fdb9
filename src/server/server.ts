/**
 * `sipscope serve`: a registrar and UAS on loopback for demos, CI and tests. Ties the parts together: accounts
 * (users.ts, re-read on reload() and when the file changes), digest (auth.ts), registrations (registrar.ts), calls
 * (core.ts), sockets (listeners.ts), the optional pcapng recording (recorder.ts) and control API (control.ts).
 * Log lines go to the `log` callback (the CLI prints them); no password is ever in one.
 */
import { statSync } from 'node:fs';
import type { DigestAlgorithm } from '../sip/digest/index.js';
import { DigestAuthenticator } from './auth.js';
import { startControl } from './control.js';
import { ServerCore, type ServerLog } from './core.js';
import { LimitedLog } from './intake.js';
import { openListeners, type ListenSpec, type Listening } from './listeners.js';
import { PcapngRecorder } from './recorder.js';
import { Registrar } from './registrar.js';
import { UserStore } from './users.js';

export interface ServeOptions {
  listen: ListenSpec[];
  realm: string;
  usersFile: string;
  algorithms?: DigestAlgorithm[];
  record?: string;
  control?: { address: string; port: number; token: string };
  tls?: { cert: Buffer; key: Buffer };
  /** Between 180 and 200, ms (default 100). */
  ringMs?: number;
  /** The shortest session interval granted, seconds (RFC 4028 Min-SE; default 90): a shorter one gets 422. */
  minSessionExpires?: number;
  log: ServerLog;
}

export interface RunningServer {
  listening: Listening[];
  controlPort?: number;
  users: UserStore;
  /** Re-reads the users file (SIGHUP); returns the number of accounts in it. */
  reload(): number;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const users = new UserStore(options.usersFile);
  const registrar = new Registrar();
  const auth = new DigestAuthenticator(options.realm, users, options.algorithms);
  const badInput = new LimitedLog(options.log);
  // the core's lines (a 403 per refused request) share the limit: a flood of refused requests cannot flood the log
  const core = new ServerCore({ auth, registrar, log: (line) => badInput.line(line), ringMs: options.ringMs ?? 100, minSessionExpires: options.minSessionExpires });
  const recorder = options.record !== undefined ? new PcapngRecorder(options.record) : undefined;
  const closers: (() => Promise<void> | void)[] = [() => recorder?.close(), () => core.close()];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const sockets = await openListeners(options.listen, { core, badInput, recorder, tls: options.tls });
    closers.push(sockets.close);
    let controlPort: number | undefined;
    if (options.control) {
      const control = await startControl(options.control.address, options.control.port, { users, registrar, core, token: options.control.token, log: options.log });
      controlPort = control.port;
      closers.push(control.close);
    }
    const sweeper = setInterval(() => {
      registrar.sweep();
      core.sweep();
    }, 1000);
    sweeper.unref();
    closers.push(() => clearInterval(sweeper));
    let loaded = fileStamp(options.usersFile);
    const reload = () => {
      loaded = fileStamp(options.usersFile);
      return users.reload();
    };
    // a change of the users file is picked up without a signal: polled against the state it was loaded in (an
    // editor that replaces the file changes the inode; a write in place the time stamp or size)
    const watcher = setInterval(() => {
      if (fileStamp(options.usersFile) === loaded) return;
      try {
        options.log(`users file changed: ${reload()} accounts`);
      } catch (error) {
        options.log(`users file not reloaded: ${(error as Error).message}`);
      }
    }, 250);
    watcher.unref();
    closers.push(() => clearInterval(watcher));
    return { listening: sockets.listening, controlPort, users, reload, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function fileStamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino} ${stat.mtimeMs} ${stat.size}`;
  } catch {
    return 'missing';
  }
}
