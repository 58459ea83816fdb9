/**
 * The one rule every secret of the CLI is read by (src/cli/secret-source.ts): the variable's value or the file's
 * whole content less one trailing LF or CRLF; a one-line secret (password, control token, handshake token) is the
 * first line of that, a key or a token list all of it; errors name the option and the variable or path, never the
 * secret. Checked on the module and on the three commands that read them (password, token key, serve's control token).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { readPassword } from '../../src/cli/password.js';
import { readSecret, readSecretFromStdin, SecretSourceError } from '../../src/cli/secret-source.js';
import { runCli } from './cli-io.js';

const directory = mkdtempSync(path.join(os.tmpdir(), 'sipscope-secret-source-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const where = path.join(directory, name);
  writeFileSync(where, content);
  return where;
}

async function refusal(promise: Promise<unknown>): Promise<SecretSourceError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(SecretSourceError);
  return error as SecretSourceError;
}

describe('the rule', () => {
  test.each([
    ['s3cret', 's3cret', 's3cret'],
    ['s3cret\n', 's3cret', 's3cret'],
    ['s3cret\r\n', 's3cret', 's3cret'],
    ['s3cret\n\n', 's3cret', 's3cret\n'],
    [' s3 cret \t\n', ' s3 cret \t', ' s3 cret \t'],
    ['line one\r\nline two\r\n', 'line one', 'line one\r\nline two'],
  ])('%j: line %j, text %j, from a variable and from a file alike', async (content, line, text) => {
    const env = { S: content };
    const where = file('rule.txt', content);
    for (const source of [{ envName: 'S' }, { filePath: where }]) {
      expect((await readSecret({ kind: 'key', option: 'key', ...source }, 'line', env))?.text).toBe(line);
      expect((await readSecret({ kind: 'key', option: 'key', ...source }, 'text', env))?.text).toBe(text);
    }
    expect(await readSecretFromStdin('password', 'password', Readable.from([content]))).toBe(line);
  });

  test('labels say where, not what', async () => {
    expect(await readSecret({ kind: 'token', option: 'token', envName: 'S' }, 'line', { S: 'x' })).toEqual({ text: 'x', label: '$S' });
    const where = file('label.txt', 'x\n');
    expect(await readSecret({ kind: 'token', option: 'token', filePath: where }, 'line', {})).toEqual({ text: 'x', label: where });
    expect(await readSecret({ kind: 'token', option: 'token' }, 'line', {})).toBeUndefined();
  });

  test('errors: code by kind, message naming the option and variable or path, never the secret', async () => {
    const secret = 'hidden-second-line-secret';
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [() => readSecret({ kind: 'password', option: 'password', envName: 'NOPE' }, 'line', {}), 'password-missing', /^--password-env NOPE: environment variable NOPE is not set$/],
      [() => readSecret({ kind: 'key', option: 'next-key', envName: 'EMPTY' }, 'text', { EMPTY: '' }), 'key-missing', /^--next-key-env EMPTY: environment variable EMPTY is empty$/],
      [() => readSecret({ kind: 'password', option: 'password', envName: 'NL' }, 'line', { NL: `\n${secret}` }), 'password-missing', /^--password-env NL: the first line is empty$/],
      [() => readSecret({ kind: 'token', option: 'control-token', filePath: path.join(directory, 'none') }, 'line', {}), 'token-missing', /^--control-token-file .*none: cannot read the file \(ENOENT\)$/],
      [() => readSecret({ kind: 'password', option: 'old-password', filePath: file('first-empty.txt', `\n${secret}\n`) }, 'line', {}), 'password-missing', /^--old-password-file .*first-empty\.txt: the first line is empty$/],
      [() => readSecret({ kind: 'key', option: 'key', filePath: file('empty.txt', '\r\n') }, 'text', {}), 'key-missing', /^--key-file .*empty\.txt: the file is empty$/],
      [() => readSecret({ kind: 'key', option: 'secret', envName: 'A', filePath: 'b' }, 'text', { A: secret }), 'key-missing', /^give --secret-env or --secret-file, not both$/],
      [() => readSecretFromStdin('password', 'password', Readable.from([`\n${secret}`])), 'password-missing', /^--password-stdin: standard input held no password$/],
    ];
    for (const [attempt, code, message] of cases) {
      const error = await refusal(attempt());
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(secret);
    }
  });
});

describe('a secret given where a variable name belongs', () => {
  const PASTED = 'My Pass Word!';
  const notAName = (option: string) =>
    `--${option}-env takes the NAME of an environment variable, and the value given is not a variable name (not shown: it may be a secret)`;

  test.each(['My Pass Word!', 'hunter2!', '9LIVES', 'a-b', 'ключ', '', 'A=B'])('%j is not a variable name: refused without being shown', async (given) => {
    const error = await refusal(readSecret({ kind: 'key', option: 'key', envName: given }, 'text', { [given]: 'k'.repeat(32) }));
    expect(error).toMatchObject({ code: 'key-missing', message: notAName('key') });
  });

  test.each(['A', '_', 'JWT_KEY_2', 'lower_case', '_9'])('%j is a variable name', async (name) => {
    expect((await readSecret({ kind: 'key', option: 'key', envName: name }, 'text', { [name]: 'value' }))?.text).toBe('value');
  });

  test.each([
    ['register --password-env', ['register', 'sip:alice@127.0.0.1:27802', '--password-env', PASTED], 'sipscope: ', 'password'],
    ['token verify --key-env', ['token', 'verify', '--token-env', 'T', '--key-env', PASTED], 'sipscope token: ', 'key'],
    ['token verify --next-key-env', ['token', 'verify', '--token-env', 'T', '--key-env', 'K', '--next-key-env', PASTED], 'sipscope token: ', 'next-key'],
    ['token ephemeral --secret-env', ['token', 'ephemeral', '--secret-env', PASTED, '--user', 'alice', '--password-out', 'x'], 'sipscope token: ', 'secret'],
    ['options --mint-key-env', ['options', 'sip:127.0.0.1:27802', '--transport', 'ws', '--mint-key-env', PASTED, '--mint-sub', '0b6f4c1e-8d2a-4f3b-9c5d-7e1a2b3c4d5e'], 'sipscope: ', 'mint-key'],
    ['options --token-env', ['options', 'sip:127.0.0.1:27802', '--transport', 'ws', '--token-env', PASTED], 'sipscope: ', 'token'],
    ['serve --control-token-env', ['serve', '--listen', '127.0.0.1:27802', '--users', 'users.txt', '--control', '127.0.0.1:27803', '--control-token-env', PASTED], 'sipscope serve: ', 'control-token'],
  ])('%s: exit 2, the option named, the value nowhere in the output', async (_name, args, prefix, option) => {
    const run = await runCli(args, { env: { T: 'a.b.c', K: 'k'.repeat(32), [PASTED]: 'x' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${prefix}${notAName(option)}\n`);
    expect(run.stdout + run.stderr).not.toContain('Pass Word');
  });

  test.each(['hunter2', 'lower_case', 'Mixed_Case1'])('%j, unset: refused without the name, which may be the secret', async (given) => {
    const error = await refusal(readSecret({ kind: 'password', option: 'password', envName: given }, 'line', {}));
    expect(error.code).toBe('password-missing');
    expect(error.message).toMatch(/^--password-env: the environment variable named there is not set/);
    expect(error.message).not.toContain(given);
  });

  test('an unset upper-case name is shown, as a variable is conventionally written', async () => {
    const error = await refusal(readSecret({ kind: 'password', option: 'password', envName: 'SIP_PASS' }, 'line', {}));
    expect(error.message).toBe('--password-env SIP_PASS: environment variable SIP_PASS is not set');
  });

  test('a missing --X-file that does not look like a path (a pasted secret) is not shown; one that does is', async () => {
    const pasted = await runCli(['register', 'sip:alice@127.0.0.1:27802', '--password-file', 'hunter2'], {});
    expect(pasted.code).toBe(2);
    expect(pasted.stderr).toMatch(/--password-file: no such file \(its name is not shown/);
    expect(pasted.stdout + pasted.stderr).not.toContain('hunter2');
    for (const shown of ['secrets/sip', 'password.txt']) {
      const error = await refusal(readSecret({ kind: 'password', option: 'password', filePath: path.join(directory, shown) }, 'line', {}));
      expect(error.message).toMatch(new RegExp(`^--password-file .*${shown.replace('.', '\\.')}: cannot read the file \\(ENOENT\\)$`));
    }
    const bare = await refusal(readSecret({ kind: 'password', option: 'password', filePath: 'password.txt' }, 'line', {}));
    expect(bare.message).toBe('--password-file password.txt: cannot read the file (ENOENT)');
  });

  test('a variable that is set but empty is said to be empty', async () => {
    const run = await runCli(['token', 'verify', '--token-env', 'T', '--key-env', 'EMPTY'], { env: { T: 'a.b.c', EMPTY: '' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('sipscope token: --key-env EMPTY: environment variable EMPTY is empty\n');
  });
});

describe('the readers that use it', () => {
  test('a password: first line, from env, file or stdin; rotate names its own options', async () => {
    const warn = () => {};
    const stdin = Readable.from([]);
    expect(await readPassword({ passwordEnv: 'P' }, { P: 'pw\r\n' }, stdin, warn)).toBe('pw');
    expect(await readPassword({ passwordFile: file('pw.txt', 'pw\nsecond\n') }, {}, stdin, warn)).toBe('pw');
    const error = await refusal(readPassword({ option: 'new-password', passwordEnv: 'NEW' }, {}, stdin, warn));
    expect(error).toMatchObject({ code: 'password-missing', message: '--new-password-env NEW: environment variable NEW is not set' });
  });

  test('token rotation-check: an unreadable --token-file is an error, not "no tokens given"', async () => {
    const keys = { K: 'k'.repeat(32), N: 'n'.repeat(32) };
    const run = await runCli(['token', 'rotation-check', '--key-env', 'K', '--next-key-env', 'N', '--token-file', path.join(directory, 'no-tokens.txt')], { env: keys });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--token-file .*no-tokens\.txt: cannot read the file \(ENOENT\)/);
  });

  test('serve --control-token-file: an empty first line is refused naming the file', async () => {
    const users = file('users.txt', 'alice secret-a\n');
    const run = await runCli(['serve', '--listen', '127.0.0.1:0', '--users', users, '--control', '127.0.0.1:0', '--control-token-file', file('token.txt', '\nlong-enough-token\n')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^sipscope serve: --control-token-file .*token\.txt: the first line is empty$/m);
    expect(run.stderr).not.toContain('long-enough-token');
  });

  test('serve --control-token-env: a value ending in a line break (as $(cat file) would not, but env files do) is the token without it', async () => {
    const users = file('users-env.txt', 'alice secret-a\n');
    const child = spawn(process.execPath, [path.resolve('bin/sipscope.js'), 'serve', '--listen', '127.0.0.1:0', '--users', users, '--control', '127.0.0.1:0', '--control-token-env', 'T'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, T: 'long-enough-token\r\n' } });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 10_000;
      while (!/control http:\/\/127\.0\.0\.1:\d+\//.test(stdout) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const url = /control (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)![1];
      expect((await fetch(`${url}stats`, { headers: { authorization: 'Bearer long-enough-token' } })).status).toBe(200);
      expect((await fetch(`${url}stats`, { headers: { authorization: 'Bearer long-enough-toke' } })).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 20_000);
});
