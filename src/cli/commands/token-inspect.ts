/** `sipscope token inspect TOKEN|-`: header, claims, times and policy findings; exit 0 shown, 1 refused token, 2 local error. */
import { DEFAULT_MAX_TTL_S, inspectToken, TokenError } from '../../token/index.js';
import type { CliIO } from '../io.js';
import { findingLines, redactedCompact, timesJson, tokenLines } from './token-render.js';
import { parseSeconds, readTokens } from './token-sources.js';

export async function runInspect(argv: Record<string, unknown>, io: CliIO, nowS: number): Promise<number> {
  const tokens = await readTokens(argv, io.env, io.stdin, (text) => io.err(text));
  const policy = {
    algorithm: String(argv.alg ?? 'HS256'),
    maxTtlS: argv['max-ttl'] === undefined ? DEFAULT_MAX_TTL_S : parseSeconds(argv['max-ttl'], '--max-ttl'),
    skewS: parseSeconds(argv.skew ?? '30s', '--skew'),
    nowS,
  };
  const strict = argv.strict === true;
  let exitCode = 0;
  const json: unknown[] = [];
  const blocks: string[] = [];
  for (const token of tokens) {
    try {
      const inspected = inspectToken(token, policy);
      const refused = inspected.findings.some((finding) => finding.severity === 'error' || strict);
      if (refused) exitCode = 1;
      json.push({ ok: !refused, header: inspected.decoded.header, claims: inspected.decoded.claims, times: timesJson(inspected.times), findings: inspected.findings });
      const lines = tokenLines(inspected.decoded, inspected.times);
      if (argv.verbose === true) lines.push(`token   ${redactedCompact(token)}`);
      blocks.push([...lines, ...findingLines(inspected.findings, io)].join('\n'));
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      exitCode = 1;
      json.push({ ok: false, error: { code: error.code, message: error.message } });
      blocks.push(`${io.style.red('error')}: not a JWT: ${error.message} [${error.code}]`);
    }
  }
  if (argv.json === true) io.out(JSON.stringify(json.length === 1 ? json[0] : json, null, 2));
  else io.out(blocks.join('\n\n'));
  return exitCode;
}
