/**
 * Where the token commands get their inputs: keys and secrets only from environment variables or files (never
 * argv), tokens from argv, standard input, a variable or a file; and the durations they take (30s, 5m, 300).
 * Nothing read here is ever printed: errors name the source, not its value.
 */
import { readFile } from 'node:fs/promises';
// not token/index.js: this file is on the start-up path of register/options (handshake tokens), jose is not
import { TokenError } from '../../token/errors.js';
import { signingKey, type HmacAlgorithm, type KeyEncoding, type SigningKey } from '../../token/keys.js';

/** A local problem with the command line or an input source: exit 2. */
export class TokenInputError extends Error {
  readonly code: string;
  constructor(code: 'bad-argument' | 'key-missing' | 'token-missing', message: string) {
    super(message);
    this.name = 'TokenInputError';
    this.code = code;
  }
}

export const ARGV_TOKEN_WARNING =
  'warning: a token on the command line is visible to other users (ps, /proc) until it expires; use -, --token-env or --token-file';

/** Standard input is capped: a token is a few hundred bytes, rotation-check lists are short. */
const MAX_STDIN_BYTES = 4 * 1024 * 1024;

export async function readAllCapped(stream: NodeJS.ReadableStream, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.length;
    if (total > MAX_STDIN_BYTES) throw new TokenInputError('bad-argument', `${what}: more than ${MAX_STDIN_BYTES} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The value of `--X-env NAME` or the content of `--X-file PATH` (one trailing line break dropped); undefined when neither is given. */
export async function readSecretSource(
  option: string, envName: unknown, filePath: unknown, env: NodeJS.ProcessEnv,
): Promise<{ text: string; label: string } | undefined> {
  if (envName !== undefined && filePath !== undefined) throw new TokenInputError('bad-argument', `give --${option}-env or --${option}-file, not both`);
  if (typeof envName === 'string') {
    const value = env[envName];
    if (value === undefined || value === '') throw new TokenInputError('key-missing', `--${option}-env ${envName}: environment variable ${envName} is not set`);
    return { text: value, label: `$${envName}` };
  }
  if (typeof filePath === 'string') {
    let text: string;
    try {
      text = await readFile(filePath, 'utf8');
    } catch (error) {
      throw new TokenInputError('key-missing', `--${option}-file ${filePath}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    text = text.replace(/\r?\n$/, '');
    if (text === '') throw new TokenInputError('key-missing', `--${option}-file ${filePath}: the file is empty`);
    return { text, label: filePath };
  }
  return undefined;
}

/** An HMAC key from --<option>-env / --<option>-file; TokenError('key-unusable') when too short or badly encoded. */
export async function readSigningKey(
  option: string, argv: Record<string, unknown>, env: NodeJS.ProcessEnv, algorithm: HmacAlgorithm, required: boolean,
): Promise<SigningKey | undefined> {
  const source = await readSecretSource(option, argv[`${option}-env`], argv[`${option}-file`], env);
  if (!source) {
    if (required) throw new TokenInputError('key-missing', `give the key with --${option}-env NAME or --${option}-file PATH (never on the command line)`);
    return undefined;
  }
  return signingKey(source.text, (argv['key-encoding'] as KeyEncoding | undefined) ?? 'utf8', algorithm, source.label);
}

/**
 * Tokens from the positionals (each a token, or '-' for standard input: one per line), --token-env and
 * --token-file (one per line). `warn` gets the argv warning once.
 */
export async function readTokens(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, stdin: NodeJS.ReadableStream, warn: (text: string) => void): Promise<string[]> {
  const positionals = ((argv.tokens as unknown[] | undefined) ?? []).map(String);
  const tokens: string[] = [];
  const lines = (text: string) => text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  if (positionals.some((value) => value !== '-')) warn(ARGV_TOKEN_WARNING);
  for (const value of positionals) {
    if (value === '-') tokens.push(...lines(await readAllCapped(stdin, 'standard input')));
    else tokens.push(value);
  }
  const source = await readSecretSource('token', argv['token-env'], argv['token-file'], env);
  if (source) tokens.push(...lines(source.text));
  if (tokens.length === 0) throw new TokenInputError('token-missing', 'give a token: TOKEN, - (standard input), --token-env NAME or --token-file PATH');
  return tokens;
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds from "300", "300s", "5m", "1h", "1500ms" (a bare number is seconds). */
export function parseSeconds(value: unknown, what: string, allowZero = true): number {
  const text = String(value);
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) throw new TokenInputError('bad-argument', `${what} "${text}" is not a duration (e.g. 300, 30s, 5m, 1h)`);
  const seconds = Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's').toLowerCase()];
  if (!allowZero && !(seconds > 0)) throw new TokenInputError('bad-argument', `${what} must be more than 0`);
  return seconds;
}

/** A local error of the token commands (our side: exit 2), as opposed to an invalid token (exit 1). */
export function isLocalTokenProblem(error: unknown): error is TokenInputError | TokenError {
  return error instanceof TokenInputError || (error instanceof TokenError && error.local);
}
