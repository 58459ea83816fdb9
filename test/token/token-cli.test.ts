/**
 * `sipscope token ...` in-process: exit codes 0 / 1 / 2 as documented, clear one-line errors for bad input (never
 * a stack trace), and neither keys nor whole tokens (their signatures) in any output.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli, type CliRun } from '../cli/cli-io.js';
import { ACTIVE_KEY, claimsAt, handMadeToken, HS256, NEXT_KEY, OTHER_KEY, WORKSPACE } from './token-fixtures.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'sipscope-token-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const env = { KEY: ACTIVE_KEY, NEXT: NEXT_KEY, SHORT: 'too-short-key' };
const nowS = () => Math.floor(Date.now() / 1000);
const signatureOf = (token: string) => token.split('.')[2];
const outputs: CliRun[] = [];

async function cli(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliRun> {
  const run = await runCli(['token', ...args], { env: { ...env, ...options.env }, stdin: options.stdin });
  outputs.push(run);
  // never a stack trace, whatever the input
  expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  return run;
}

describe('token inspect', () => {
  test('a good token: header, claims, ISO times, TTL, time left; exit 0; -v shows it with the signature redacted', async () => {
    const token = handMadeToken(HS256, claimsAt(nowS()), ACTIVE_KEY);
    const run = await cli(['inspect', '-', '-v'], { stdin: `${token}\n` });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('header  {"alg":"HS256","typ":"JWT"}');
    expect(run.stdout).toMatch(/exp {5}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z/);
    expect(run.stdout).toContain('TTL     300 s (5m 0s)');
    expect(run.stdout).toContain(`token   ${token.split('.').slice(0, 2).join('.')}.[signature redacted: 43 characters]`);
    expect(run.stdout).not.toContain(signatureOf(token));
  });

  test('policy warnings keep exit 0 (1 with --strict): TTL, missing claims, sub not a UUID, iat in the future, other algorithm', async () => {
    const token = handMadeToken({ alg: 'HS512' }, { sub: 'workspace-7', iat: nowS() + 600, exp: nowS() + 4200 }, ACTIVE_KEY, 'sha512');
    const run = await cli(['inspect', '--token-env', 'T', '--json'], { env: { T: token } });
    expect(run.code).toBe(0);
    const codes = JSON.parse(run.stdout).findings.map((finding: { code: string }) => finding.code);
    expect(codes).toEqual(['unexpected-alg', 'claim-missing', 'sub-not-uuid', 'ttl-above-policy', 'iat-in-future']);
    expect((await cli(['inspect', '--token-env', 'T', '--strict'], { env: { T: token } })).code).toBe(1);
  });

  test('alg none is an error: exit 1', async () => {
    const run = await cli(['inspect', '--token-env', 'T'], { env: { T: handMadeToken({ alg: 'none' }, claimsAt(nowS()), '') } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/error: alg "none": an unsigned token/);
  });

  test.each([
    ['two segments', 'abc.def', /3 dot-separated segments/],
    ['bad base64', 'ab$c.def.ghi', /header segment is not base64url.*"\$" at offset 2/],
    ['JSON not an object', `${Buffer.from('[]').toString('base64url')}.e30.`, /header segment is an array/],
    ['huge', `${'a'.repeat(20_000)}.b.c`, /over the 16384-byte limit/],
  ])('malformed (%s): exit 1 with a one-line reason', async (_name, token, message) => {
    const run = await cli(['inspect', '--token-env', 'T'], { env: { T: token } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(message);
  });

  test('no token at all: exit 2; a token in argv works but warns', async () => {
    const none = await cli(['inspect', '-'], { stdin: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give a token/);
    const argv = await cli(['inspect', handMadeToken(HS256, claimsAt(nowS()), ACTIVE_KEY)]);
    expect(argv.code).toBe(0);
    expect(argv.stderr).toMatch(/visible to other users/);
  });
});

describe('token verify', () => {
  const verify = (token: string, extra: string[] = [], extraEnv: Record<string, string> = {}) =>
    cli(['verify', '--token-env', 'T', '--key-env', 'KEY', '--next-key-env', 'NEXT', '--json', ...extra], { env: { T: token, ...extraEnv } });

  test('active key -> 0 key active; next key -> 0 key next; other key -> 1 key none', async () => {
    expect(JSON.parse((await verify(handMadeToken(HS256, claimsAt(nowS()), ACTIVE_KEY))).stdout)).toMatchObject({ valid: true, key: 'active' });
    const next = await verify(handMadeToken(HS256, claimsAt(nowS()), NEXT_KEY));
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ valid: true, key: 'next' });
    const other = await verify(handMadeToken(HS256, claimsAt(nowS()), OTHER_KEY));
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout)).toMatchObject({ valid: false, key: 'none', error: { code: 'token-bad-signature' } });
  });

  test('expired (skew respected), alg none, unknown algorithm, wrong iss/sub: exit 1 with the reason', async () => {
    const expired = handMadeToken(HS256, claimsAt(nowS() - 320), ACTIVE_KEY); // 20 s ago
    expect((await verify(expired)).code).toBe(0);
    const strict = await verify(expired, ['--skew', '5s']);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).error.code).toBe('token-expired');
    expect(JSON.parse((await verify(handMadeToken({ alg: 'none' }, claimsAt(nowS()), ''))).stdout).error.code).toBe('token-alg-none');
    expect(JSON.parse((await verify(handMadeToken({ alg: 'XS256' }, claimsAt(nowS()), ACTIVE_KEY))).stdout).error.code).toBe('token-alg-not-allowed');
    const iss = await verify(handMadeToken(HS256, claimsAt(nowS()), ACTIVE_KEY), ['--iss', 'other', '--sub', WORKSPACE]);
    expect(iss.code).toBe(1);
    expect(JSON.parse(iss.stdout).error.code).toBe('token-claim-mismatch');
  });

  test('a token with aud: exit 1 without --aud (RFC 7519 §4.1.3), 0 with the audience it names; --aud is verify-only', async () => {
    const token = handMadeToken(HS256, claimsAt(nowS(), { aud: 'sip-gateway' }), ACTIVE_KEY);
    const unnamed = await verify(token);
    expect(unnamed.code).toBe(1);
    expect(JSON.parse(unnamed.stdout)).toMatchObject({ valid: false, key: 'active', error: { code: 'token-claim-mismatch' } });
    const named = await verify(token, ['--aud', 'sip-gateway']);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ valid: true, key: 'active' });
    expect((await verify(token, ['--aud', 'billing'])).code).toBe(1);
    const inspect = await cli(['inspect', '--token-env', 'T', '--aud', 'x'], { env: { T: token } });
    expect(inspect.code).toBe(2);
  });

  test('malformed token -> 1; unset key variable, short key, bad option value -> 2', async () => {
    expect((await verify('a.b')).code).toBe(1);
    const unset = await cli(['verify', '--token-env', 'T', '--key-env', 'NOPE'], { env: { T: 'a.b.c' } });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toBe('sipscope token: --key-env NOPE: environment variable NOPE is not set\n');
    const short = await cli(['verify', '--token-env', 'T', '--key-env', 'SHORT'], { env: { T: handMadeToken(HS256, claimsAt(nowS()), ACTIVE_KEY) } });
    expect(short.code).toBe(2);
    expect(short.stderr).toBe('sipscope token: $SHORT is 13 bytes; HS256 needs a key of at least 32 bytes (RFC 7518 §3.2)\n');
    expect((await cli(['verify', '--token-env', 'T', '--key-env', 'KEY', '--alg', 'HS999'], { env: { T: 'a.b.c' } })).code).toBe(2);
    expect((await cli(['verify', '--token-env', 'T', '--key-env', 'KEY', '--skew', 'soon'], { env: { T: 'a.b.c' } })).code).toBe(2);
    const missingKey = await cli(['verify', '--token-env', 'T'], { env: { T: 'a.b.c' } });
    expect(missingKey.code).toBe(2);
    expect(missingKey.stderr).toMatch(/never on the command line/);
  });

  test('a key file works; a key in argv is not an option at all', async () => {
    const keyFile = path.join(scratch, 'key');
    await import('node:fs/promises').then((fs) => fs.writeFile(keyFile, `${ACTIVE_KEY}\n`));
    expect((await cli(['verify', '--token-env', 'T', '--key-file', keyFile], { env: { T: handMadeToken(HS256, claimsAt(nowS()), ACTIVE_KEY) } })).code).toBe(0);
    expect((await runCli(['token', 'verify', '--token-env', 'T', '--key', ACTIVE_KEY], { env: { T: 'a.b.c' } })).code).toBe(2);
  });

  test('an option of another action is refused', async () => {
    const run = await cli(['inspect', '--token-env', 'T', '--key-env', 'KEY'], { env: { T: 'a.b.c' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('sipscope token: --key-env does not go with token inspect\n');
  });
});

describe('token mint / ephemeral / rotation-check', () => {
  test('mint writes the token to a 0600 file and prints only header and claims; verify accepts it', async () => {
    const out = path.join(scratch, 'minted');
    const run = await cli(['mint', '--key-env', 'KEY', '--sub', WORKSPACE, '--iss', 'acme', '--ttl', '2m', '--out', out]);
    expect(run.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const token = readFileSync(out, 'utf8').trim();
    expect(run.stdout).toContain('TTL     120 s (2m 0s)');
    expect(run.stdout).not.toContain(signatureOf(token));
    expect((await cli(['verify', '--token-file', out, '--key-env', 'KEY', '--iss', 'acme', '--sub', WORKSPACE])).code).toBe(0);
  });

  test('mint without --iss: the token verify then refuses (iss is required) is written with a warning that says so', async () => {
    const out = path.join(scratch, 'minted-no-iss');
    const run = await cli(['mint', '--key-env', 'KEY', '--sub', WORKSPACE, '--out', out]);
    expect(run.code).toBe(0);
    const verified = await cli(['verify', '--token-file', out, '--key-env', 'KEY', '--json']);
    expect(verified.code).toBe(1);
    expect(JSON.parse(verified.stdout).error.code).toBe('token-claim-missing');
    expect(run.stderr).toMatch(/^warning: no --iss: the token has no "iss" claim, which token verify \(and the policy\) requires$/m);
    const withIss = await cli(['mint', '--key-env', 'KEY', '--sub', WORKSPACE, '--iss', 'acme', '--out', out]);
    expect(withIss.stderr).toBe('');
  });

  test('mint refuses: no --out, a sub that is not a UUID, a short key (all exit 2)', async () => {
    expect((await cli(['mint', '--key-env', 'KEY', '--sub', WORKSPACE])).stderr).toMatch(/give --out FILE/);
    expect((await cli(['mint', '--key-env', 'KEY', '--sub', 'bob', '--out', path.join(scratch, 'x')])).code).toBe(2);
    expect((await cli(['mint', '--key-env', 'SHORT', '--sub', WORKSPACE, '--out', path.join(scratch, 'x')])).code).toBe(2);
  });

  describe('mint --ttl: whole seconds from 1 until exp reaches the latest JavaScript date, anything else refused', () => {
    // ECMA-262 §21.4.1.1: a Date holds at most 8.64e15 ms after 1970; exp (RFC 7519 §2 NumericDate) stays within it
    const LATEST_DATE_S = 8.64e15 / 1000;
    const mint = (ttl: string, out = path.join(scratch, `ttl-${ttl}`)) => cli(['mint', '--key-env', 'KEY', '--sub', WORKSPACE, '--iss', 'acme', `--ttl=${ttl}`, '--out', out, '--json']);
    const claimsOf = (run: CliRun) => JSON.parse(run.stdout).claims as { iat: number; exp: number };

    test.each([
      ['0.4', 'a fraction below a second (was a token expired when issued: exp = iat)'],
      ['1.5', 'a fraction (was rounded to 2 s)'],
      ['1500ms', 'milliseconds that are no whole second (was rounded to 2 s)'],
      ['0', 'zero'],
      ['-5', 'a negative TTL'],
      ['99999999999999999999d', 'a TTL past any date (was exp 8.640000000000002e+24, not an integer, shown as no date)'],
    ])('--ttl %s: %s -> exit 2 naming --ttl and the range, no file written', async (ttl) => {
      const out = path.join(scratch, 'refused');
      const run = await mint(ttl, out);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^sipscope token: --ttl "${ttl}" is not allowed: give whole seconds from 1 to (\\d+) \\(expiry at most \\+275760-09-13T00:00:00\\.000Z\\)`));
      const max = Number(/from 1 to (\d+)/.exec(run.stderr)![1]);
      expect(Math.abs(max - (LATEST_DATE_S - nowS()))).toBeLessThanOrEqual(1);
      expect(() => statSync(out)).toThrow();
    });

    test('the longest TTLs: one past the range is refused, the range itself gives exp an exact integer, the latest date', async () => {
      const past = await mint(String(LATEST_DATE_S - nowS() + 5));
      expect(past.code).toBe(2);
      expect(past.stderr).toMatch(/--ttl "\d+" is not allowed: give whole seconds from 1 to/);
      const ttl = LATEST_DATE_S - nowS() - 5;
      const longest = await mint(String(ttl));
      expect(longest.code).toBe(0);
      const { iat, exp } = claimsOf(longest);
      expect(Number.isInteger(exp)).toBe(true);
      expect(exp - iat).toBe(ttl);
      expect(new Date(exp * 1000).toISOString()).toMatch(/^\+275760-09-1[23]T/);
    });

    test('a whole number of seconds written with a fraction of a larger unit is taken exactly', async () => {
      // 0.07 h is 252 s, though 0.07 * 3600 is 252.00000000000003 in floating point
      for (const [ttl, seconds] of [['0.07h', 252], ['2000ms', 2], ['1.0', 1], ['1.5m', 90]] as const) {
        const run = await mint(ttl);
        expect(run.code, run.stderr).toBe(0);
        const { iat, exp } = claimsOf(run);
        expect(exp - iat).toBe(seconds);
      }
    });
  });

  describe('ephemeral --ttl: whole seconds from 1 until the expiry auth_ephemeral can read (4294967295), anything else refused', () => {
    const MAX_EXPIRY = 0xffffffff; // autheph's str2int() into an unsigned int
    const ephemeral = (ttl: string, out = path.join(scratch, `eph-ttl-${ttl}`)) =>
      cli(['ephemeral', '--secret-env', 'S', '--user', 'alice', `--ttl=${ttl}`, '--password-out', out, '--json'], { env: { S: 'kamailio_rules' } });

    test.each([
      ['0.4', 'was an expiry equal to now: expired when made'],
      ['1.5', 'was rounded to 2 s'],
      ['99999999999d', 'was the expiry 8640001796045868, a username Kamailio and token verify refuse'],
    ])('--ttl %s (%s) -> exit 2 naming --ttl and the range, no password written', async (ttl) => {
      const out = path.join(scratch, 'eph-refused');
      const run = await ephemeral(ttl, out);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^sipscope token: --ttl "${ttl}" is not allowed: give whole seconds from 1 to \\d+ \\(expiry at most 2106-02-07T06:28:15\\.000Z\\)`));
      const max = Number(/from 1 to (\d+)/.exec(run.stderr)![1]);
      expect(Math.abs(max - (MAX_EXPIRY - nowS()))).toBeLessThanOrEqual(1);
      expect(() => statSync(out)).toThrow();
    });

    test('the longest TTL gives an expiry token verify (and Kamailio) still reads', async () => {
      const ttl = MAX_EXPIRY - nowS() - 5;
      const out = path.join(scratch, 'eph-longest');
      const run = await ephemeral(String(ttl), out);
      expect(run.code, run.stderr).toBe(0);
      const { username, ttl: shown } = JSON.parse(run.stdout);
      expect(shown).toBe(ttl);
      expect(Number(username.split(':')[0])).toBeLessThanOrEqual(MAX_EXPIRY);
      const verified = await cli(['verify', username, '--password-file', out, '--key-env', 'S'], { env: { S: 'kamailio_rules' } });
      expect(verified.code, verified.stdout).toBe(0);
    });
  });

  test('mint and ephemeral take no positionals: a stray word (a key pasted on argv, say) is exit 2, counted, not shown', async () => {
    const out = path.join(scratch, 'stray');
    const mint = await cli(['mint', '--key-env', 'KEY', '--sub', WORKSPACE, '--out', out, 'SomeStrayWord']);
    expect(mint.code).toBe(2);
    expect(mint.stderr).toBe('sipscope token: token mint: an unexpected argument (not shown: it may be a secret)\n');
    expect(() => statSync(out)).toThrow();
    const ephemeral = await cli(['ephemeral', '--secret-env', 'S', '--user', 'alice', '--password-out', out, 'SomeStrayWord', 'Another'], { env: { S: 'kamailio_rules' } });
    expect(ephemeral.code).toBe(2);
    expect(ephemeral.stderr).toBe('sipscope token: token ephemeral: 2 unexpected arguments (not shown: they may be secrets)\n');
    for (const run of [mint, ephemeral]) expect(run.stdout + run.stderr).not.toMatch(/SomeStrayWord|Another/);
  });

  test('ephemeral prints the username, writes the password (0600), and verify accepts it with either secret', async () => {
    const out = path.join(scratch, 'eph');
    const run = await cli(['ephemeral', '--secret-env', 'S', '--user', 'alice', '--ttl', '1h', '--password-out', out, '--json'], { env: { S: 'kamailio_rules' } });
    expect(run.code).toBe(0);
    const { username } = JSON.parse(run.stdout);
    expect(username).toMatch(/^\d+:alice$/);
    const password = readFileSync(out, 'utf8').trim();
    expect(run.stdout).not.toContain(password);
    const verified = await cli(['verify', username, '--password-file', out, '--key-env', 'OTHER', '--next-key-env', 'S'], { env: { S: 'kamailio_rules', OTHER: 'x' } });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('password made with the next secret');
    // whole seconds in --json, as the docs show them (it was 3596.007999897003)
    const json = await cli(['verify', username, '--password-file', out, '--key-env', 'S', '--json'], { env: { S: 'kamailio_rules' } });
    const { remainingS } = JSON.parse(json.stdout);
    expect(Number.isInteger(remainingS)).toBe(true);
    expect(remainingS).toBeGreaterThan(3500);
    expect((await cli(['verify', username, '--password-file', out, '--key-env', 'OTHER'], { env: { OTHER: 'x' } })).code).toBe(1);
    expect((await cli(['verify', username, '--key-env', 'OTHER'], { env: { OTHER: 'x' } })).code).toBe(2);
  });

  // Kamailio auth_ephemeral, autheph_verify_timestamp(): `if (cur_time > expires) return AUTH_USERNAME_EXPIRED;`, no
  // allowance; the password is base64(HMAC-SHA1(secret, username)), computed here with node:crypto.
  test('verify of an auth_ephemeral credential that expired 5 s ago: invalid (exit 1) unless --skew is given', async () => {
    const username = `${nowS() - 5}:alice`;
    const password = createHmac('sha1', 'kamailio_rules').update(username).digest('base64');
    const verify = (extra: string[] = []) => cli(['verify', username, '--password-env', 'P', '--key-env', 'S', '--json', ...extra], { env: { S: 'kamailio_rules', P: password } });
    const lapsed = await verify();
    expect(lapsed.code).toBe(1);
    expect(JSON.parse(lapsed.stdout)).toMatchObject({ valid: false, kind: 'auth_ephemeral', key: 'active', error: { code: 'credential-expired' } });
    const allowed = await verify(['--skew', '30s']);
    expect(allowed.code).toBe(0);
    const current = `${nowS() + 60}:alice`;
    const fresh = await cli(['verify', current, '--password-env', 'P', '--key-env', 'S'], { env: { S: 'kamailio_rules', P: createHmac('sha1', 'kamailio_rules').update(current).digest('base64') } });
    expect(fresh.code).toBe(0);
  });

  test('ephemeral refuses a --user with ":" for username_format 0: autheph would read the timestamp after its first ":"', async () => {
    const out = path.join(scratch, 'eph-colon');
    const run = await cli(['ephemeral', '--secret-env', 'S', '--user', 'a:b', '--username-format', '0', '--password-out', out], { env: { S: 'kamailio_rules' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--user must not contain ":" with --username-format 0/);
    expect((await cli(['ephemeral', '--secret-env', 'S', '--user', 'a:b', '--password-out', out], { env: { S: 'kamailio_rules' } })).code).toBe(0);
  });

  test('rotation-check: 0 when only next-key tokens are live, 1 when an active-key token would be cut off', async () => {
    const next = handMadeToken(HS256, claimsAt(nowS()), NEXT_KEY);
    const active = handMadeToken(HS256, claimsAt(nowS()), ACTIVE_KEY);
    expect((await cli(['rotation-check', '--key-env', 'KEY', '--next-key-env', 'NEXT', '-'], { stdin: `${next}\n` })).code).toBe(0);
    const cut = await cli(['rotation-check', '--key-env', 'KEY', '--next-key-env', 'NEXT', '-'], { stdin: `${next}\n${active}\n` });
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/token 2: signed by the active key, .*REJECTED after promotion/);
    expect((await cli(['rotation-check', '--key-env', 'KEY', '-'], { stdin: next })).code).toBe(2);
  });

  test('rotation-check: a token past its exp but inside the skew is still live, and says it expired (not "in -20s")', async () => {
    const lapsed = handMadeToken(HS256, claimsAt(nowS() - 320), ACTIVE_KEY); // exp 20 s ago, skew 30 s
    const run = await cli(['rotation-check', '--key-env', 'KEY', '--next-key-env', 'NEXT', '-'], { stdin: `${lapsed}\n` });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/token 1: signed by the active key, exp \S+ \(expired 2\ds ago, still accepted within the 30 s skew\): REJECTED after promotion/);
    expect(run.stdout).not.toMatch(/in -/);
  });
});

describe('handshake token options of register / options', () => {
  test.each([
    [['--transport', 'udp', '--token-env', 'T'], /needs --transport ws or wss/],
    [['--transport', 'ws', '--token-env', 'T', '--token-in', 'cookie:x'], /is not query:NAME or header:NAME/],
    [['--transport', 'ws', '--token-env', 'UNSET'], /UNSET is not set/],
    [['--transport', 'ws', '--mint-key-env', 'KEY'], /needs --mint-sub/],
    [['--transport', 'ws', '--mint-key-env', 'SHORT', '--mint-sub', WORKSPACE], /13 bytes/],
    [['--transport', 'ws', '--token-env', 'T', '--mint-key-env', 'KEY'], /give one token source/],
    [['--transport', 'ws', '--token-in', 'query:t'], /--token-in goes with/],
    [['--transport', 'ws', '--mint-key-env', 'KEY', '--mint-sub', WORKSPACE, '--mint-ttl', '0.5'], /--mint-ttl "0.5" is not allowed: give whole seconds from 1 to \d+/],
  ])('%j -> exit 2 before any network', async (args, message) => {
    const run = await runCli(['options', 'sip:127.0.0.1:9', ...args], { env: { ...env, T: 'a.b.c' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

test('no output of any run holds a key', () => {
  for (const run of outputs) {
    for (const secret of [ACTIVE_KEY, NEXT_KEY, 'kamailio_rules']) expect(run.stdout + run.stderr).not.toContain(secret);
  }
});
