/**
 * `sipscope token ephemeral --secret-env NAME --user U [--ttl 1h] --password-out FILE`: Kamailio auth_ephemeral
 * credentials. The username (`<expiry>:<user>`) is printed; the password is written to --password-out (mode 0600)
 * for `register --auth-user USERNAME --password-file FILE`, never printed.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { makeEphemeral, type EphemeralHash, type UsernameFormat } from '../../token/index.js';
import type { CliIO } from '../io.js';
import { iso, span } from './token-render.js';
import { parseSeconds, readSecretSource, TokenInputError } from './token-sources.js';

export const DEFAULT_EPHEMERAL_TTL_S = 3600;

export async function runEphemeral(argv: Record<string, unknown>, io: CliIO, nowS: number): Promise<number> {
  const source = await readSecretSource('secret', argv['secret-env'], argv['secret-file'], io.env);
  if (!source) throw new TokenInputError('key-missing', 'give the shared secret with --secret-env NAME or --secret-file PATH (never on the command line)');
  const user = argv.user;
  if (typeof user !== 'string') throw new TokenInputError('bad-argument', 'give --user USER (the user part of the username)');
  if (/[\s]/.test(user)) throw new TokenInputError('bad-argument', '--user must not contain white space');
  const out = argv['password-out'];
  if (typeof out !== 'string' || out === '') throw new TokenInputError('bad-argument', 'give --password-out FILE: the password is written there (mode 0600), never printed');
  const format = Number(argv['username-format'] ?? 1) as UsernameFormat;
  const hash = String(argv.sha ?? 'sha1') as EphemeralHash;
  const ttlS = parseSeconds(argv.ttl ?? DEFAULT_EPHEMERAL_TTL_S, '--ttl', false);
  const credentials = makeEphemeral(user, { label: source.label, bytes: new Uint8Array(Buffer.from(source.text, 'utf8')) }, { ttlS, nowS, format, hash });
  try {
    await writeFile(out, `${credentials.password}\n`, { mode: 0o600 });
    await chmod(out, 0o600);
  } catch (error) {
    throw new TokenInputError('bad-argument', `--password-out ${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (argv.json === true) {
    io.out(JSON.stringify({ username: credentials.username, ttl: Math.round(ttlS), expiresAt: iso(credentials.expiresAt), passwordFile: out, hash, usernameFormat: format }, null, 2));
  } else {
    io.out([
      `username ${credentials.username}`,
      `expires  ${iso(credentials.expiresAt)} (in ${span(credentials.expiresAt - nowS)})`,
      `password written to ${out} (mode 0600): base64(HMAC-${hash.toUpperCase()}(secret, username))`,
    ].join('\n'));
  }
  return 0;
}
