/** Runs the sipscope CLI in-process with captured output, as the analysis command tests need it. */
import { execFileSync } from 'node:child_process';
import { Chalk } from 'chalk';
import { main } from '../../src/cli/index.js';
import type { CliIO } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: string[], options: { color?: boolean; interactive?: boolean; env?: NodeJS.ProcessEnv; onErr?: (text: string) => void } = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (text) => (out += text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => {
      err += text.endsWith('\n') ? text : `${text}\n`;
      options.onErr?.(text);
    },
    style: new Chalk({ level: options.color ? 1 : 0 }),
    interactive: options.interactive ?? false,
    env: options.env ?? {},
    stdin: process.stdin,
  };
  const code = await main(args, io);
  return { code, out, err };
}

export const REVOCATION_UDP = 'fixtures/captures/recorded/revocation-udp.pcap';
export const REVOCATION_TCP = 'fixtures/captures/recorded/revocation-tcp.pcap';
export const AAA = 'fixtures/captures/public/sngrep/aaa.pcap';

/**
 * The credential username each Call-ID authenticated with, as tshark dissects the capture (never sipscope's
 * output): the first `sip.auth.username` (Authorization or Proxy-Authorization) of a request of that Call-ID, from
 * `sinceIso` on when given (the messages --since keeps), or none. Only requests are read: a call's credential is
 * what its caller sent.
 */
export function tsharkCallCredentials(capture: string, sinceIso?: string): Map<string, string | undefined> {
  const window = sinceIso === undefined ? '' : ` && frame.time_epoch >= ${Date.parse(sinceIso) / 1000}`;
  const fields = execFileSync('tshark', ['-r', capture, '-Y', `sip.Request-Line${window}`, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', '-e', 'sip.Call-ID', '-e', 'sip.auth.username'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const credentials = new Map<string, string | undefined>();
  for (const line of fields.split('\n').filter(Boolean)) {
    const [callId, username = ''] = line.split('\t');
    // one SIP message per frame in the captures this is used on: the fields of two would not pair up
    if (callId.includes('|') || username.includes('|')) throw new Error(`frame with several SIP messages: ${line}`);
    const unquoted = username === '' ? undefined : username.replace(/^"(.*)"$/, '$1');
    if (!credentials.has(callId) || (credentials.get(callId) === undefined && unquoted !== undefined)) credentials.set(callId, unquoted);
  }
  return credentials;
}
