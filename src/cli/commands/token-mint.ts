/**
 * `sipscope token mint --key-env NAME --sub UUID [--iss I] [--ttl 300] --out FILE`: a token for tests and staging.
 * The token is written to --out (mode 0600), never to the terminal; stdout shows its header and claims.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { decodeJwt, mintToken, mintTtlRange, tokenTimes, UUID_PATTERN, type HmacAlgorithm } from '../../token/index.js';
import { badArgument, EXIT } from '../exit.js';
import type { CliIO } from '../io.js';
import type { TokenArguments } from './token-options.js';
import { redactedCompact, timesJson, tokenLines } from './token-render.js';
import { parseTtl, readSigningKey } from './token-sources.js';

export async function runMint(args: TokenArguments, io: CliIO, nowS: number): Promise<number> {
  const algorithm: HmacAlgorithm = args.alg ?? 'HS256';
  const subject = args.sub;
  if (subject === undefined || !UUID_PATTERN.test(subject)) throw badArgument('--sub must be the workspace UUID (e.g. 0b6f4c1e-8d2a-4f3b-9c5d-7e1a2b3c4d5e)');
  const out = args.out;
  if (out === undefined || out === '') throw badArgument('give --out FILE: the token is written there (mode 0600), never printed');
  const ttlS = parseTtl(args.ttl, '--ttl', 300, mintTtlRange(nowS));
  const key = (await readSigningKey({ option: 'key', envName: args.keyEnv, filePath: args.keyFile }, io.env, { encoding: args.keyEncoding, algorithm, required: true }))!;
  const token = await mintToken({ key, algorithm, subject, issuer: args.iss, ttlS, nowS });
  // iss stays optional here (a staging token may want none), but verify requires it (REQUIRED_CLAIMS): say so
  if (args.iss === undefined) io.err('warning: no --iss: the token has no "iss" claim, which token verify (and the policy) requires');
  try {
    await writeFile(out, `${token}\n`, { mode: 0o600 });
    await chmod(out, 0o600);
  } catch (error) {
    throw badArgument(`--out ${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const decoded = decodeJwt(token);
  const times = tokenTimes(decoded, nowS);
  if (args.json) {
    io.out(JSON.stringify({ out, header: decoded.header, claims: decoded.claims, times: timesJson(times) }, null, 2));
  } else {
    const lines = [`token written to ${out} (mode 0600)`, ...tokenLines(decoded, times)];
    if (args.verbose) lines.push(`token   ${redactedCompact(token)}`);
    io.out(lines.join('\n'));
  }
  return EXIT.ok;
}
