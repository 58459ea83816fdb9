/**
 * `sipscope token rotation-check --key-env A --next-key-env B [TOKEN...]`: for each token, the key that signed it and
 * whether it survives the promotion of next to active; and the earliest safe promotion time (when the last token
 * signed by the active key expires). Exit 0 when promoting now cuts off no token given, 1 when it would (or a token
 * is signed by neither key, both keys are the same, or no tokens were given), 2 local error.
 */
import { checkRotation, DEFAULT_MAX_TTL_S, type HmacAlgorithm, type RotationTokenVerdict } from '../../token/index.js';
import { CliError, EXIT } from '../exit.js';
import type { CliIO } from '../io.js';
import { SecretSourceError } from '../secret-source.js';
import type { TokenArguments } from './token-options.js';
import { iso, problemText, span } from './token-render.js';
import { parseSeconds, readSigningKey, readTokens } from './token-sources.js';

/** When the token expires, or expired: a token past its exp but inside the skew is still accepted, so still live. */
function expiryText(verdict: RotationTokenVerdict, nowS: number, skewS: number): string {
  if (verdict.expiresAt === undefined) return 'no exp';
  const left = verdict.expiresAt - nowS;
  if (left >= 0) return `exp ${iso(verdict.expiresAt)} (in ${span(left)})`;
  const within = verdict.expired ? '' : `, still accepted within the ${skewS} s skew`;
  return `exp ${iso(verdict.expiresAt)} (expired ${span(-left)} ago${within})`;
}

function verdictText(verdict: RotationTokenVerdict, nowS: number, skewS: number): string {
  const expiry = expiryText(verdict, nowS, skewS);
  if (verdict.problem) return `token ${verdict.index}: ${problemText(verdict.problem)}`;
  const fate = verdict.expired ? 'already expired' : verdict.survivesPromotion ? 'survives promotion' : 'REJECTED after promotion';
  return `token ${verdict.index}: signed by the ${verdict.key} key, ${expiry}: ${fate}`;
}

export async function runRotationCheck(args: TokenArguments, io: CliIO, nowS: number): Promise<number> {
  const algorithm: HmacAlgorithm = args.alg ?? 'HS256';
  const encoding = args.keyEncoding;
  const active = (await readSigningKey({ option: 'key', envName: args.keyEnv, filePath: args.keyFile }, io.env, { encoding, algorithm, required: true }))!;
  const next = await readSigningKey({ option: 'next-key', envName: args.nextKeyEnv, filePath: args.nextKeyFile }, io.env, { encoding, algorithm, required: false });
  if (!next) throw new CliError('key-missing', 'give the next key with --next-key-env NAME or --next-key-file PATH');
  let tokens: string[] = [];
  try {
    tokens = await readTokens(args, io.env, io.stdin, (text) => io.err(text));
  } catch (error) {
    // no token given is allowed here; a token source that cannot be read is not
    if (!(error instanceof CliError && error.code === 'token-missing') || error instanceof SecretSourceError) throw error;
  }
  const skewS = parseSeconds(args.skew, '--skew', 30);
  const report = await checkRotation(tokens, { active, next, algorithm, nowS, skewS, maxTtlS: parseSeconds(args.maxTtl, '--max-ttl', DEFAULT_MAX_TTL_S) });
  const cutOff = report.tokens.filter((verdict) => verdict.key === 'active' && !verdict.expired);
  const unusable = report.tokens.filter((verdict) => verdict.problem !== undefined);
  // without tokens nothing shows that no live token of the active key is left: not provably safe
  const safeNow = tokens.length > 0 && cutOff.length === 0 && unusable.length === 0 && !report.sameKeys;
  if (args.json) {
    io.out(JSON.stringify({
      safeToPromoteNow: safeNow,
      sameKeys: report.sameKeys,
      earliestSafePromotion: iso(report.earliestSafePromotion),
      lastActiveExpiry: report.lastActiveExpiry === undefined ? null : iso(report.lastActiveExpiry),
      policySafePromotion: iso(report.policySafePromotion),
      tokens: report.tokens.map((verdict) => ({
        index: verdict.index, key: verdict.key, expiresAt: iso(verdict.expiresAt), expired: verdict.expired,
        survivesPromotion: verdict.survivesPromotion,
        ...(verdict.problem ? { error: { code: verdict.problem.code, message: verdict.problem.message } } : {}),
      })),
    }, null, 2));
  } else {
    const lines = report.tokens.map((verdict) => verdictText(verdict, nowS, skewS));
    if (report.sameKeys) lines.push(io.style.red('the active and next keys are the same: promotion rotates nothing'));
    if (report.lastActiveExpiry === Number.POSITIVE_INFINITY) {
      lines.push(io.style.red('a token signed by the active key has no exp: promotion will always cut it off'));
    } else if (report.lastActiveExpiry !== undefined) {
      lines.push(`last token signed by the active key expires (with skew) at ${iso(report.lastActiveExpiry)}: earliest safe promotion in ${span(report.earliestSafePromotion - nowS)}`);
    } else if (tokens.length > 0) {
      lines.push('no live token given is signed by the active key');
    } else {
      lines.push('no tokens given: nothing shows which live tokens the active key signed');
    }
    lines.push(`by policy (TTL at most ${span(report.policySafePromotion - nowS - skewS)} + skew): once the backend signs only with the next key, promotion is safe after ${span(report.policySafePromotion - nowS)}, at ${iso(report.policySafePromotion)} if it switched now`);
    lines.push(safeNow ? io.style.green('promoting next to active now cuts off no token given') : io.style.red('promoting next to active now is NOT safe'));
    io.out(lines.join('\n'));
  }
  return safeNow ? EXIT.ok : EXIT.failed;
}
