/**
 * Where every secret the CLI reads comes from (passwords, keys and shared secrets, tokens, the control API token):
 * an environment variable (`--X-env NAME`) or a file (`--X-file PATH`), passwords also standard input. One rule for
 * all of them:
 * - the source's text is the variable's value, or the file's (or standard input's) whole content, less ONE trailing
 *   line break (LF or CRLF); nothing else is trimmed: spaces are part of a secret;
 * - a one-line secret (a password, the control API token, a handshake token) is the first line of that text; a key,
 *   a shared secret and a token list (one token per line) are all of it;
 * - an unset or empty variable, an unreadable file, an empty secret or two sources at once are a SecretSourceError
 *   whose message names the option and the variable or path, never the value;
 * - `--X-env` takes a variable's NAME (POSIX, IEEE Std 1003.1 §8.1: letters, digits and underscores, not starting
 *   with a digit); anything else given there is most likely the secret itself pasted in its place, so the message
 *   says so without showing it.
 * - a name that is not set is shown only when it is written as variables conventionally are (upper case, digits,
 *   underscores: §8.1 again); `hunter2` is a valid name and a plausible password, so an unset one is not shown. A
 *   file that does not exist is named only when its path looks like one (a `/` in it, or a short extension): a
 *   secret pasted as `--X-file` would otherwise be printed in the "no such file" message.
 */
import { readFile } from 'node:fs/promises';
import { badArgument, CliError } from './exit.js';

/** What the secret is: it names the error code (`password-missing`, `key-missing`, `token-missing`). */
export type SecretKind = 'password' | 'key' | 'token';

/** `line`: the first line (a password, a token); `text`: the whole text (a key, a list of tokens). */
export type SecretShape = 'line' | 'text';

/** A secret that could not be read from the source named: the message names the option and variable or path. */
export class SecretSourceError extends CliError {
  constructor(kind: SecretKind, message: string) {
    super(`${kind}-missing`, message);
    this.name = 'SecretSourceError';
  }
}

/** A secret named by `--<option>-env NAME` / `--<option>-file PATH`. */
export interface SecretSource {
  kind: SecretKind;
  /** The options' common prefix: `password`, `old-password`, `key`, `next-key`, `secret`, `token`, `control-token`. */
  option: string;
  envName?: string;
  filePath?: string;
}

export interface Secret {
  text: string;
  /** Where it came from, safe to print: `$NAME` or the file's path. */
  label: string;
}

const ENVIRONMENT_VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The conventional shape of a variable's name: an unset one written so is shown in the message. */
const CONVENTIONAL_VARIABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** A path that looks like a path (a directory in it, or an extension): a missing one is shown in the message. */
const PATH_SHAPED = /\/|\.[A-Za-z0-9]{1,5}$/;

/** Standard input is capped: a password or a token is a few hundred bytes, token lists are short. */
const MAX_STDIN_BYTES = 4 * 1024 * 1024;

export async function readAllCapped(stream: NodeJS.ReadableStream, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.length;
    if (total > MAX_STDIN_BYTES) throw badArgument(`${what}: more than ${MAX_STDIN_BYTES} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The text less one trailing LF or CRLF, then (shape `line`) its first line. */
export function secretOfText(text: string, shape: SecretShape): string {
  const whole = text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
  if (shape === 'text') return whole;
  const end = whole.search(/\r?\n/);
  return end < 0 ? whole : whole.slice(0, end);
}

/**
 * The secret from the variable or file named, shaped as `shape` says; undefined when neither is named. Throws
 * SecretSourceError when both are named, the name is not a variable name, the variable is unset or empty, the file is
 * unreadable, or the secret is empty.
 */
export async function readSecret(source: SecretSource, shape: SecretShape, env: NodeJS.ProcessEnv): Promise<Secret | undefined> {
  const { kind, option, envName, filePath } = source;
  if (envName !== undefined && filePath !== undefined) throw new SecretSourceError(kind, `give --${option}-env or --${option}-file, not both`);
  if (envName !== undefined) {
    if (!ENVIRONMENT_VARIABLE_NAME.test(envName)) {
      throw new SecretSourceError(kind, `--${option}-env takes the NAME of an environment variable, and the value given is not a variable name (not shown: it may be a secret)`);
    }
    const value = env[envName];
    if (value === undefined) {
      if (!CONVENTIONAL_VARIABLE_NAME.test(envName)) {
        throw new SecretSourceError(kind, `--${option}-env: the environment variable named there is not set (its name is not shown: not written in upper case, it may be a secret pasted in its place)`);
      }
      throw new SecretSourceError(kind, `--${option}-env ${envName}: environment variable ${envName} is not set`);
    }
    if (value === '') throw new SecretSourceError(kind, `--${option}-env ${envName}: environment variable ${envName} is empty`);
    const text = secretOfText(value, shape);
    if (text === '') throw new SecretSourceError(kind, `--${option}-env ${envName}: ${shape === 'line' ? 'the first line' : 'the value'} is empty`);
    return { text, label: `$${envName}` };
  }
  if (filePath !== undefined) {
    let content: string;
    try {
      content = await readFile(filePath, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      if (code === 'ENOENT' && !PATH_SHAPED.test(filePath)) {
        throw new SecretSourceError(kind, `--${option}-file: no such file (its name is not shown: with no directory and no extension, it may be a secret pasted in its place)`);
      }
      throw new SecretSourceError(kind, `--${option}-file ${filePath}: cannot read the file (${code})`);
    }
    const text = secretOfText(content, shape);
    if (text === '') throw new SecretSourceError(kind, `--${option}-file ${filePath}: ${shape === 'line' ? 'the first line' : 'the file'} is empty`);
    return { text, label: filePath };
  }
  return undefined;
}

/** A one-line secret from standard input (`--<option>-stdin`), by the same rule. */
export async function readSecretFromStdin(kind: SecretKind, option: string, stdin: NodeJS.ReadableStream): Promise<string> {
  const text = secretOfText(await readAllCapped(stdin, `--${option}-stdin`), 'line');
  if (text === '') throw new SecretSourceError(kind, `--${option}-stdin: standard input held no ${kind}`);
  return text;
}
