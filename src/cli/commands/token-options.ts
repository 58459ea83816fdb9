/** The option table of `sipscope token` (docs/architecture.md, "How to add a command"), and which action reads which. */
import { EPHEMERAL_HASHES } from '../../token/ephemeral.js';
import { HMAC_ALGORITHMS, KEY_ENCODINGS } from '../../token/keys.js';
import type { ArgumentsOf, OptionTable } from '../option-table.js';

export const TOKEN_ACTIONS = ['inspect', 'verify', 'mint', 'rotation-check', 'ephemeral'] as const;
export type TokenAction = (typeof TOKEN_ACTIONS)[number];

export const TOKEN_OPTIONS = {
  action: { positional: true, type: 'string', choices: TOKEN_ACTIONS, describe: 'what to do' },
  tokens: { positional: true, type: 'string', array: true, describe: 'tokens (or auth_ephemeral usernames); - reads them from standard input, one per line' },
  'token-env': { type: 'string', describe: 'read the token from this environment variable' },
  'token-file': { type: 'string', describe: 'read the token(s) from this file, one per line' },
  'key-env': { type: 'string', describe: 'active signing key (verify: or auth_ephemeral secret) from this environment variable' },
  'key-file': { type: 'string', describe: 'active signing key (verify: or auth_ephemeral secret) from this file' },
  'next-key-env': { type: 'string', describe: 'next key during a rotation (or a second auth_ephemeral secret), from this environment variable' },
  'next-key-file': { type: 'string', describe: 'next key, from this file' },
  'key-encoding': { type: 'string', choices: KEY_ENCODINGS, describe: 'how the key is written (default utf8: its bytes as given)' },
  'secret-env': { type: 'string', describe: 'ephemeral: the auth_ephemeral shared secret from this environment variable' },
  'secret-file': { type: 'string', describe: 'ephemeral: the shared secret from this file' },
  alg: { type: 'string', choices: HMAC_ALGORITHMS, describe: 'the accepted algorithm (default HS256); alg none is never accepted' },
  iss: { type: 'string', describe: 'verify: required issuer; mint: issuer to put in' },
  sub: { type: 'string', describe: 'verify: required subject (workspace UUID); mint: subject to put in' },
  aud: { type: 'string', describe: 'verify: the audience this verifier is; a token with an aud claim is refused without it (RFC 7519 §4.1.3)' },
  skew: { type: 'string', describe: 'allowed clock difference (default 30s; for auth_ephemeral credentials 0, as Kamailio allows none)' },
  'max-ttl': { type: 'string', describe: 'policy: longest TTL (exp - iat) allowed (default 5m)' },
  strict: { type: 'boolean', describe: 'inspect: warnings make the exit code 1 too' },
  ttl: { type: 'string', describe: 'lifetime in whole seconds, from 1 until the expiry would pass the latest one allowed (mint: year 275760, default 300s; ephemeral: 2106-02-07, default 1h)' },
  out: { type: 'string', describe: 'mint: write the token to this file (mode 0600); it is never printed' },
  user: { type: 'string', describe: 'ephemeral: the user part of the username' },
  'password-out': { type: 'string', describe: 'ephemeral: write the password to this file (mode 0600); it is never printed' },
  'username-format': { type: 'string', choices: ['0', '1'], describe: 'auth_ephemeral username_format: 1 <expiry>:<user> (default), 0 <user>:<expiry>' },
  sha: { type: 'string', choices: EPHEMERAL_HASHES, describe: 'auth_ephemeral sha_algorithm (default sha1)' },
  ephemeral: { type: 'boolean', describe: 'verify: the input is an auth_ephemeral username (default: guessed from its shape)' },
  'password-env': { type: 'string', describe: 'verify (auth_ephemeral): the password from this environment variable' },
  'password-file': { type: 'string', describe: 'verify (auth_ephemeral): the password from the first line of this file' },
  'password-stdin': { type: 'boolean', describe: 'verify (auth_ephemeral): the password from standard input' },
  verbose: { alias: 'v', type: 'boolean', describe: 'also show the token in compact form with its signature redacted' },
  json: { type: 'boolean', describe: 'print JSON' },
} as const satisfies OptionTable;

export type TokenArguments = ArgumentsOf<typeof TOKEN_OPTIONS>;
type OptionName = keyof typeof TOKEN_OPTIONS;

const COMMON: readonly OptionName[] = ['tokens', 'json', 'verbose', 'alg', 'token-env', 'token-file'];
const KEYS: readonly OptionName[] = ['key-env', 'key-file', 'next-key-env', 'next-key-file', 'key-encoding'];

/** The options (and `tokens`, the positionals) each action reads: any other given is refused rather than silently ignored. */
export const ACTION_OPTIONS: Readonly<Record<TokenAction, readonly OptionName[]>> = {
  inspect: [...COMMON, 'max-ttl', 'skew', 'strict'],
  verify: [...COMMON, ...KEYS, 'iss', 'sub', 'aud', 'skew', 'ephemeral', 'password-env', 'password-file', 'password-stdin', 'username-format', 'sha'],
  mint: ['json', 'verbose', 'alg', 'key-env', 'key-file', 'key-encoding', 'sub', 'iss', 'ttl', 'out'],
  'rotation-check': [...COMMON, ...KEYS, 'skew', 'max-ttl'],
  ephemeral: ['json', 'secret-env', 'secret-file', 'user', 'ttl', 'username-format', 'sha', 'password-out'],
};
