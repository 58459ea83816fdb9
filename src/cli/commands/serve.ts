/**
 * `sipscope serve`: the embedded registrar + UAS (src/server). Runs until SIGINT or SIGTERM (then closes the
 * recording and exits 0); SIGHUP re-reads the users file. Prints where it listens on stdout, one log line per
 * event worth knowing on stderr; no password reaches either.
 */
import { readFile } from 'node:fs/promises';
import type { DigestAlgorithm } from '../../sip/digest/index.js';
import type { ListenSpec } from '../../server/listeners.js';
import { defineCommand } from '../command.js';
import { checkOutputFile } from '../output-file.js';
import { parseHostPort } from '../host-port.js';
import { badArgument, CliError, EXIT } from '../exit.js';
import type { CliIO } from '../io.js';
import type { ArgumentsOf } from '../option-table.js';
import { readSecret, SecretSourceError } from '../secret-source.js';

const ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'SHA-256', 'SHA-512-256'];

/** ADDR:PORT, [IPv6]:PORT, or with a tls:, ws: or wss: prefix (port 0: any free port); `localhost` is 127.0.0.1. */
export function parseListen(text: string, option = '--listen'): ListenSpec {
  const prefix = /^(tls|ws|wss):/.exec(text)?.[1] as 'tls' | 'ws' | 'wss' | undefined;
  // a word and ':' before an ADDR:PORT, the word unable to begin an IPv6 address (not all hex digits): a prefix we
  // do not know (udp:127.0.0.1:5060), not a host name (localhost:5060)
  const unknown = prefix === undefined ? /^([A-Za-z][A-Za-z0-9+.-]*):[^:]*:/.exec(text.trim())?.[1] : undefined;
  if (unknown !== undefined && !/^[0-9A-Fa-f]{1,4}$/.test(unknown)) {
    throw badArgument(`${option} ${JSON.stringify(text)}: unknown prefix ${unknown}: (ADDR:PORT is UDP and TCP; tls:, ws: and wss: add those listeners)`);
  }
  const { host, port } = parseHostPort(prefix ? text.slice(prefix.length + 1) : text, option, { portZero: true });
  return { kind: prefix ?? 'udp+tcp', address: host === 'localhost' ? '127.0.0.1' : host, port };
}

function parseAlgorithms(text: string): DigestAlgorithm[] {
  return text.split(',').map((token) => {
    const algorithm = ALGORITHMS.find((known) => known.toLowerCase() === token.trim().toLowerCase());
    if (!algorithm) throw badArgument(`--algorithms: "${token}" is not one of ${ALGORITHMS.join(', ')}`);
    return algorithm;
  });
}

/** The control API token: a one-line secret, read by the rule of secret-source.ts. */
async function controlTokenOf(args: ServeArguments, io: CliIO): Promise<string> {
  const token = await readSecret({ kind: 'token', option: 'control-token', envName: args.controlTokenEnv, filePath: args.controlTokenFile }, 'line', io.env);
  if (token === undefined) throw new SecretSourceError('token', '--control needs a token: --control-token-env NAME or --control-token-file PATH');
  return token.text;
}

async function readPem(path: string | undefined, what: string): Promise<Buffer> {
  if (path === undefined) throw badArgument('--cert and --key go together');
  try {
    return await readFile(path);
  } catch (error) {
    throw badArgument(`${what} ${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

const SERVE_OPTIONS = {
  listen: { type: 'string', array: true, describe: 'UDP+TCP on ADDR:PORT, TLS with tls:ADDR:PORT, SIP over WebSocket with ws:ADDR:PORT or wss:ADDR:PORT (repeatable; default 127.0.0.1:5060; port 0: any free port)' },
  realm: { type: 'string', default: 'sipscope.test', describe: 'digest realm' },
  users: { type: 'string', demandOption: true, describe: 'accounts file: "user password" per line (# comments); re-read on SIGHUP and on change' },
  algorithms: { type: 'string', default: 'MD5', describe: 'digest algorithms offered, preferred first: MD5, SHA-256, SHA-512-256 (comma list)' },
  record: { type: 'string', describe: 'write every message sent and received to this pcapng file' },
  control: { type: 'string', describe: 'control API (HTTP) on this loopback ADDR:PORT' },
  'control-token-env': { type: 'string', describe: 'control API token from this environment variable' },
  'control-token-file': { type: 'string', describe: 'control API token from the first line of this file' },
  cert: { type: 'string', describe: 'PEM certificate for tls: and wss: listeners' },
  key: { type: 'string', describe: 'PEM private key for tls: and wss: listeners' },
  'ring-ms': { type: 'number', default: 100, describe: 'delay between 180 Ringing and 200 OK, ms' },
  'min-se': { type: 'number', default: 90, describe: 'shortest session interval granted, seconds (RFC 4028 Min-SE): a caller doing session timers and asking for less gets 422 Session Interval Too Small; below 90 only for tests' },
} as const;

type ServeArguments = ArgumentsOf<typeof SERVE_OPTIONS>;

export const serveCommand = defineCommand({
  command: 'serve',
  describe: 'run a registrar + UAS on loopback (digest, registrations, calls, re-authenticated re-INVITEs, control API, --record pcapng)',
  options: SERVE_OPTIONS,
  examples: [
    ['$0 serve --listen 127.0.0.1:5060 --listen [::1]:5060 --users users.txt --record serve.pcapng', 'registrar + UAS, recorded'],
    ['$0 serve --users users.txt --control 127.0.0.1:8080 --control-token-env TOKEN', 'with the control API'],
  ],
  async run(args, io) {
    const { startServer } = await import('../../server/server.js');
    const listen = (args.listen.length > 0 ? args.listen : ['127.0.0.1:5060']).map((text) => parseListen(text));
    const control = args.control !== undefined ? { ...parseListen(args.control, '--control'), token: await controlTokenOf(args, io) } : undefined;
    const tls = args.cert !== undefined || args.key !== undefined ? { cert: await readPem(args.cert, '--cert'), key: await readPem(args.key, '--key') } : undefined;
    if (!(args.ringMs >= 0)) throw badArgument('--ring-ms must be 0 or more');
    if (!Number.isInteger(args.minSe) || args.minSe < 1) throw badArgument('--min-se must be a whole number of seconds, 1 or more');
    if (args.record !== undefined) checkOutputFile(args.record, [], '--record');
    if (args.control === undefined && (args.controlTokenEnv !== undefined || args.controlTokenFile !== undefined)) {
      throw badArgument('--control-token-env / --control-token-file are the token of --control ADDR:PORT: give --control too');
    }
    let server;
    try {
      server = await startServer({
        listen,
        realm: args.realm,
        usersFile: args.users,
        algorithms: parseAlgorithms(args.algorithms),
        record: args.record,
        control: control ? { address: control.address, port: control.port, token: control.token } : undefined,
        tls,
        ringMs: args.ringMs,
        minSessionExpires: args.minSe,
        log: (line) => io.err(`${new Date().toISOString()} ${line}`),
      });
    } catch (error) {
      // the server's own errors (bad users file, port in use, control not on loopback) are the user's to fix
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string') throw new CliError(code, (error as Error).message, { cause: error });
      throw error;
    }
    for (const socket of server.listening) io.out(`listening ${socket.transport} ${socket.address.includes(':') ? `[${socket.address}]` : socket.address}:${socket.port}`);
    if (server.controlPort !== undefined && control) io.out(`control http://${control.address.includes(':') ? `[${control.address}]` : control.address}:${server.controlPort}/`);
    io.out(`realm "${args.realm}", ${server.users.list().length} accounts${args.record ? `, recording to ${args.record}` : ''}`);
    const running = server;
    const onHangup = () => {
      try {
        io.err(`${new Date().toISOString()} SIGHUP: ${running.reload()} accounts in the users file`);
      } catch (error) {
        io.err(`${new Date().toISOString()} SIGHUP: users file not reloaded: ${(error as Error).message}`);
      }
    };
    process.on('SIGHUP', onHangup);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.off('SIGHUP', onHangup);
    await running.close();
    return EXIT.ok;
  },
});
