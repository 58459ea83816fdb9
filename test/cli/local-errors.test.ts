/**
 * Local errors are local (exit 2), never reported as the peer's fault (exit 3), found by a user-level sweep:
 * our own bind failing because --local-ip is of the other address family than the target (EINVAL, was
 * "remote error connection-reset"), and rotate's --uri, --proxy or --call that cannot be read (was two probes
 * "[NO ANSWER] ... bad-argument", exit 3): refused before anything is sent.
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './cli-io.js';

/** A UDP socket that counts what reaches it and answers nothing: rotate must send it nothing at all. */
const COUNTING_PORT = 27866;
let counting: dgram.Socket;
let datagrams = 0;

beforeAll(async () => {
  counting = dgram.createSocket('udp4');
  counting.on('message', () => datagrams++);
  await new Promise<void>((resolve) => counting.bind(COUNTING_PORT, '127.0.0.1', () => resolve()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => counting.close(() => resolve()));
});

describe('--local-ip of the other address family: code local-socket, exit 2', () => {
  test.each([
    ['options over UDP, IPv6 local address, IPv4 target', ['options', `sip:127.0.0.1:${COUNTING_PORT}`, '--local-ip', '::1']],
    ['options over TCP, IPv4 local address, IPv6 target', ['options', `sip:[::1]:${COUNTING_PORT}`, '--local-ip', '127.0.0.1', '--transport', 'tcp']],
    ['options over WebSocket', ['options', `sip:127.0.0.1:${COUNTING_PORT}`, '--local-ip', '::1', '--transport', 'ws']],
    ['register over UDP', ['register', `sip:alice@[::1]:${COUNTING_PORT}`, '--local-ip', '127.0.0.1']],
    ['call over TCP', ['call', `sip:bob@127.0.0.1:${COUNTING_PORT}`, '--user', 'alice', '--local-ip', '::1', '--transport', 'tcp']],
  ])('%s', async (_name, args) => {
    const run = await runCli([...args, '--timeout', '2s']);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toMatch(/^FAILED local error local-socket: cannot use the local address: bind EINVAL \S+ \(\S+ is an IPv[46] address; \S+ is IPv[46]\)$/m);
    const json = await runCli([...args, '--timeout', '2s', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe('local-socket');
  });
});

describe('a --ca file without any PEM certificate is a bad argument, not a TLS failure of the server', () => {
  test.each([['options'], ['register'], ['call']])('%s', async (command) => {
    const notPem = new URL('../../package.json', import.meta.url).pathname;
    const args = [command, `sips:alice@127.0.0.1:${COUNTING_PORT}`, '--user', 'alice', '--ca', notPem, '--timeout', '2s'];
    const run = await runCli(args);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(/--ca \S+package\.json: no PEM certificate in the file/);
    const json = await runCli([...args, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'bad-argument' });
  });
});

describe('a line break in a value that goes into a header field is refused, as --header refuses it (it wrote extra header lines)', () => {
  test.each([
    ['options --user-agent', ['options', `sip:127.0.0.1:${COUNTING_PORT}`, '--user-agent', 'probe\r\nX-Injected: 1'], /--user-agent holds a control character \(\\x0d\) at character 6/],
    ['register --user', ['register', `sip:127.0.0.1:${COUNTING_PORT}`, '--user', 'bob\nX-Injected: 1'], /--user holds a control character \(\\x0a\) at character 4/],
    ['register --contact', ['register', `sip:bob@127.0.0.1:${COUNTING_PORT}`, '--contact', '<sip:bob@192.0.2.1>\r\nX-Injected: 1'], /--contact holds a control character/],
    ['call --auth-user', ['call', `sip:bob@127.0.0.1:${COUNTING_PORT}`, '--user', 'alice', '--auth-user', 'alice\n'], /--auth-user holds a control character/],
    ['options --header (an ESC, which the pattern of --header let through)', ['options', '--header', 'X-A: a\x1b[2Jb', `sip:127.0.0.1:${COUNTING_PORT}`], /--header holds a control character \(\\x1b\) at character 7/],
    ['options --header (a line break)', ['options', '--header', 'X-A: 1\r\nX-Injected: 1', `sip:127.0.0.1:${COUNTING_PORT}`], /--header holds a control character \(\\x0d\)/],
  ])('%s: exit 2, nothing sent', async (_name, args, message) => {
    const before = datagrams;
    const run = await runCli([...args, '--timeout', '2s']);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(datagrams).toBe(before);
  });
});

describe('load mode (--count) with --nagios or --junit: a bad argument, nothing sent (both were ignored: text and the load\'s exit code instead)', () => {
  test.each([
    ['register --nagios', ['register', `sip:127.0.0.1:${COUNTING_PORT}`, '--nagios'], 3, 'stdout', /^SIP UNKNOWN - load mode \(--count\) prints its own summary: --nagios is for a single check$/m],
    ['call --nagios', ['call', `sip:bob@127.0.0.1:${COUNTING_PORT}`, '--nagios'], 3, 'stdout', /^SIP UNKNOWN - load mode \(--count\) prints its own summary: --nagios is for a single check$/m],
    ['call --junit', ['call', `sip:bob@127.0.0.1:${COUNTING_PORT}`, '--junit', '/nonexistent/calls.xml'], 2, 'stderr', /load mode \(--count\) prints its own summary: --junit is for a single check/],
  ] as const)('%s', async (_name, args, code, stream, message) => {
    const before = datagrams;
    const run = await runCli([...args, '--user', 'user%d', '--password-env', 'P', '--count', '2', '--timeout', '2s'], { env: { P: 'pw' } });
    expect(run.code, run.stdout + run.stderr).toBe(code);
    expect(run[stream]).toMatch(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(datagrams).toBe(before);
  });
});

describe('--nagios with a --junit file that cannot be written: the UNKNOWN line on stdout (stdout was empty)', () => {
  test.each([
    ['options', ['options', `sip:127.0.0.1:${COUNTING_PORT}`]],
    ['call', ['call', `sip:bob@127.0.0.1:${COUNTING_PORT}`, '--user', 'alice']],
  ])('%s', async (_name, args) => {
    const run = await runCli([...args, '--nagios', '--junit', '/nonexistent-dir/report.xml', '--timeout', '300ms']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('SIP UNKNOWN - --junit /nonexistent-dir/report.xml: cannot write (ENOENT)\n');
    const plain = await runCli([...args, '--junit', '/nonexistent-dir/report.xml', '--timeout', '300ms']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/^sipscope: --junit \/nonexistent-dir\/report\.xml: cannot write \(ENOENT\)$/m);
  });
});

describe('rotate: a target, proxy or call URI that cannot be read is refused up front, exit 2', () => {
  const env = { OLD: 'old-pass', NEW: 'new-pass' };
  const credentials = ['--old-user', 'alice', '--old-password-env', 'OLD', '--new-user', 'alice2', '--new-password-env', 'NEW', '--timeout', '2s'];
  test.each([
    ['--uri without a scheme', ['--uri', 'notauri'], /^sipscope rotate: SIP-URI "notauri" is not usable: URI "notauri" has no scheme/],
    ['--uri with an IPv6 address out of brackets', ['--uri', `sip:::1:${COUNTING_PORT}`], /^sipscope rotate: SIP-URI "sip:::1:\d+" is not usable: .*an IPv6 address goes in brackets/],
    ['--proxy without a scheme', ['--uri', `sip:127.0.0.1:${COUNTING_PORT}`, '--proxy', 'proxy.example'], /^sipscope rotate: --proxy URI "proxy\.example" is not usable/],
    ['a sips: --uri over UDP', ['--uri', `sips:127.0.0.1:${COUNTING_PORT}`, '--transport', 'udp'], /^sipscope rotate: a sips: URI needs TLS or WSS/],
    ['--call without a scheme', ['--uri', `sip:127.0.0.1:${COUNTING_PORT}`, '--call', 'echo'], /^sipscope rotate: --call URI "echo" is not usable/],
    // the message quotes what was given: its line break shown as \xNN, as in every text output (it was printed raw)
    ['--uri with a line break', ['--uri', `sip:127.0.0.1:${COUNTING_PORT}\r\nX-Injected: 1`], /^sipscope rotate: SIP-URI "sip:127\.0\.0\.1:\d+\\x0d\\x0aX-Injected: 1" is not usable[^\r\n]*\n$/],
  ])('%s', async (_name, args, message) => {
    const before = datagrams;
    const run = await runCli(['rotate', 'check', ...args, ...credentials], { env });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    const json = await runCli(['rotate', 'check', ...args, ...credentials, '--json'], { env });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ step: 'check', ok: false, error: { code: 'bad-argument' } });
    // nothing was sent: the registrar was not probed with anything
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(datagrams).toBe(before);
  });
});

describe('rotate: a control character in a value that goes into a header field is refused as register refuses it, exit 2, nothing sent', () => {
  const env = { OLD: 'old-pass', NEW: 'new-pass' };
  const passwords = ['--old-password-env', 'OLD', '--new-password-env', 'NEW', '--timeout', '2s', '--uri', `sip:127.0.0.1:${COUNTING_PORT}`];
  test.each([
    ['--old-user', ['--old-user', 'alice\r\nX-Injected: 1', '--new-user', 'alice2'], /^sipscope rotate: --old-user holds a control character \(\\x0d\) at character 6: it cannot go into a header field/],
    ['--new-user', ['--old-user', 'alice', '--new-user', 'alice2\nX-Injected: 1'], /^sipscope rotate: --new-user holds a control character \(\\x0a\) at character 7/],
    ['--old-auth-user', ['--old-user', 'alice', '--old-auth-user', 'alice\x00', '--new-user', 'alice2'], /^sipscope rotate: --old-auth-user holds a control character \(\\x00\)/],
    ['--new-auth-user', ['--old-user', 'alice', '--new-user', 'alice2', '--new-auth-user', 'a\rb'], /^sipscope rotate: --new-auth-user holds a control character \(\\x0d\)/],
    ['--user-agent', ['--old-user', 'alice', '--new-user', 'alice2', '--user-agent', 'gate\r\nX-Injected: 1'], /^sipscope rotate: --user-agent holds a control character/],
  ])('%s', async (_name, args, message) => {
    const before = datagrams;
    const run = await runCli(['rotate', 'check', ...args, ...passwords], { env });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(datagrams).toBe(before);
  });
});

describe('rotate: a probe that cannot be made here is a local error, exit 2 (it was "NO ANSWER", exit 3)', () => {
  test('check with --local-ip of the other address family: both verdicts LOCAL ERROR, local-error in --json', async () => {
    const env = { OLD: 'old-pass', NEW: 'new-pass' };
    const args = ['rotate', 'check', '--uri', `sip:127.0.0.1:${COUNTING_PORT}`, '--local-ip', '::1', '--old-user', 'alice', '--old-password-env', 'OLD',
      '--new-user', 'alice2', '--new-password-env', 'NEW', '--timeout', '2s'];
    const run = await runCli(args, { env });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toMatch(/\[LOCAL ERROR\] the old credential \(alice\) local-socket: /);
    const json = await runCli([...args, '--json'], { env });
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout);
    expect(report.verdicts.map((verdict: { outcome: string }) => verdict.outcome)).toEqual(['local-error', 'local-error']);
  });
});
