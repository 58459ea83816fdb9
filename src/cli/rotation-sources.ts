/**
 * What `sipscope rotate` takes from outside the SIP exchange: the drain window (given, or the p99 call duration of
 * captures, as `analyze` measures it), a live source of the old credential's calls (HEP over UDP, or a pcap stream
 * on stdin) and the operator's revocation command.
 */
import { spawn } from 'node:child_process';
import type { SipPayload } from '../capture/types.js';
import type { ActiveCallSource } from '../client/rotation/drain.js';
import { parseDuration } from './check-options.js';
import { badArgument, CliError } from './exit.js';
import { hostPort } from '../sip/index.js';

export async function windowOf(window: string | undefined, captures: readonly string[]): Promise<{ ms: number; source: string }> {
  if (window !== undefined) return { ms: parseDuration(window, '--window'), source: '--window' };
  if (captures.length === 0) return { ms: 0, source: 'none' };
  const { analyzeCaptures } = await import('../analysis/index.js');
  let result;
  try {
    result = await analyzeCaptures(captures.map(String));
  } catch (error) {
    throw new CliError((error as { code?: string }).code ?? 'unreadable-file', `--window-from: ${(error as Error).message}`);
  }
  const { p99Ms, count } = result.durations;
  if (p99Ms === undefined) throw new CliError('no-durations', `--window-from ${captures.join(' ')}: no complete call (answered and ended with BYE) to measure the p99 duration from`);
  return { ms: p99Ms, source: `p99 call duration of ${count} call(s) in ${captures.join(', ')}` };
}

export interface LiveSourceOptions {
  hepListen?: string;
  pcapStdin: boolean;
  stdin: NodeJS.ReadableStream;
}

export interface LiveSource extends ActiveCallSource {
  /** For a socket: the line that names the address it is bound to (the port the system chose for port 0), for stderr. */
  listening?: string;
  close(): Promise<void>;
}

/** A live source counting the calls of `username` that are up, or undefined when none was asked for. */
export async function openLiveSource(options: LiveSourceOptions, username: string, onIssue: (issue: { code: string; message: string }) => void): Promise<LiveSource | undefined> {
  if (options.hepListen === undefined && !options.pcapStdin) return undefined;
  if (options.hepListen !== undefined && options.pcapStdin) throw badArgument('give one live source: --hep-listen or --pcap-stdin');
  const { ActiveCallTracker } = await import('../analysis/active-calls.js');
  const tracker = new ActiveCallTracker();
  const feed = (payload: SipPayload): void => tracker.addSighting(payload);
  if (options.hepListen !== undefined) {
    // the one HEP listener of `analyze --hep-listen` (senders other than loopback refused when listening on loopback)
    const { hepListeningLine, openHepListen } = await import('./commands/analyze-live.js');
    const listener = await openHepListen(options.hepListen, undefined, { payload: feed, issue: onIssue });
    return {
      description: `HEP on ${hostPort(listener.bound.host, listener.bound.port)}`,
      listening: hepListeningLine('rotate', listener),
      activeCalls: () => tracker.activeCalls(username),
      messages: () => tracker.messages,
      close: async () => {
        listener.close();
        await listener.closed;
      },
    };
  }
  const { decodeCaptures } = await import('../capture/decode.js');
  // the stream is read until it ends or the drain is over; a cut stream is reported by the decoder and kept as read
  const reading = decodeCaptures(['-'], { payload: feed, issue: onIssue }, { stdin: options.stdin }).catch((error: Error) => onIssue({ code: 'stdin', message: error.message }));
  return {
    description: 'pcap stream on stdin',
    activeCalls: () => tracker.activeCalls(username),
    messages: () => tracker.messages,
    close: async () => {
      // stop reading: a live tcpdump never ends the stream by itself
      (options.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 500))]);
    },
  };
}

const OUTPUT_LIMIT = 64 * 1024;

/**
 * Runs the operator's revocation command with /bin/sh, keeping at most 64 KiB of its output (stdout and stderr),
 * with any password of the rotation replaced by `<redacted>` should the command print one.
 */
export function runRevocation(command: string, secrets: readonly string[], env: NodeJS.ProcessEnv): Promise<{ command: string; exitCode: number | null; output: string; at: number }> {
  const at = Date.now();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    const take = (chunk: Buffer) => {
      if (output.length < OUTPUT_LIMIT) output += chunk.toString('utf8').slice(0, OUTPUT_LIMIT - output.length);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => resolve({ command, exitCode: 127, output: error.message, at }));
    child.on('close', (code) => {
      const redact = (text: string) => secrets.reduce((clean, secret) => (secret ? clean.split(secret).join('<redacted>') : clean), text);
      resolve({ command: redact(command), exitCode: code, output: redact(output), at });
    });
  });
}
