/**
 * How the token commands show a token: its header and claims, times as ISO 8601 UTC, TTL and time left; with -v
 * the compact form with the signature replaced by a marker. The signature and keys are never shown. A token is
 * outside text: whatever of it reaches the terminal (claims, header, messages quoting it) goes through printable().
 */
import { formatSeconds } from '../../report/check-json.js';
import { printable } from '../../report/printable.js';
import type { DecodedJwt, TokenFinding, TokenTimes } from '../../token/index.js';
import type { CliIO } from '../io.js';

export const iso = (seconds: number | undefined): string | null =>
  seconds === undefined || !Number.isFinite(seconds) || Math.abs(seconds) > 8.64e12 ? null : new Date(seconds * 1000).toISOString();

/** "5m 0s", "-12s": the one duration format of the reports. */
export const span = formatSeconds;

/** `header.claims.[signature redacted: N characters]`: what -v shows of a token. */
export function redactedCompact(token: string): string {
  const [header = '', claims = '', signature = ''] = token.trim().split('.');
  return `${header}.${claims}.[signature redacted: ${signature.length} characters]`;
}

export function timesJson(times: TokenTimes): Record<string, string | number | null> {
  return {
    issuedAt: iso(times.issuedAt),
    notBefore: iso(times.notBefore),
    expiresAt: iso(times.expiresAt),
    ttlS: times.ttlS ?? null,
    remainingS: times.remainingS === undefined ? null : Math.round(times.remainingS),
  };
}

/** Lines showing a decoded token (header, claims, times). */
export function tokenLines(decoded: DecodedJwt, times: TokenTimes): string[] {
  // JSON.stringify escapes C0 only: C1 and bidi controls in a string are left as they are
  const lines = [`header  ${printable(JSON.stringify(decoded.header))}`, `claims  ${printable(JSON.stringify(decoded.claims))}`];
  for (const name of ['iss', 'sub'] as const) {
    if (decoded.claims[name] !== undefined) lines.push(`${name.padEnd(7)} ${printable(String(decoded.claims[name]))}`);
  }
  if (times.issuedAt !== undefined) lines.push(`iat     ${iso(times.issuedAt) ?? times.issuedAt}`);
  if (times.notBefore !== undefined) lines.push(`nbf     ${iso(times.notBefore) ?? times.notBefore}`);
  if (times.expiresAt !== undefined) lines.push(`exp     ${iso(times.expiresAt) ?? times.expiresAt}`);
  if (times.ttlS !== undefined) lines.push(`TTL     ${times.ttlS} s (${span(times.ttlS)})`);
  if (times.remainingS !== undefined) {
    lines.push(times.remainingS >= 0 ? `left    ${span(times.remainingS)}` : `left    none: expired ${span(-times.remainingS)} ago`);
  }
  return lines;
}

/** A finding or error about a token, as a line: its message may quote the token (an algorithm, a character). */
export function problemText(problem: { code: string; message: string }): string {
  return `${printable(problem.message)} [${problem.code}]`;
}

export function findingLines(findings: readonly TokenFinding[], io: CliIO): string[] {
  return findings.map((finding) => `${finding.severity === 'error' ? io.style.red('error') : io.style.yellow('warning')}: ${problemText(finding)}`);
}
