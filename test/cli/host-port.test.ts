/**
 * The one ADDR:PORT parser (src/cli/host-port.ts) of serve's --listen / --control, analyze's --hep-listen /
 * --metrics and rotate drain's --hep-listen: IPv4, [IPv6], host names, port 0-65535 (0 only where allowed), and a
 * CliError naming the option and the bad value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseListen } from '../../src/cli/commands/serve.js';
import { CliError } from '../../src/cli/exit.js';
import { parseHostPort } from '../../src/cli/host-port.js';
import { runCli } from './cli-io.js';

function refusal(attempt: () => unknown): CliError {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('accepted');
}

describe('parseHostPort', () => {
  test.each([
    ['127.0.0.1:9060', '127.0.0.1', 9060],
    ['  10.1.2.3:1 ', '10.1.2.3', 1],
    ['[::1]:9060', '::1', 9060],
    ['[2001:db8::5]:65535', '2001:db8::5', 65535],
    ['[::ffff:127.0.0.1]:5060', '::ffff:127.0.0.1', 5060],
    ['localhost:9060', 'localhost', 9060],
    ['hep-collector.example.net:9060', 'hep-collector.example.net', 9060],
    ['0.0.0.0:9060', '0.0.0.0', 9060],
  ])('%j -> %s port %d', (text, host, port) => {
    expect(parseHostPort(text, '--hep-listen')).toEqual({ host, port });
  });

  test.each([
    ['nowhere', 'no :PORT'],
    ['127.0.0.1', 'no :PORT'],
    ['127.0.0.1:', 'no port'],
    [':9060', 'no address'],
    ['127.0.0.1:x', 'port "x" is not a number'],
    ['127.0.0.1:65536', 'port 65536 is not in 1-65535'],
    ['127.0.0.1:123456', 'port "123456" is not a number'],
    ['127.0.0.1:0', 'port 0 is not in 1-65535'],
    ['127.0.0.1:-1', 'port "-1" is not a number'],
    ['::1:5060', 'an IPv6 address goes in brackets'],
    ['[::1:5060', 'no closing ]'],
    ['[::1]5060', 'no :PORT after the ]'],
    ['[127.0.0.1]:5060', '[127.0.0.1] is not an IPv6 address'],
    ['[fe80::zz]:5060', 'is not an IPv6 address'],
    ['1.2:5060', '1.2 is not an IPv4 address'],
    ['256.1.1.1:5060', '256.1.1.1 is not an IPv4 address'],
    ['bad_host:5060', '"bad_host" is not an address or host name'],
    ['-lead.example:5060', 'is not an address or host name'],
  ])('%j is refused: %s', (text, why) => {
    const error = refusal(() => parseHostPort(text, '--metrics'));
    expect(error.code).toBe('bad-argument');
    expect(error.message).toContain(`--metrics ${JSON.stringify(text)} is not ADDRESS:PORT`);
    expect(error.message).toContain(why);
  });

  test('port 0 only where the option allows it', () => {
    expect(parseHostPort('127.0.0.1:0', '--listen', { portZero: true })).toEqual({ host: '127.0.0.1', port: 0 });
    expect(refusal(() => parseHostPort('127.0.0.1:65536', '--listen', { portZero: true })).message).toContain('port 65536 is not in 0-65535');
  });
});

describe("serve's --listen and --control", () => {
  test('tls: prefix, port 0, [IPv6], localhost as 127.0.0.1', () => {
    expect(parseListen('tls:127.0.0.1:0')).toEqual({ kind: 'tls', address: '127.0.0.1', port: 0 });
    expect(parseListen('[::1]:5060')).toEqual({ kind: 'udp+tcp', address: '::1', port: 5060 });
    expect(parseListen('localhost:5060')).toEqual({ kind: 'udp+tcp', address: '127.0.0.1', port: 5060 });
    expect(refusal(() => parseListen('tls:1.2:5061')).message).toMatch(/^--listen "1\.2:5061" is not ADDRESS:PORT .*1\.2 is not an IPv4 address$/);
  });

  test('a prefix it does not know is named as one (it was taken for an IPv6 address without brackets)', () => {
    for (const prefix of ['udp', 'tcp', 'sip']) {
      expect(refusal(() => parseListen(`${prefix}:127.0.0.1:5060`)).message).toBe(
        `--listen "${prefix}:127.0.0.1:5060": unknown prefix ${prefix}: (ADDR:PORT is UDP and TCP; tls:, ws: and wss: add those listeners)`,
      );
    }
    // a host name is not a prefix; IPv6 still says brackets, even when it starts with hex letters
    expect(parseListen('localhost:5060')).toEqual({ kind: 'udp+tcp', address: '127.0.0.1', port: 5060 });
    expect(refusal(() => parseListen('fe80::1:5060')).message).toMatch(/an IPv6 address goes in brackets/);
  });

  test('a bad --control value names --control (it was named --listen)', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'sipscope-host-port-'));
    try {
      const users = path.join(directory, 'users.txt');
      writeFileSync(users, 'alice secret-a\n');
      const run = await runCli(['serve', '--listen', '127.0.0.1:0', '--users', users, '--control', '127.0.0.1:99999', '--control-token-env', 'T'], { env: { T: 'long-enough-token' } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('sipscope serve: --control "127.0.0.1:99999" is not ADDRESS:PORT');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('analyze and rotate drain', () => {
  test('analyze --metrics and --hep-listen: exit 2 naming the option and the value', async () => {
    const metrics = await runCli(['analyze', '--hep-listen', '127.0.0.1:46343', '--metrics', '[::1]:70000']);
    expect(metrics.code).toBe(2);
    expect(metrics.stderr).toContain('--metrics "[::1]:70000" is not ADDRESS:PORT');
    const hep = await runCli(['analyze', '--hep-listen', '::1:9060']);
    expect(hep.code).toBe(2);
    expect(hep.stderr).toContain('--hep-listen "::1:9060" is not ADDRESS:PORT (e.g. 127.0.0.1:9060 or [::1]:9060): an IPv6 address goes in brackets');
  });
});
