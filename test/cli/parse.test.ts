// The argument parsing of every command, through the exported parser (src/cli/parse.ts) and the option tables;
// nothing runs, no peer is needed.
import { describe, expect, it } from 'vitest';
import { analyzeCommand } from '../../src/cli/commands/analyze.js';
import { callCommand } from '../../src/cli/commands/call.js';
import { decodeCommand } from '../../src/cli/commands/decode.js';
import { extractCommand } from '../../src/cli/commands/extract.js';
import { commandLoaders } from '../../src/cli/commands/index.js';
import { lintCommand } from '../../src/cli/commands/lint.js';
import { optionsCommand } from '../../src/cli/commands/options.js';
import { registerCommand } from '../../src/cli/commands/register.js';
import { CREDENTIAL_OPTIONS } from '../../src/cli/credentials.js';
import { CliError } from '../../src/cli/exit.js';
import { camelCase } from '../../src/cli/option-table.js';
import { parseCommandArguments, parseCommandLine } from '../../src/cli/parse.js';

async function parseError(run: Promise<unknown>): Promise<CliError> {
  const error = await run.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe('option tables', () => {
  it('name options as yargs camel-cases them', () => {
    expect(camelCase('password-env')).toBe('passwordEnv');
    expect(camelCase('warn-retrans')).toBe('warnRetrans');
    expect(camelCase('t1')).toBe('t1');
  });

  it('every command that takes a password declares the one credential group', () => {
    for (const command of [registerCommand, optionsCommand]) {
      for (const name of Object.keys(CREDENTIAL_OPTIONS)) expect(command.options).toHaveProperty([name], CREDENTIAL_OPTIONS[name as keyof typeof CREDENTIAL_OPTIONS]);
    }
  });
});

describe('register and options arguments', () => {
  it('read defaults, numbers and kebab-case options', async () => {
    const args = await parseCommandArguments(registerCommand, ['sip:alice@127.0.0.1', '--password-env', 'P', '--local-port', '5070', '--warn-retrans', '2']);
    expect(args).toMatchObject({
      uri: 'sip:alice@127.0.0.1', passwordEnv: 'P', localPort: 5070, warnRetrans: 2,
      t1: 500, t2: 4000, userAgent: 'sipscope', wsPath: '/', insecure: false, json: false, nagios: false, verbose: false,
      header: [], dns: [], unregister: false, all: false, query: false, rate: 10, userStart: 1,
    });
    expect(args.password).toBeUndefined();
    expect(args.count).toBeUndefined();
    expect(args).not.toHaveProperty('password-env');
  });

  it('keep the last value of an option given twice, and every value of a repeatable one', async () => {
    const args = await parseCommandArguments(optionsCommand, [
      'sip:127.0.0.1', '--t1', '100', '--t1', '200', '--transport', 'udp', '--transport', 'tcp', '--json', '--json',
      '--dns', '127.0.0.1:5353', '--dns', '127.0.0.2,::1',
    ]);
    expect(args.t1).toBe(200);
    expect(args.transport).toBe('tcp');
    expect(args.json).toBe(true);
    expect(args.dns).toEqual(['127.0.0.1:5353', '127.0.0.2,::1']);
  });

  it('a repeatable option does not swallow the positional after it', async () => {
    const args = await parseCommandArguments(optionsCommand, ['--dns', '127.0.0.1', 'sip:bob@127.0.0.1']);
    expect(args.uri).toBe('sip:bob@127.0.0.1');
    expect(args.dns).toEqual(['127.0.0.1']);
  });

  it('--header, given before the URI, leaves the URI to the positional (it was swallowed: "Missing required argument: uri")', async () => {
    const args = await parseCommandArguments(optionsCommand, ['--header', 'X-A: 1', 'sip:bob@127.0.0.1', '--header', 'X-B: 2']);
    expect(args.uri).toBe('sip:bob@127.0.0.1');
    expect(args.header).toEqual(['X-A: 1', 'X-B: 2']);
  });

  it('call takes no --warn-rtt / --crit-rtt: its monitoring line has no RTT thresholds (they were listed in --help and ignored)', async () => {
    for (const option of ['--warn-rtt', '--crit-rtt']) {
      const error = await parseError(parseCommandArguments(callCommand, ['sip:bob@127.0.0.1', '--nagios', option, '5']));
      expect(error.message).toMatch(new RegExp(`^Unknown arguments?: ${option.slice(2)}`));
    }
    expect(await parseCommandArguments(callCommand, ['sip:bob@127.0.0.1', '--nagios', '--warn-retrans', '2'])).toMatchObject({ warnRetrans: 2 });
  });

  it('collect --header values and the -v alias', async () => {
    const args = await parseCommandArguments(registerCommand, ['sip:a@127.0.0.1', '-v', '--header', 'X-A: 1', '--header', 'X-B: 2']);
    expect(args.verbose).toBe(true);
    expect(args.header).toEqual(['X-A: 1', 'X-B: 2']);
  });

  it('refuse a value outside the choices, an unknown option and a missing URI with bad-argument', async () => {
    expect((await parseError(parseCommandArguments(optionsCommand, ['sip:a@127.0.0.1', '--transport', 'bogus']))).code).toBe('bad-argument');
    expect((await parseError(parseCommandArguments(optionsCommand, ['sip:a@127.0.0.1', '--frobnicate']))).message).toMatch(/frobnicate/);
    expect((await parseError(parseCommandArguments(registerCommand, []))).code).toBe('bad-argument');
  });
});

describe('capture command arguments', () => {
  it('files are strings (a numeric name too) and a lone - stays -', async () => {
    const args = await parseCommandArguments(decodeCommand, ['2026', '-', 'b.pcap', '--max-issues', '3']);
    expect(args.files).toEqual(['2026', '-', 'b.pcap']);
    expect(args.maxIssues).toBe(3);
    expect(args.merged).toBe(false);
  });

  it('analyze: --fail-on defaults to error; window options are optional strings', async () => {
    const args = await parseCommandArguments(analyzeCommand, ['a.pcap', '--since', '2026-11-23T22:13:00Z', '--user', 'alice']);
    expect(args).toMatchObject({ files: ['a.pcap'], failOn: 'error', json: false, since: '2026-11-23T22:13:00Z', user: 'alice' });
    expect(args.until).toBeUndefined();
    expect(args.junit).toBeUndefined();
  });

  it('extract needs --call-id and -o', async () => {
    const args = await parseCommandArguments(extractCommand, ['a.pcap', '--call-id', '1-14594@127.0.0.11', '-o', 'call.pcap']);
    expect(args).toMatchObject({ files: ['a.pcap'], callId: '1-14594@127.0.0.11', output: 'call.pcap' });
    expect((await parseError(parseCommandArguments(extractCommand, ['a.pcap', '-o', 'call.pcap']))).message).toMatch(/call-id/);
  });

  it('lint takes files and --json', async () => {
    expect(await parseCommandArguments(lintCommand, ['x.dat', '--json'])).toEqual({ files: ['x.dat'], json: true });
  });
});

describe('the whole command line', () => {
  it('picks the named command among all, and reads --no-color', async () => {
    const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
    const parsed = await parseCommandLine(['calls', 'a.pcap', '--no-color'], commands);
    expect(parsed?.command.command).toBe('calls <files..>');
    expect(parsed?.color).toBe(false);
    expect(parsed?.args).toMatchObject({ files: ['a.pcap'] });
  });

  it('an unknown command is a bad argument', async () => {
    const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
    expect((await parseError(parseCommandLine(['frobnicate'], commands))).code).toBe('bad-argument');
  });

  // a stray word may be a secret pasted on the command line (a password after --password-env NAME): counted, not shown
  it.each([
    [['register', 'sip:a@127.0.0.1', '--password-env', 'P', 'My-Pass-Word'], 'register <uri>: an unexpected argument (not shown: it may be a secret)'],
    [['options', 'sip:a@127.0.0.1', 'My-Pass-Word', '-'], 'options <uri>: 2 unexpected arguments (not shown: they may be secrets)'],
    [['call', 'sip:b@127.0.0.1', 'My-Pass-Word'], 'call <uri>: an unexpected argument (not shown: it may be a secret)'],
    [['rotate', 'check', '--uri', 'sip:example.com', '--old-user', 'a', '--new-user', 'b', 'My-Pass-Word'], 'rotate <step>: an unexpected argument (not shown: it may be a secret)'],
    [['serve', '--users', 'u.txt', 'My-Pass-Word'], 'serve: an unexpected argument (not shown: it may be a secret)'],
    [['query', 'dataset', 'SELECT 1', 'My-Pass-Word'], 'query <dir> [sql]: an unexpected argument (not shown: it may be a secret)'],
    [['serve', '--users', 'u.txt', '--', 'My-Pass-Word'], 'serve: an unexpected argument (not shown: it may be a secret)'],
  ])('%j: a stray positional is refused without being shown', async (args, message) => {
    const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
    const error = await parseError(parseCommandLine(args, commands));
    expect(error).toMatchObject({ code: 'bad-argument', message });
    expect(error.message).not.toContain('My-Pass-Word');
  });

  it('an unknown option is still named (its value is not), and wins over a stray positional', async () => {
    const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
    const error = await parseError(parseCommandLine(['register', 'sip:a@127.0.0.1', '--pasword=My-Pass-Word', 'Stray-Word'], commands));
    expect(error.message).toBe('Unknown argument: pasword');
  });
});
