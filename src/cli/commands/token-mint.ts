/**
 * `sipscope token mint --key-env NAME --sub UUID [--iss I] [--ttl 300] --out FILE`: a token for tests and staging.
 * The token is written to --out (mode 0600), never to the terminal; stdout shows its header and claims.
 */
import { chmod, writeFile } from 'node:fs/promises';
import { decodeJwt, mintToken, tokenTimes, UUID_PATTERN, type HmacAlgorithm } from '../../token/index.js';
import type { CliIO } from '../io.js';
import { redactedCompact, timesJson, tokenLines } from './token-render.js';
import { parseSeconds, readSigningKey, TokenInputError } from './token-sources.js';

export async function runMint(argv: Record<string, unknown>, io: CliIO, nowS: number): Promise<number> {
  const algorithm = String(argv.alg ?? 'HS256') as HmacAlgorithm;
  const subject = argv.sub;
  if (typeof subject !== 'string' || !UUID_PATTERN.test(subject)) throw new TokenInputError('bad-argument', '--sub must be the workspace UUID (e.g. 0b6f4c1e-8d2a-4f3b-9c5d-7e1a2b3c4d5e)');
  const out = argv.out;
  if (typeof out !== 'string' || out === '') throw new TokenInputError('bad-argument', 'give --out FILE: the token is written there (mode 0600), never printed');
  const key = (await readSigningKey('key', argv, io.env, algorithm, true))!;
  const ttlS = parseSeconds(argv.ttl ?? 300, '--ttl', false);
  const token = await mintToken({ key, algorithm, subject, issuer: argv.iss as string | undefined, ttlS, nowS });
  try {
    await writeFile(out, `${token}\n`, { mode: 0o600 });
    await chmod(out, 0o600);
  } catch (error) {
    throw new TokenInputError('bad-argument', `--out ${out}: cannot write (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const decoded = decodeJwt(token);
  const times = tokenTimes(decoded, nowS);
  if (argv.json === true) {
    io.out(JSON.stringify({ out, header: decoded.header, claims: decoded.claims, times: timesJson(times) }, null, 2));
  } else {
    const lines = [`token written to ${out} (mode 0600)`, ...tokenLines(decoded, times)];
    if (argv.verbose === true) lines.push(`token   ${redactedCompact(token)}`);
    io.out(lines.join('\n'));
  }
  return 0;
}
