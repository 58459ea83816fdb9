/**
 * The credential options every command that authenticates takes (register, options, and call, rotate, token),
 * declared once, and `readCredentials` that turns them into the user, digest username and password. Spread
 * CREDENTIAL_OPTIONS (or PASSWORD_OPTIONS alone) into a command's option table and call readCredentials(args, io)
 * in its run: the password then comes from an environment variable, a file or stdin, as everywhere else.
 */
import type { CliIO } from './io.js';
import type { ArgumentsOf, OptionTable } from './option-table.js';
import { readPassword } from './password.js';

/** Where the password comes from (src/cli/password.ts): one of them, or none. */
export const PASSWORD_OPTIONS = {
  'password-env': { type: 'string', describe: 'read the password from this environment variable' },
  'password-file': { type: 'string', describe: 'read the password from the first line of this file' },
  'password-stdin': { type: 'boolean', describe: 'read the password from the first line of standard input' },
  password: { type: 'string', describe: 'password on the command line (visible to other users: prefer the options above)' },
} as const satisfies OptionTable;

/** The user, the digest username and the password sources. */
export const CREDENTIAL_OPTIONS = {
  user: { type: 'string', describe: 'user part of the address-of-record (default: the URI user)' },
  'auth-user': { type: 'string', describe: 'digest username (default: --user)' },
  ...PASSWORD_OPTIONS,
} as const satisfies OptionTable;

export type PasswordArguments = ArgumentsOf<typeof PASSWORD_OPTIONS>;
export type CredentialArguments = ArgumentsOf<typeof CREDENTIAL_OPTIONS>;

export interface CliCredentials {
  /** User part of the address-of-record; undefined: the target URI's user. */
  user?: string;
  /** Digest username (RFC 3261 §22.2); undefined: the user. */
  authUser?: string;
  /** undefined when no source was given (a challenge then cannot be answered). */
  password?: string;
}

/**
 * The password from the one source given, undefined when none is; throws CliError('password-missing') when the
 * named source is empty or unreadable or more than one is named. The --password warning goes to stderr.
 */
export function readPasswordOption(args: PasswordArguments, io: CliIO): Promise<string | undefined> {
  return readPassword(
    { passwordEnv: args.passwordEnv, passwordFile: args.passwordFile, passwordStdin: args.passwordStdin === true, password: args.password },
    io.env,
    io.stdin,
    (text) => io.err(text),
  );
}

/** User, digest username and password from CREDENTIAL_OPTIONS; throws as readPasswordOption does. */
export async function readCredentials(args: CredentialArguments, io: CliIO): Promise<CliCredentials> {
  return { user: args.user, authUser: args.authUser, password: await readPasswordOption(args, io) };
}
