/** Runs the sipscope CLI in-process with captured output, as the analysis command tests need it. */
import { Chalk } from 'chalk';
import { main } from '../../src/cli/index.js';
import type { CliIO } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: string[], options: { color?: boolean; interactive?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (text) => (out += text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => (err += text.endsWith('\n') ? text : `${text}\n`),
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
