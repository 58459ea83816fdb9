/**
 * Where a password comes from: an environment variable, a file, standard input, or (discouraged) argv.
 * The password itself is never printed; errors name the source, not the secret.
 */
import { readFile } from 'node:fs/promises';
import { CliError } from './exit.js';

export interface PasswordSources {
  passwordEnv?: string;
  passwordFile?: string;
  passwordStdin?: boolean;
  password?: string;
}

/** No usable password: the source named is empty or unreadable, or more than one source is named. */
function passwordMissing(message: string): CliError {
  return new CliError('password-missing', message);
}

export const ARGV_PASSWORD_WARNING =
  'warning: --password puts the password in the process arguments, visible to other users (ps, /proc); use --password-env, --password-file or --password-stdin';

/** First line without its line ending (a trailing newline in a file or pipe is not part of the password). */
function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The password from the one source given, or undefined when none is given. Throws CliError('password-missing') when more
 * than one source is given, or the named one is missing (unset variable, unreadable file, empty stdin).
 * `warn` receives the argv warning when --password is used.
 */
export async function readPassword(
  sources: PasswordSources,
  env: NodeJS.ProcessEnv,
  stdin: NodeJS.ReadableStream,
  warn: (text: string) => void,
): Promise<string | undefined> {
  const given = [
    sources.passwordEnv !== undefined && '--password-env',
    sources.passwordFile !== undefined && '--password-file',
    sources.passwordStdin === true && '--password-stdin',
    sources.password !== undefined && '--password',
  ].filter((name): name is string => typeof name === 'string');
  if (given.length > 1) throw passwordMissing(`give one password source, not ${given.join(' and ')}`);
  if (sources.passwordEnv !== undefined) {
    const value = env[sources.passwordEnv];
    if (value === undefined || value === '') {
      throw passwordMissing(`--password-env ${sources.passwordEnv}: environment variable ${sources.passwordEnv} is not set`);
    }
    return value;
  }
  if (sources.passwordFile !== undefined) {
    let text: string;
    try {
      text = await readFile(sources.passwordFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw passwordMissing(`--password-file ${sources.passwordFile}: cannot read the file (${code})`);
    }
    const password = firstLine(text);
    if (password === '') throw passwordMissing(`--password-file ${sources.passwordFile}: the first line is empty`);
    return password;
  }
  if (sources.passwordStdin) {
    const password = firstLine(await readAll(stdin));
    if (password === '') throw passwordMissing('--password-stdin: standard input held no password');
    return password;
  }
  if (sources.password !== undefined) {
    warn(ARGV_PASSWORD_WARNING);
    return sources.password;
  }
  return undefined;
}
