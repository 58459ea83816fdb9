/**
 * Where a password comes from: an environment variable, a file, standard input, or (discouraged) argv; read by
 * the rule of secret-source.ts (one trailing line break dropped, then the first line). The password itself is never
 * printed; errors name the source, not the secret.
 */
import { readSecret, readSecretFromStdin, SecretSourceError } from './secret-source.js';

export interface PasswordSources {
  /** The options' prefix, `password` unless told (rotate: `old-password`, `new-password`). */
  option?: string;
  passwordEnv?: string;
  passwordFile?: string;
  passwordStdin?: boolean;
  password?: string;
}

export const ARGV_PASSWORD_WARNING =
  'warning: --password puts the password in the process arguments, visible to other users (ps, /proc); use --password-env, --password-file or --password-stdin';

/**
 * The password from the one source given, or undefined when none is given. Throws SecretSourceError (code password-missing) when more
 * than one source is given, or the named one is missing (unset variable, unreadable file, empty stdin).
 * `warn` receives the argv warning when --password is used.
 */
export async function readPassword(
  sources: PasswordSources,
  env: NodeJS.ProcessEnv,
  stdin: NodeJS.ReadableStream,
  warn: (text: string) => void,
): Promise<string | undefined> {
  const option = sources.option ?? 'password';
  const given = [
    sources.passwordEnv !== undefined && `--${option}-env`,
    sources.passwordFile !== undefined && `--${option}-file`,
    sources.passwordStdin === true && `--${option}-stdin`,
    sources.password !== undefined && '--password',
  ].filter((name): name is string => typeof name === 'string');
  if (given.length > 1) throw new SecretSourceError('password', `give one password source, not ${given.join(' and ')}`);
  const named = await readSecret({ kind: 'password', option, envName: sources.passwordEnv, filePath: sources.passwordFile }, 'line', env);
  if (named !== undefined) return named.text;
  if (sources.passwordStdin) return readSecretFromStdin('password', option, stdin);
  if (sources.password !== undefined) {
    warn(ARGV_PASSWORD_WARNING);
    return sources.password;
  }
  return undefined;
}
