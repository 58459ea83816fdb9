/**
 * Local errors are local (exit 2), never reported as the peer's fault (exit 3), found by a user-level sweep:
 * our own bind failing because --local-ip is of the other address family than the target (EINVAL, was
 * "remote error connection-reset").
 */
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from './cli-io.js';

/** A UDP socket that counts what reaches it and answers nothing. */
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
