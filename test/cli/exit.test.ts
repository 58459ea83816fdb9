// The one exit and error path (src/cli/exit.ts) and the one credentials helper (src/cli/credentials.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { AnalysisError } from '../../src/analysis/errors.js';
import { CaptureReadError } from '../../src/capture/errors.js';
import type { CheckResult } from '../../src/client/result.js';
import { readCredentials } from '../../src/cli/credentials.js';
import { asCliError, checkExitCode, CliError, EXIT, monitoringStateOf } from '../../src/cli/exit.js';
import type { CliIO } from '../../src/cli/io.js';

function check(overrides: Partial<CheckResult>): CheckResult {
  return { method: 'REGISTER', ok: true, status: 200, challenged: false, retransmissions: 0, transactions: [], bindings: [], ...overrides };
}

describe('exit codes', () => {
  it("a check exits with sipsak's codes, or the monitoring state's with --nagios", () => {
    const cases: Array<[CheckResult, number, number, string]> = [
      [check({}), EXIT.ok, 0, 'OK'],
      [check({ retransmissions: 2 }), EXIT.ok, 1, 'WARNING'],
      [check({ ok: false, status: 403 }), EXIT.failed, 2, 'CRITICAL'],
      [check({ ok: false, status: undefined, error: { code: 'timeout', message: 't', remote: true } }), EXIT.remote, 2, 'CRITICAL'],
      [check({ ok: false, status: undefined, error: { code: 'local-socket', message: 'l', remote: false } }), EXIT.local, 3, 'UNKNOWN'],
      // issue 14: RTT thresholds, and a binding the check could not remove again
      [check({ rttMs: 60 }), EXIT.ok, 1, 'WARNING'],
      [check({ rttMs: 120 }), EXIT.ok, 2, 'CRITICAL'],
      [check({ removal: { ok: false, status: 500, retransmissions: 0, transactions: [], bindings: [], contact: 'sip:a@b' } }), EXIT.failed, 1, 'WARNING'],
      [check({ removal: { ok: true, status: 200, retransmissions: 0, transactions: [], bindings: [], contact: 'sip:a@b' } }), EXIT.ok, 0, 'OK'],
    ];
    const thresholds = { warnRetrans: 1, warnRttMs: 50, critRttMs: 100 };
    for (const [result, plain, nagios, state] of cases) {
      expect(checkExitCode(result, false, thresholds)).toBe(plain);
      expect(checkExitCode(result, true, thresholds)).toBe(nagios);
      expect(monitoringStateOf(result, thresholds)).toBe(state);
    }
  });

  it('a capture or analysis error keeps its code as a CliError; anything else is not a CliError', () => {
    const capture = asCliError(new CaptureReadError('x.pcap', new Error('ENOENT')));
    expect(capture).toBeInstanceOf(CliError);
    expect(capture?.code).toBe('unreadable-file');
    expect(capture?.message).toContain('x.pcap');
    expect(asCliError(new AnalysisError('bad-fail-on', 'no such kind'))?.code).toBe('bad-fail-on');
    const own = new CliError('bad-argument', 'x');
    expect(asCliError(own)).toBe(own);
    expect(asCliError(new TypeError('bug'))).toBeUndefined();
  });
});

describe('readCredentials', () => {
  function io(env: Record<string, string>, stdin = ''): CliIO & { errors: string[] } {
    const errors: string[] = [];
    return {
      errors,
      out: () => undefined,
      err: (text) => errors.push(text),
      style: new Chalk({ level: 0 }),
      interactive: false,
      env,
      stdin: Readable.from(stdin === '' ? [] : [Buffer.from(stdin)]),
    };
  }
  const none = { user: undefined, authUser: undefined, passwordEnv: undefined, passwordFile: undefined, passwordStdin: undefined, password: undefined };

  it('reads the password from the one source given, with user and digest username', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sipscope-cred-')), 'pw');
    writeFileSync(file, 'from-file\nsecond line\n');
    expect(await readCredentials({ ...none, user: 'alice', authUser: 'a1', passwordEnv: 'P' }, io({ P: 'from-env' })))
      .toEqual({ user: 'alice', authUser: 'a1', password: 'from-env' });
    expect((await readCredentials({ ...none, passwordFile: file }, io({}))).password).toBe('from-file');
    expect((await readCredentials({ ...none, passwordStdin: true }, io({}, 'from-stdin\n'))).password).toBe('from-stdin');
    expect((await readCredentials(none, io({}))).password).toBeUndefined();
  });

  it('warns about --password on stderr, and refuses two sources or an unset variable with password-missing', async () => {
    const withArgv = io({});
    expect((await readCredentials({ ...none, password: 'pw' }, withArgv)).password).toBe('pw');
    expect(withArgv.errors.join('\n')).toMatch(/visible to other users/);
    expect(withArgv.errors.join('\n')).not.toMatch(/\bpw\b/);
    const two = await readCredentials({ ...none, passwordEnv: 'P', password: 'pw' }, io({ P: 'x' })).catch((error: unknown) => error);
    expect(two).toBeInstanceOf(CliError);
    expect((two as CliError).code).toBe('password-missing');
    const unset = await readCredentials({ ...none, passwordEnv: 'NOPE' }, io({})).catch((error: unknown) => error);
    expect((unset as CliError).code).toBe('password-missing');
    expect((unset as CliError).message).toContain('NOPE');
  });
});
