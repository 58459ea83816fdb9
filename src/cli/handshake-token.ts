/**
 * The token a ws/wss check presents at the WebSocket handshake (register, options, call): read from
 * --token-env / --token-file, or minted on the fly from --mint-key-env (with --mint-sub, --mint-iss, --mint-ttl),
 * placed as --token-in query:NAME (default query:token) or header:NAME. Its `exp` is read (not verified: the
 * client has no key) to report the remaining lifetime with the handshake check; --warn-token-ttl sets the
 * --nagios WARNING threshold.
 */
import type { Argv } from 'yargs';
// not token/index.js: jose (mint.js) is loaded only when a token is minted, not on every check's start-up
import { decodeJwt, numericDate } from '../token/decode.js';
import { TokenError } from '../token/errors.js';
import { UUID_PATTERN } from '../token/inspect.js';
import type { HandshakeToken } from '../transport/types.js';
import { CliArgumentError } from './check-options.js';
import { parseSeconds, readSecretSource, readSigningKey, TokenInputError } from './commands/token-sources.js';

export const DEFAULT_WARN_TOKEN_TTL_S = 60;

export function addHandshakeTokenOptions(yargs: Argv): Argv {
  return yargs
    .option('token-env', { type: 'string', describe: 'ws/wss: present the token in this environment variable at the WebSocket handshake' })
    .option('token-file', { type: 'string', describe: 'ws/wss: present the token in this file (first line) at the handshake' })
    .option('token-in', { type: 'string', describe: 'where the handshake carries the token: query:NAME (default query:token) or header:NAME (Authorization gets "Bearer ")' })
    .option('mint-key-env', { type: 'string', describe: 'ws/wss: mint an HS256 token at run time with the key in this environment variable' })
    .option('mint-sub', { type: 'string', describe: 'with --mint-key-env: the sub claim (workspace UUID)' })
    .option('mint-iss', { type: 'string', describe: 'with --mint-key-env: the iss claim' })
    .option('mint-ttl', { type: 'string', describe: 'with --mint-key-env: lifetime (default 300s)' })
    .option('warn-token-ttl', { type: 'string', describe: `with --nagios: WARNING when the handshake token has less left than this (default ${DEFAULT_WARN_TOKEN_TTL_S}s)` });
}

/** query:NAME / header:NAME (RFC 7230 §3.2 token characters for a header name). */
export function parseTokenPlacement(text: string): Pick<HandshakeToken, 'placement' | 'name'> {
  const match = /^(query|header):(.+)$/.exec(text);
  if (!match || (match[1] === 'header' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(match[2]))) {
    throw new CliArgumentError(`--token-in "${text}" is not query:NAME or header:NAME`);
  }
  return { placement: match[1] as 'query' | 'header', name: match[2] };
}

async function tokenValue(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, nowS: number): Promise<string | undefined> {
  const given = ['token-env', 'token-file', 'mint-key-env'].filter((name) => argv[name] !== undefined);
  if (given.length > 1) throw new CliArgumentError(`give one token source, not ${given.map((name) => `--${name}`).join(' and ')}`);
  if (argv['mint-key-env'] !== undefined) {
    const subject = argv['mint-sub'];
    if (typeof subject !== 'string' || !UUID_PATTERN.test(subject)) throw new CliArgumentError('--mint-key-env needs --mint-sub with the workspace UUID');
    const key = (await readSigningKey('mint-key', argv, env, 'HS256', true))!;
    const ttlS = parseSeconds(argv['mint-ttl'] ?? 300, '--mint-ttl', false);
    const { mintToken } = await import('../token/mint.js');
    return mintToken({ key, algorithm: 'HS256', subject, issuer: argv['mint-iss'] as string | undefined, ttlS, nowS });
  }
  for (const name of ['mint-sub', 'mint-iss', 'mint-ttl']) {
    if (argv[name] !== undefined) throw new CliArgumentError(`--${name} goes with --mint-key-env`);
  }
  const source = await readSecretSource('token', argv['token-env'], argv['token-file'], env);
  if (!source) return undefined;
  const firstLine = source.text.split(/\r?\n/)[0].trim();
  if (firstLine === '') throw new CliArgumentError(`the token in ${source.label} is empty`);
  return firstLine;
}

/** The handshake token of a check, or undefined when none is asked for. Throws CliArgumentError (a local error, exit 2). */
export async function handshakeTokenOf(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, nowS = Date.now() / 1000): Promise<HandshakeToken | undefined> {
  try {
    warnTokenSecondsOf(argv);
    return await placedToken(argv, await tokenValue(argv, env, nowS));
  } catch (error) {
    if (error instanceof TokenInputError || error instanceof TokenError) throw new CliArgumentError(error.message);
    throw error;
  }
}

function placedToken(argv: Record<string, unknown>, value: string | undefined): HandshakeToken | undefined {
  if (value === undefined) {
    if (argv['token-in'] !== undefined) throw new CliArgumentError('--token-in goes with --token-env, --token-file or --mint-key-env');
    return undefined;
  }
  if (argv.transport !== undefined && argv.transport !== 'ws' && argv.transport !== 'wss') {
    throw new CliArgumentError(`a handshake token needs --transport ws or wss, not ${String(argv.transport)}`);
  }
  const token: HandshakeToken = { value, ...parseTokenPlacement(String(argv['token-in'] ?? 'query:token')) };
  try {
    const exp = numericDate(decodeJwt(value).claims.exp);
    if (exp !== undefined) token.expiresAt = exp;
  } catch {
    // an opaque token: presented as given, without a lifetime to report
  }
  return token;
}

/** --warn-token-ttl in seconds. */
export function warnTokenSecondsOf(argv: Record<string, unknown>): number {
  return argv['warn-token-ttl'] === undefined ? DEFAULT_WARN_TOKEN_TTL_S : parseSeconds(argv['warn-token-ttl'], '--warn-token-ttl');
}
