/**
 * Where the token commands get their inputs: keys and secrets only from environment variables or files (never
 * argv, read by secret-source.ts), tokens from argv, standard input, a variable or a file; and the durations they
 * take (30s, 5m, 300). Nothing read here is ever printed: errors name the source, not its value. Problems are
 * CliErrors (exit 2).
 */
// not token/index.js: this file is on the start-up path of register/options (handshake tokens), jose is not
import { signingKey, type HmacAlgorithm, type KeyEncoding, type SigningKey } from '../../token/keys.js';
import type { TtlRange } from '../../token/ttl.js';
import { badArgument, CliError } from '../exit.js';
import { readAllCapped, readSecret, type Secret, type SecretSource } from '../secret-source.js';

export const ARGV_TOKEN_WARNING =
  'warning: a token on the command line is visible to other users (ps, /proc) until it expires; use -, --token-env or --token-file';

/** A key or secret (`--X-env` / `--X-file`): the whole text, by the rule of secret-source.ts. */
export function readKeySource(source: Omit<SecretSource, 'kind'>, env: NodeJS.ProcessEnv): Promise<Secret | undefined> {
  return readSecret({ kind: 'key', ...source }, 'text', env);
}

/** An HMAC key; TokenError('key-unusable') when too short or badly encoded, CliError('key-missing') when required and absent. */
export async function readSigningKey(
  source: Omit<SecretSource, 'kind'>, env: NodeJS.ProcessEnv, options: { encoding?: KeyEncoding; algorithm: HmacAlgorithm; required: boolean },
): Promise<SigningKey | undefined> {
  const secret = await readKeySource(source, env);
  if (!secret) {
    if (options.required) throw new CliError('key-missing', `give the key with --${source.option}-env NAME or --${source.option}-file PATH (never on the command line)`);
    return undefined;
  }
  return signingKey(secret.text, options.encoding ?? 'utf8', options.algorithm, secret.label);
}

/**
 * Tokens from the positionals (each a token, or '-' for standard input: one per line), --token-env and
 * --token-file (one per line). `warn` gets the argv warning once. Throws CliError('token-missing') for none.
 */
export async function readTokens(
  given: { tokens: readonly string[]; tokenEnv?: string; tokenFile?: string }, env: NodeJS.ProcessEnv, stdin: NodeJS.ReadableStream, warn: (text: string) => void,
): Promise<string[]> {
  const tokens: string[] = [];
  const lines = (text: string) => text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  if (given.tokens.some((value) => value !== '-')) warn(ARGV_TOKEN_WARNING);
  for (const value of given.tokens) {
    if (value === '-') tokens.push(...lines(await readAllCapped(stdin, 'standard input')));
    else tokens.push(value);
  }
  const source = await readSecret({ kind: 'token', option: 'token', envName: given.tokenEnv, filePath: given.tokenFile }, 'text', env);
  if (source) tokens.push(...lines(source.text));
  if (tokens.length === 0) throw new CliError('token-missing', 'give a token: TOKEN, - (standard input), --token-env NAME or --token-file PATH');
  return tokens;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Seconds from "300", "300s", "5m", "1h", "1500ms" (a bare number is seconds); `fallback` when not given. */
export function parseSeconds(value: string | undefined, what: string, fallback: number, allowZero = true): number {
  if (value === undefined) return fallback;
  const match = /^\s*(\d+)(?:\.(\d+))?\s*(ms|s|m|h|d)?\s*$/i.exec(value);
  if (!match) throw badArgument(`${what} "${value}" is not a duration (e.g. 300, 30s, 5m, 1h)`);
  const [, whole, fraction = '', unit = 's'] = match;
  const unitMs = UNIT_MS[unit.toLowerCase()];
  // the decimal as a whole number over a power of ten: exact, so 0.07h is 252 s (0.07 * 3600 is 252.00000000000003)
  const digits = fraction.replace(/0+$/, '');
  const exact = (Number(whole + digits) * unitMs) / (10 ** digits.length * 1000);
  const seconds = Number.isFinite(exact) ? exact : (Number(`${whole}.${digits}`) * unitMs) / 1000;
  if (!allowZero && !(seconds > 0)) throw badArgument(`${what} must be more than 0`);
  return seconds;
}

/**
 * A lifetime to mint with (token mint --ttl, --mint-ttl, token ephemeral --ttl): a duration as parseSeconds reads
 * it, refused unless it is whole seconds within `range` (token/ttl.ts): a fraction is not rounded (0.4 s made a token
 * expired when issued, 1.5 s one of 2 s), nor is an expiry past range.latestS written (a huge TTL gave a token's
 * exp no date can show, inexact past 2^53, and an ephemeral username auth_ephemeral refuses).
 */
export function parseTtl(value: string | undefined, option: string, fallback: number, range: TtlRange): number {
  const outOfRange = () =>
    badArgument(`${option} "${value}" is not allowed: give whole seconds from ${range.minS} to ${range.maxS} (expiry at most ${new Date(range.latestS * 1000).toISOString()}), e.g. 300, 5m, 1h`);
  if (value !== undefined && /^\s*-/.test(value)) throw outOfRange();
  const seconds = parseSeconds(value, option, fallback);
  if (!Number.isInteger(seconds) || seconds < range.minS || seconds > range.maxS) throw outOfRange();
  return seconds;
}
