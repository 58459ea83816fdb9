/** `sipscope token inspect TOKEN|-`: header, claims, times and policy findings; exit 0 shown, 1 refused token, 2 local error. */
import { DEFAULT_MAX_TTL_S, inspectToken, TokenError } from '../../token/index.js';
import { EXIT } from '../exit.js';
import type { CliIO } from '../io.js';
import type { TokenArguments } from './token-options.js';
import { findingLines, problemText, redactedCompact, timesJson, tokenLines } from './token-render.js';
import { parseSeconds, readTokens } from './token-sources.js';

export async function runInspect(args: TokenArguments, io: CliIO, nowS: number): Promise<number> {
  const tokens = await readTokens(args, io.env, io.stdin, (text) => io.err(text));
  const policy = {
    algorithm: args.alg ?? 'HS256',
    maxTtlS: parseSeconds(args.maxTtl, '--max-ttl', DEFAULT_MAX_TTL_S),
    skewS: parseSeconds(args.skew, '--skew', 30),
    nowS,
  };
  let exitCode: number = EXIT.ok;
  const json: unknown[] = [];
  const blocks: string[] = [];
  for (const token of tokens) {
    try {
      const inspected = inspectToken(token, policy);
      const refused = inspected.findings.some((finding) => finding.severity === 'error' || args.strict === true);
      if (refused) exitCode = EXIT.failed;
      json.push({ ok: !refused, header: inspected.decoded.header, claims: inspected.decoded.claims, times: timesJson(inspected.times), findings: inspected.findings });
      const lines = tokenLines(inspected.decoded, inspected.times);
      if (args.verbose) lines.push(`token   ${redactedCompact(token)}`);
      blocks.push([...lines, ...findingLines(inspected.findings, io)].join('\n'));
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      exitCode = EXIT.failed;
      json.push({ ok: false, error: { code: error.code, message: error.message } });
      blocks.push(`${io.style.red('error')}: not a JWT: ${problemText(error)}`);
    }
  }
  if (args.json) io.out(JSON.stringify(json.length === 1 ? json[0] : json, null, 2));
  else io.out(blocks.join('\n\n'));
  return exitCode;
}
