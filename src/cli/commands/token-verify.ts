/**
 * `sipscope token verify TOKEN|- --key-env NAME [--next-key-env NAME] [--iss I] [--sub UUID] [--skew 30s]`: which
 * key verifies the token (active / next / none), expiry with clock skew, required claims. Also Kamailio
 * auth_ephemeral credentials: the username as TOKEN, the password from --password-env/-file/-stdin, the secrets as
 * keys. Exit 0 valid, 1 invalid, 2 local error.
 */
import {
  looksEphemeral, tokenTimes, TokenError, verifyEphemeral, verifyToken,
  type EphemeralHash, type HmacAlgorithm, type UsernameFormat, type VerifyResult,
} from '../../token/index.js';
import { readPasswordOption } from '../credentials.js';
import { CliError, EXIT } from '../exit.js';
import type { CliIO } from '../io.js';
import type { TokenArguments } from './token-options.js';
import { printable } from '../../report/printable.js';
import { iso, problemText, redactedCompact, span, timesJson, tokenLines } from './token-render.js';
import { parseSeconds, readKeySource, readSigningKey, readTokens } from './token-sources.js';

function verdictLine(valid: boolean, io: CliIO, text: string): string {
  return `${valid ? io.style.green(io.style.bold('VALID')) : io.style.red(io.style.bold('INVALID'))} ${text}`;
}

async function verifyJwt(token: string, args: TokenArguments, io: CliIO, nowS: number): Promise<{ valid: boolean; json: unknown; text: string }> {
  const algorithm: HmacAlgorithm = args.alg ?? 'HS256';
  const encoding = args.keyEncoding;
  const active = (await readSigningKey({ option: 'key', envName: args.keyEnv, filePath: args.keyFile }, io.env, { encoding, algorithm, required: true }))!;
  const next = await readSigningKey({ option: 'next-key', envName: args.nextKeyEnv, filePath: args.nextKeyFile }, io.env, { encoding, algorithm, required: false });
  const options = { algorithm, issuer: args.iss, subject: args.sub, audience: args.aud, skewS: parseSeconds(args.skew, '--skew', 30), nowS };
  let result: VerifyResult;
  try {
    result = await verifyToken(token, { active, next }, options);
  } catch (error) {
    if (!(error instanceof TokenError) || error.local) throw error;
    // not a JWT at all: invalid, shown without header or claims
    const json = { valid: false, kind: 'jwt', key: 'none', error: { code: error.code, message: error.message } };
    return { valid: false, json, text: verdictLine(false, io, problemText(error)) };
  }
  const times = tokenTimes(result.decoded, nowS);
  const json = {
    valid: result.valid,
    kind: 'jwt',
    key: result.key,
    header: result.decoded.header,
    claims: result.decoded.claims,
    times: timesJson(times),
    ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
  };
  const keyText = result.key === 'none' ? 'no key verifies it' : `verified by the ${result.key} key`;
  const lines = [...tokenLines(result.decoded, times)];
  if (args.verbose) lines.push(`token   ${redactedCompact(token)}`);
  lines.push(verdictLine(result.valid, io, result.error ? `${keyText}: ${problemText(result.error)}` : keyText));
  return { valid: result.valid, json, text: lines.join('\n') };
}

async function verifyCredential(username: string, args: TokenArguments, io: CliIO, nowS: number): Promise<{ valid: boolean; json: unknown; text: string }> {
  const secrets = [];
  for (const source of [{ option: 'key', envName: args.keyEnv, filePath: args.keyFile }, { option: 'next-key', envName: args.nextKeyEnv, filePath: args.nextKeyFile }]) {
    const secret = await readKeySource(source, io.env);
    if (secret) secrets.push({ label: secret.label, bytes: new Uint8Array(Buffer.from(secret.text, 'utf8')) });
  }
  if (secrets.length === 0) throw new CliError('key-missing', 'give the auth_ephemeral secret with --key-env NAME or --key-file PATH (and --next-key-env for a second one)');
  const password = await readPasswordOption({ ...args, password: undefined }, io);
  if (password === undefined) throw new CliError('password-missing', 'an auth_ephemeral username needs its password: --password-env NAME, --password-file PATH or --password-stdin');
  const verdict = verifyEphemeral(username, password, secrets, {
    nowS,
    // Kamailio's autheph_verify_timestamp() refuses a username once now > expiry, with no allowance: only an
    // explicit --skew widens it
    skewS: parseSeconds(args.skew, '--skew', 0),
    format: Number(args.usernameFormat ?? 1) as UsernameFormat,
    hash: (args.sha ?? 'sha1') as EphemeralHash,
  });
  const key = verdict.secret === 1 ? 'active' : verdict.secret === 2 ? 'next' : 'none';
  const remainingS = verdict.expiresAt === undefined ? undefined : verdict.expiresAt - nowS;
  const json = {
    valid: verdict.valid,
    kind: 'auth_ephemeral',
    key,
    username,
    user: verdict.user ?? null,
    expiresAt: iso(verdict.expiresAt),
    remainingS: remainingS === undefined ? null : Math.round(remainingS),
    ...(verdict.error ? { error: { code: verdict.error.code, message: verdict.error.message } } : {}),
  };
  const lines = [`username ${printable(username)} (Kamailio auth_ephemeral)`];
  if (verdict.expiresAt !== undefined) lines.push(`expires  ${iso(verdict.expiresAt)} (${remainingS! >= 0 ? `in ${span(remainingS!)}` : `${span(-remainingS!)} ago`})`);
  const keyText = key === 'none' ? 'no secret matches' : `password made with the ${key} secret`;
  lines.push(verdictLine(verdict.valid, io, verdict.error ? `${key === 'none' ? '' : `${keyText}: `}${problemText(verdict.error)}` : keyText));
  return { valid: verdict.valid, json, text: lines.join('\n') };
}

export async function runVerify(args: TokenArguments, io: CliIO, nowS: number): Promise<number> {
  const tokens = await readTokens(args, io.env, io.stdin, (text) => io.err(text));
  const results = [];
  for (const token of tokens) {
    const ephemeral = args.ephemeral ?? looksEphemeral(token);
    results.push(ephemeral ? await verifyCredential(token.trim(), args, io, nowS) : await verifyJwt(token, args, io, nowS));
  }
  if (args.json) io.out(JSON.stringify(results.length === 1 ? results[0].json : results.map((result) => result.json), null, 2));
  else io.out(results.map((result) => result.text).join('\n\n'));
  return results.every((result) => result.valid) ? EXIT.ok : EXIT.failed;
}
