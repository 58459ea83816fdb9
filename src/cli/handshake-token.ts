/**
 * The token a ws/wss check presents at the WebSocket handshake (register, options, call: CHECK_OPTIONS spreads
 * these options): read from --token-env / --token-file, or minted on the fly from --mint-key-env (with --mint-sub,
 * --mint-iss, --mint-ttl), placed as --token-in query:NAME (default query:token) or header:NAME. Its `exp` is read
 * (not verified: the client has no key) to report the remaining lifetime with the handshake check;
 * --warn-token-ttl sets the --nagios WARNING threshold.
 */
import { parseSeconds, parseTtl, readSigningKey } from './commands/token-sources.js';
import { readSecret } from './secret-source.js';
// not token/index.js: jose (mint.js) is loaded only when a token is minted, not on every check's start-up
import { decodeJwt, numericDate } from '../token/decode.js';
import { mintTtlRange } from '../token/ttl.js';
import { TokenError } from '../token/errors.js';
import { UUID_PATTERN } from '../token/inspect.js';
import type { HandshakeToken } from '../transport/types.js';
import { badArgument, CliError } from './exit.js';
import type { ArgumentsOf, OptionTable } from './option-table.js';

export const DEFAULT_WARN_TOKEN_TTL_S = 60;

export const HANDSHAKE_TOKEN_OPTIONS = {
  'token-env': { type: 'string', describe: 'ws/wss: present the token in this environment variable at the WebSocket handshake' },
  'token-file': { type: 'string', describe: 'ws/wss: present the token in this file (first line) at the handshake' },
  'token-in': { type: 'string', describe: 'where the handshake carries the token: query:NAME (default query:token) or header:NAME (Authorization gets "Bearer ")' },
  'mint-key-env': { type: 'string', describe: 'ws/wss: mint an HS256 token at run time with the key in this environment variable' },
  'mint-sub': { type: 'string', describe: 'with --mint-key-env: the sub claim (workspace UUID)' },
  'mint-iss': { type: 'string', describe: 'with --mint-key-env: the iss claim' },
  'mint-ttl': { type: 'string', describe: 'with --mint-key-env: lifetime, whole seconds from 1 (default 300s)' },
  'warn-token-ttl': { type: 'string', describe: `with --nagios: WARNING when the handshake token has less left than this (default ${DEFAULT_WARN_TOKEN_TTL_S}s)` },
} as const satisfies OptionTable;

export type HandshakeTokenArguments = ArgumentsOf<typeof HANDSHAKE_TOKEN_OPTIONS> & { transport?: string };

/** query:NAME / header:NAME (RFC 7230 §3.2 token characters for a header name). */
export function parseTokenPlacement(text: string): Pick<HandshakeToken, 'placement' | 'name'> {
  const match = /^(query|header):(.+)$/.exec(text);
  if (!match || (match[1] === 'header' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(match[2]))) {
    throw badArgument(`--token-in "${text}" is not query:NAME or header:NAME`);
  }
  return { placement: match[1] as 'query' | 'header', name: match[2] };
}

async function tokenValue(args: HandshakeTokenArguments, env: NodeJS.ProcessEnv, nowS: number): Promise<string | undefined> {
  const given = [['token-env', args.tokenEnv], ['token-file', args.tokenFile], ['mint-key-env', args.mintKeyEnv]].filter(([, value]) => value !== undefined);
  if (given.length > 1) throw badArgument(`give one token source, not ${given.map(([name]) => `--${name}`).join(' and ')}`);
  if (args.mintKeyEnv !== undefined) {
    const subject = args.mintSub;
    if (subject === undefined || !UUID_PATTERN.test(subject)) throw badArgument('--mint-key-env needs --mint-sub with the workspace UUID');
    const ttlS = parseTtl(args.mintTtl, '--mint-ttl', 300, mintTtlRange(nowS));
    const key = (await readSigningKey({ option: 'mint-key', envName: args.mintKeyEnv }, env, { algorithm: 'HS256', required: true }))!;
    const { mintToken } = await import('../token/mint.js');
    return mintToken({ key, algorithm: 'HS256', subject, issuer: args.mintIss, ttlS, nowS });
  }
  for (const [name, value] of [['mint-sub', args.mintSub], ['mint-iss', args.mintIss], ['mint-ttl', args.mintTtl]]) {
    if (value !== undefined) throw badArgument(`--${name} goes with --mint-key-env`);
  }
  const source = await readSecret({ kind: 'token', option: 'token', envName: args.tokenEnv, filePath: args.tokenFile }, 'line', env);
  return source?.text;
}

function placedToken(args: HandshakeTokenArguments, value: string | undefined): HandshakeToken | undefined {
  if (value === undefined) {
    if (args.tokenIn !== undefined) throw badArgument('--token-in goes with --token-env, --token-file or --mint-key-env');
    return undefined;
  }
  if (args.transport !== undefined && args.transport !== 'ws' && args.transport !== 'wss') {
    throw badArgument(`a handshake token needs --transport ws or wss, not ${args.transport}`);
  }
  const token: HandshakeToken = { value, ...parseTokenPlacement(args.tokenIn ?? 'query:token') };
  try {
    const exp = numericDate(decodeJwt(value).claims.exp);
    if (exp !== undefined) token.expiresAt = exp;
  } catch {
    // an opaque token: presented as given, without a lifetime to report
  }
  return token;
}

/** The handshake token of a check, or undefined when none is asked for. Throws CliError (a local error, exit 2). */
export async function handshakeTokenOf(args: HandshakeTokenArguments, env: NodeJS.ProcessEnv, nowS = Date.now() / 1000): Promise<HandshakeToken | undefined> {
  try {
    warnTokenSecondsOf(args);
    return placedToken(args, await tokenValue(args, env, nowS));
  } catch (error) {
    if (error instanceof TokenError) throw new CliError(error.code, error.message, { cause: error });
    throw error;
  }
}

/** --warn-token-ttl in seconds. */
export function warnTokenSecondsOf(args: Pick<HandshakeTokenArguments, 'warnTokenTtl'>): number {
  return parseSeconds(args.warnTokenTtl, '--warn-token-ttl', DEFAULT_WARN_TOKEN_TTL_S);
}
