/**
 * `sipscope token inspect|verify|mint|rotation-check|ephemeral`: browser-calling SIP tokens (HS256 JWT: iss, sub,
 * iat, exp) and Kamailio auth_ephemeral credentials. Keys and secrets come from environment variables or files,
 * never argv; keys and whole tokens are never printed. Exit 0 valid / done, 1 invalid token or credential, 2 local
 * error (bad option, missing or unusable key, unreadable file).
 */
import type { Argv } from 'yargs';
import { EPHEMERAL_HASHES, HMAC_ALGORITHMS, KEY_ENCODINGS, TokenError } from '../../token/index.js';
import type { CliCommand } from '../command.js';
import { EXIT_LOCAL_ERROR } from '../command.js';
import type { CliIO } from '../io.js';
import { PasswordSourceError } from '../password.js';
import { runEphemeral } from './token-ephemeral.js';
import { runInspect } from './token-inspect.js';
import { runMint } from './token-mint.js';
import { runRotationCheck } from './token-rotation.js';
import { isLocalTokenProblem } from './token-sources.js';
import { runVerify } from './token-verify.js';

const ACTIONS = {
  inspect: runInspect,
  verify: runVerify,
  mint: runMint,
  'rotation-check': runRotationCheck,
  ephemeral: runEphemeral,
} as const;
type Action = keyof typeof ACTIONS;

const COMMON = ['json', 'verbose', 'alg', 'token-env', 'token-file'];
/** The options each action reads: any other given is an error rather than silently ignored. */
const ACTION_OPTIONS: Record<Action, readonly string[]> = {
  inspect: [...COMMON, 'max-ttl', 'skew', 'strict'],
  verify: [...COMMON, 'key-env', 'key-file', 'next-key-env', 'next-key-file', 'key-encoding', 'iss', 'sub', 'skew', 'ephemeral',
    'password-env', 'password-file', 'password-stdin', 'username-format', 'sha'],
  mint: ['json', 'verbose', 'alg', 'key-env', 'key-file', 'key-encoding', 'sub', 'iss', 'ttl', 'out'],
  'rotation-check': [...COMMON, 'key-env', 'key-file', 'next-key-env', 'next-key-file', 'key-encoding', 'skew', 'max-ttl'],
  ephemeral: ['json', 'secret-env', 'secret-file', 'user', 'ttl', 'username-format', 'sha', 'password-out'],
};
const ALL_OPTIONS = new Set(Object.values(ACTION_OPTIONS).flat());

function unexpectedOption(action: Action, argv: Record<string, unknown>): string | undefined {
  const allowed = new Set(ACTION_OPTIONS[action]);
  return [...ALL_OPTIONS].find((name) => !allowed.has(name) && argv[name] !== undefined && argv[name] !== false);
}

function localError(message: string, argv: Record<string, unknown>, io: CliIO, code: string): number {
  if (argv.json === true) io.out(JSON.stringify({ ok: false, error: { code, message } }, null, 2));
  io.err(`sipscope token: ${message}`);
  return EXIT_LOCAL_ERROR;
}

export const tokenCommand: CliCommand = {
  command: 'token <action> [tokens..]',
  describe: 'SIP tokens (HS256 JWT) and Kamailio auth_ephemeral credentials: inspect, verify, mint, rotation-check, ephemeral',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', { type: 'string', choices: Object.keys(ACTIONS), describe: 'what to do' })
      .positional('tokens', { type: 'string', array: true, describe: 'tokens (or auth_ephemeral usernames); - reads them from standard input, one per line' })
      .option('token-env', { type: 'string', describe: 'read the token from this environment variable' })
      .option('token-file', { type: 'string', describe: 'read the token(s) from this file, one per line' })
      .option('key-env', { type: 'string', describe: 'active signing key (verify: or auth_ephemeral secret) from this environment variable' })
      .option('key-file', { type: 'string', describe: 'active signing key (verify: or auth_ephemeral secret) from this file' })
      .option('secret-env', { type: 'string', describe: 'ephemeral: the auth_ephemeral shared secret from this environment variable' })
      .option('secret-file', { type: 'string', describe: 'ephemeral: the shared secret from this file' })
      .option('next-key-env', { type: 'string', describe: 'next key during a rotation (or a second auth_ephemeral secret), from this environment variable' })
      .option('next-key-file', { type: 'string', describe: 'next key, from this file' })
      .option('key-encoding', { type: 'string', choices: [...KEY_ENCODINGS], describe: 'how the key is written (default utf8: its bytes as given)' })
      .option('alg', { type: 'string', choices: [...HMAC_ALGORITHMS], describe: 'the accepted algorithm (default HS256); alg none is never accepted' })
      .option('iss', { type: 'string', describe: 'verify: required issuer; mint: issuer to put in' })
      .option('sub', { type: 'string', describe: 'verify: required subject (workspace UUID); mint: subject to put in' })
      .option('skew', { type: 'string', describe: 'allowed clock difference (default 30s)' })
      .option('max-ttl', { type: 'string', describe: 'policy: longest TTL (exp - iat) allowed (default 5m)' })
      .option('strict', { type: 'boolean', describe: 'inspect: warnings make the exit code 1 too' })
      .option('ttl', { type: 'string', describe: 'mint: lifetime (default 300s); ephemeral: lifetime (default 1h)' })
      .option('out', { type: 'string', describe: 'mint: write the token to this file (mode 0600); it is never printed' })
      .option('user', { type: 'string', describe: 'ephemeral: the user part of the username' })
      .option('password-out', { type: 'string', describe: 'ephemeral: write the password to this file (mode 0600); it is never printed' })
      .option('username-format', { type: 'number', choices: [0, 1], describe: 'auth_ephemeral username_format: 1 <expiry>:<user> (default), 0 <user>:<expiry>' })
      .option('sha', { type: 'string', choices: [...EPHEMERAL_HASHES], describe: 'auth_ephemeral sha_algorithm (default sha1)' })
      .option('ephemeral', { type: 'boolean', describe: 'verify: the input is an auth_ephemeral username (default: guessed from its shape)' })
      .option('password-env', { type: 'string', describe: 'verify (auth_ephemeral): the password from this environment variable' })
      .option('password-file', { type: 'string', describe: 'verify (auth_ephemeral): the password from this file' })
      .option('password-stdin', { type: 'boolean', describe: 'verify (auth_ephemeral): the password from standard input' })
      .option('verbose', { alias: 'v', type: 'boolean', describe: 'also show the token in compact form with its signature redacted' })
      .option('json', { type: 'boolean', describe: 'print JSON' })
      .example('$0 token inspect - < token.txt', 'header, claims, times and policy warnings')
      .example('$0 token verify --token-env SIP_TOKEN --key-env JWT_KEY --next-key-env JWT_NEXT_KEY', 'which key verifies it; exit 0 valid, 1 invalid')
      .example('$0 token mint --key-env JWT_KEY --sub 0b6f4c1e-8d2a-4f3b-9c5d-7e1a2b3c4d5e --iss acme --out tok', 'a token for staging, written to ./tok')
      .example('$0 token rotation-check --key-env JWT_KEY --next-key-env JWT_NEXT_KEY --token-file live-tokens.txt', 'is promoting next now safe?')
      .example('$0 token ephemeral --secret-env AUTHEPH_SECRET --user alice --password-out pw', 'Kamailio auth_ephemeral credentials'),
  async run(argv, io) {
    const action = argv.action as Action;
    const stray = unexpectedOption(action, argv);
    if (stray !== undefined) return localError(`--${stray} does not go with token ${action}`, argv, io, 'bad-argument');
    try {
      return await ACTIONS[action](argv, io, Date.now() / 1000);
    } catch (error) {
      if (isLocalTokenProblem(error) || error instanceof PasswordSourceError) return localError(error.message, argv, io, error.code);
      if (error instanceof TokenError) {
        if (argv.json === true) io.out(JSON.stringify({ ok: false, valid: false, error: { code: error.code, message: error.message } }, null, 2));
        io.err(`sipscope token: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
