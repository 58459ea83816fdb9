/**
 * `sipscope token ephemeral --secret-env NAME --user U [--ttl 1h] --password-out FILE`: Kamailio auth_ephemeral
 * credentials. The username (`<expiry>:<user>`) is printed; the password is written to --password-out (mode 0600)
 * for `register --auth-user USERNAME --password-file FILE`, never printed.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { ephemeralTtlRange, makeEphemeral, type EphemeralHash, type UsernameFormat } from '../../token/index.js';
import { badArgument, CliError, EXIT } from '../exit.js';
import type { CliIO } from '../io.js';
import type { TokenArguments } from './token-options.js';
import { iso, span } from './token-render.js';
import { parseTtl, readKeySource } from './token-sources.js';

export const DEFAULT_EPHEMERAL_TTL_S = 3600;

export async function runEphemeral(args: TokenArguments, io: CliIO, nowS: number): Promise<number> {
  const source = await readKeySource({ option: 'secret', envName: args.secretEnv, filePath: args.secretFile }, io.env);
  if (!source) throw new CliError('key-missing', 'give the shared secret with --secret-env NAME or --secret-file PATH (never on the command line)');
  const { user } = args;
  if (user === undefined) throw badArgument('give --user USER (the user part of the username)');
  if (/\s/.test(user)) throw badArgument('--user must not contain white space');
  const out = args.passwordOut;
  if (out === undefined || out === '') throw badArgument('give --password-out FILE: the password is written there (mode 0600), never printed');
  const format = Number(args.usernameFormat ?? 1) as UsernameFormat;
  // autheph reads the timestamp after the first ':' in format 0 (parseEphemeralUsername): a ':' in the user breaks it
  if (format === 0 && user.includes(':')) throw badArgument('--user must not contain ":" with --username-format 0: Kamailio reads the expiry after the first ":"');
  const hash: EphemeralHash = args.sha ?? 'sha1';
  const ttlS = parseTtl(args.ttl, '--ttl', DEFAULT_EPHEMERAL_TTL_S, ephemeralTtlRange(nowS));
  const credentials = makeEphemeral(user, { label: source.label, bytes: new Uint8Array(Buffer.from(source.text, 'utf8')) }, { ttlS, nowS, format, hash });
  try {
    await writeFile(out, `${credentials.password}\n`, { mode: 0o600 });
    await chmod(out, 0o600);
  } catch (error) {
    throw badArgument(`--password-out ${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (args.json) {
    io.out(JSON.stringify({ username: credentials.username, ttl: ttlS, expiresAt: iso(credentials.expiresAt), passwordFile: out, hash, usernameFormat: format }, null, 2));
  } else {
    io.out([
      `username ${credentials.username}`,
      `expires  ${iso(credentials.expiresAt)} (in ${span(credentials.expiresAt - nowS)})`,
      `password written to ${out} (mode 0600): base64(HMAC-${hash.toUpperCase()}(secret, username))`,
    ].join('\n'));
  }
  return EXIT.ok;
}
