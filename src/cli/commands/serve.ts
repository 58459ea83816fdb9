/**
 * `sipscope serve`: the embedded registrar + UAS (src/server). Runs until SIGINT or SIGTERM (then closes the
 * recording and exits 0); SIGHUP re-reads the users file. Prints where it listens on stdout, one log line per
 * event worth knowing on stderr; no password reaches either.
 */
import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import type { DigestAlgorithm } from '../../sip/digest/index.js';
import type { ListenSpec } from '../../server/listeners.js';
import type { CliCommand } from '../command.js';
import { EXIT_LOCAL_ERROR } from '../command.js';
import type { CliIO } from '../io.js';

class ServeArgumentError extends Error {
  readonly code = 'bad-argument';
}

const ALGORITHMS: readonly DigestAlgorithm[] = ['MD5', 'SHA-256', 'SHA-512-256'];

/** ADDR:PORT, [IPv6]:PORT, or tls:ADDR:PORT. */
export function parseListen(text: string): ListenSpec {
  const tls = text.startsWith('tls:');
  const rest = tls ? text.slice(4) : text;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+|::1|localhost)):(\d{1,5})$/.exec(rest);
  if (!match) throw new ServeArgumentError(`--listen "${text}" is not ADDR:PORT, [IPv6]:PORT or tls:ADDR:PORT`);
  const port = Number(match[3]);
  if (port > 65535) throw new ServeArgumentError(`--listen "${text}": port ${port} is not in 0..65535`);
  const address = match[1] ?? (match[2] === 'localhost' ? '127.0.0.1' : match[2]);
  return { kind: tls ? 'tls' : 'udp+tcp', address, port };
}

function parseAlgorithms(text: string): DigestAlgorithm[] {
  return text.split(',').map((token) => {
    const algorithm = ALGORITHMS.find((known) => known.toLowerCase() === token.trim().toLowerCase());
    if (!algorithm) throw new ServeArgumentError(`--algorithms: "${token}" is not one of ${ALGORITHMS.join(', ')}`);
    return algorithm;
  });
}

async function controlTokenOf(argv: Record<string, unknown>, io: CliIO): Promise<string> {
  const envName = argv['control-token-env'];
  const file = argv['control-token-file'];
  if (typeof envName === 'string') {
    const value = io.env[envName];
    if (!value) throw new ServeArgumentError(`--control-token-env ${envName}: environment variable ${envName} is not set`);
    return value;
  }
  if (typeof file === 'string') {
    try {
      return (await readFile(file, 'utf8')).split(/\r?\n/)[0];
    } catch (error) {
      throw new ServeArgumentError(`--control-token-file ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  throw new ServeArgumentError('--control needs a token: --control-token-env NAME or --control-token-file PATH');
}

async function readPem(path: unknown, what: string): Promise<Buffer> {
  try {
    return await readFile(String(path));
  } catch (error) {
    throw new ServeArgumentError(`${what} ${String(path)}: cannot read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export const serveCommand: CliCommand = {
  command: 'serve',
  describe: 'run a registrar + UAS on loopback (digest, registrations, calls, re-authenticated re-INVITEs, control API, --record pcapng)',
  builder: (yargs: Argv) =>
    yargs
      .option('listen', { type: 'string', array: true, default: ['127.0.0.1:5060'], describe: 'UDP+TCP on ADDR:PORT, or TLS with tls:ADDR:PORT (repeatable)' })
      .option('realm', { type: 'string', default: 'sipscope.test', describe: 'digest realm' })
      .option('users', { type: 'string', demandOption: true, describe: 'accounts file: "user password" per line (# comments); re-read on SIGHUP and on change' })
      .option('algorithms', { type: 'string', default: 'MD5', describe: 'digest algorithms offered, preferred first: MD5, SHA-256, SHA-512-256 (comma list)' })
      .option('record', { type: 'string', describe: 'write every message sent and received to this pcapng file' })
      .option('control', { type: 'string', describe: 'control API (HTTP) on this loopback ADDR:PORT' })
      .option('control-token-env', { type: 'string', describe: 'control API token from this environment variable' })
      .option('control-token-file', { type: 'string', describe: 'control API token from the first line of this file' })
      .option('cert', { type: 'string', describe: 'PEM certificate for tls: listeners' })
      .option('key', { type: 'string', describe: 'PEM private key for tls: listeners' })
      .option('ring-ms', { type: 'number', default: 100, describe: 'delay between 180 Ringing and 200 OK' })
      .example('$0 serve --listen 127.0.0.1:5060 --listen [::1]:5060 --users users.txt --record serve.pcapng', 'registrar + UAS, recorded')
      .example('$0 serve --users users.txt --control 127.0.0.1:8080 --control-token-env TOKEN', 'with the control API'),
  async run(argv, io) {
    const { startServer } = await import('../../server/server.js');
    let server;
    try {
      const listen = (argv.listen as string[]).map(parseListen);
      const control = typeof argv.control === 'string' ? { ...parseListen(argv.control), token: await controlTokenOf(argv, io) } : undefined;
      const tls = argv.cert !== undefined || argv.key !== undefined
        ? { cert: await readPem(argv.cert, '--cert'), key: await readPem(argv.key, '--key') }
        : undefined;
      const ringMs = argv['ring-ms'];
      if (typeof ringMs !== 'number' || !(ringMs >= 0)) throw new ServeArgumentError('--ring-ms must be 0 or more');
      server = await startServer({
        listen,
        realm: String(argv.realm),
        usersFile: String(argv.users),
        algorithms: parseAlgorithms(String(argv.algorithms)),
        record: argv.record as string | undefined,
        control: control ? { address: control.address, port: control.port, token: control.token } : undefined,
        tls,
        ringMs,
        log: (line) => io.err(`${new Date().toISOString()} ${line}`),
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (error instanceof ServeArgumentError || typeof code === 'string') {
        io.err(`sipscope: ${(error as Error).message}`);
        return EXIT_LOCAL_ERROR;
      }
      throw error;
    }
    for (const socket of server.listening) io.out(`listening ${socket.transport} ${socket.address.includes(':') ? `[${socket.address}]` : socket.address}:${socket.port}`);
    if (server.controlPort !== undefined) io.out(`control http://${String(argv.control).replace(/:\d+$/, '')}:${server.controlPort}/`);
    io.out(`realm "${String(argv.realm)}", ${server.users.list().length} accounts${argv.record ? `, recording to ${String(argv.record)}` : ''}`);
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
    return 0;
  },
};
