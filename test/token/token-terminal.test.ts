/**
 * A token is outside text: its header, its claims and any message quoting it reach the terminal through the one
 * printable() rule (src/report/printable.ts), so a token cannot recolour, retitle or reorder what `token inspect` /
 * `token verify` print: C0, DEL, C1 and bidi controls are shown escaped. --json keeps the values exact.
 */
import { describe, expect, test } from 'vitest';
import { runCli, type CliRun } from '../cli/cli-io.js';
import { unsafeCharsIn } from '../hostile/hostile-strings.js';
import { ACTIVE_KEY, claimsAt, handMadeToken } from './token-fixtures.js';

const nowS = Math.floor(Date.now() / 1000);
const HOSTILE_HEADER = { alg: 'HS256', kid: '\u009b31m' };
const HOSTILE_CLAIMS = { iss: '\u001b[31macme', sub: '\u202e evil', iat: nowS, exp: nowS + 300 };
const hostileToken = handMadeToken(HOSTILE_HEADER, HOSTILE_CLAIMS, ACTIVE_KEY);

/** The lines every text view of the hostile token starts with, escaped by printable(). */
const ESCAPED_LINES = [
  'header  {"alg":"HS256","kid":"\\x9b31m"}',
  `claims  {"iss":"\\u001b[31macme","sub":"\\u202e evil","iat":${nowS},"exp":${nowS + 300}}`,
  'iss     \\x1b[31macme',
  'sub     \\u202e evil',
];

async function token(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const run = await runCli(['token', ...args], { env: { KEY: ACTIVE_KEY, ...env } });
  expect(unsafeCharsIn(run.stdout + run.stderr)).toEqual([]);
  return run;
}

describe('token text on the terminal', () => {
  test('inspect shows header, claims, iss and sub with C0, C1 and bidi controls escaped', async () => {
    const run = await token(['inspect', '--token-env', 'T'], { T: hostileToken });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').slice(0, 4)).toEqual(ESCAPED_LINES);
  });

  test('verify shows the same escaped lines and its verdict', async () => {
    const run = await token(['verify', '--token-env', 'T', '--key-env', 'KEY'], { T: hostileToken });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').slice(0, 4)).toEqual(ESCAPED_LINES);
    expect(run.stdout).toContain('VALID verified by the active key');
  });

  test('--json keeps the claims exact', async () => {
    const run = await runCli(['token', 'inspect', '--token-env', 'T', '--json'], { env: { T: hostileToken } });
    const json = JSON.parse(run.stdout);
    expect(json.header).toEqual(HOSTILE_HEADER);
    expect(json.claims).toEqual(HOSTILE_CLAIMS);
  });

  test('messages quoting the token are escaped: an algorithm, a bad character, an auth_ephemeral username', async () => {
    const alg = handMadeToken({ alg: 'HS\u202e256' }, claimsAt(nowS), ACTIVE_KEY);
    const inspected = await token(['inspect', '--token-env', 'T'], { T: alg });
    expect(inspected.stdout).toContain('warning: algorithm "HS\\u202e256", expected HS256 [unexpected-alg]');
    const verified = await token(['verify', '--token-env', 'T', '--key-env', 'KEY'], { T: alg });
    expect(verified.code).toBe(1);
    expect(verified.stdout).toContain('INVALID no key verifies it: algorithm "HS\\u202e256" is not accepted (expected HS256) [token-alg-not-allowed]');
    const badChar = await token(['inspect', '--token-env', 'T'], { T: 'ab\u009bc.def.ghi' });
    expect(badChar.code).toBe(1);
    expect(badChar.stdout).toBe('error: not a JWT: the header segment is not base64url (RFC 7515 §2): character "\\x9b" at offset 2 [token-malformed]\n');
    const username = await token(['verify', '--ephemeral', '--token-env', 'T', '--key-env', 'KEY', '--password-env', 'P'], { T: '1700000000:bob\u001b[2J', P: 'x' });
    expect(username.code).toBe(1);
    expect(username.stdout.split('\n')[0]).toBe('username 1700000000:bob\\x1b[2J (Kamailio auth_ephemeral)');
  });
});
