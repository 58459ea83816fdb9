/**
 * Checks and calls against a peer that never answers, through the CLI (in-process): --timeout bounds the whole run.
 * An INVITE that gets no response at all fails after --timeout as any transaction does (RFC 3261 §17.1.1.2: Timer B,
 * which --timeout shortens; --answer-timeout only counts once a provisional response came). Over TCP the peer
 * accepts the connection and holds it open without a word, and does not close its end when ours is closed.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../cli/cli-io.js';

const UDP_PORT = 27860;
const TCP_PORT = 27861;
/** Nothing listens there: connections are refused at once. */
const CLOSED_PORT = 27862;

interface SilentPeer {
  /** Requests (datagrams) or connections that arrived. */
  arrived(): number;
  close(): Promise<void>;
}

async function silentUdpPeer(port: number): Promise<SilentPeer> {
  const socket = dgram.createSocket('udp4');
  let datagrams = 0;
  socket.on('message', () => datagrams++);
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
  return { arrived: () => datagrams, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

/** Accepts and keeps each connection, reads nothing, never writes, never ends it (allowHalfOpen: our FIN is ignored). */
async function silentTcpPeer(port: number): Promise<SilentPeer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    arrived: () => connections,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

const callArgs = (port: number, extra: string[]) =>
  ['call', `sip:bob@127.0.0.1:${port}`, '--user', 'alice', '--password-env', 'P', ...extra];

// each command's modules are loaded (and transformed) on its first run: once here, so the runs below time only the run
beforeAll(async () => {
  for (const args of [['options', `sip:127.0.0.1:${CLOSED_PORT}`], ['register', `sip:alice@127.0.0.1:${CLOSED_PORT}`], callArgs(CLOSED_PORT, [])]) {
    await runCli([...args, '--transport', 'tcp', '--timeout', '1s'], { env: { P: 'secret' } });
  }
}, 30_000);

let peer: SilentPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe('call: an INVITE that nothing answers fails after --timeout, not --answer-timeout + --timeout', () => {
  test.each([['udp', UDP_PORT], ['tcp', TCP_PORT]] as const)('over %s: exit 3 after about 1 s with --timeout 1s', async (transport, port) => {
    peer = transport === 'udp' ? await silentUdpPeer(port) : await silentTcpPeer(port);
    const result = await runCli(callArgs(port, ['--transport', transport, '--timeout', '1s', '--json']), { env: { P: 'secret' } });
    expect(result.code, result.stdout + result.stderr).toBe(3);
    const json = JSON.parse(result.stdout);
    expect(json.error.code).toBe('timeout');
    expect(json.error.message).toMatch(/^no final response to INVITE within \d+ ms \(transaction timeout/);
    expect(peer.arrived()).toBeGreaterThan(0);
    // before: the default --answer-timeout (30 s) + --timeout
    expect(result.elapsedMs).toBeGreaterThanOrEqual(950);
    expect(result.elapsedMs).toBeLessThan(2500);
  }, 40_000);
});

describe('TCP: closing the connection to a silent peer does not outlast --timeout', () => {
  // the grace for the peer to close its end was 1 s more on top of --timeout: 1.5 s instead of 0.5 s
  test.each([
    ['options', ['options', `sip:127.0.0.1:${TCP_PORT}`]],
    ['register', ['register', `sip:alice@127.0.0.1:${TCP_PORT}`, '--password-env', 'P']],
    ['call', callArgs(TCP_PORT, [])],
  ])('%s --transport tcp --timeout 500ms ends within the timeout and a little', async (_command, args) => {
    peer = await silentTcpPeer(TCP_PORT);
    const result = await runCli([...args, '--transport', 'tcp', '--timeout', '500ms'], { env: { P: 'secret' } });
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(result.stdout).toMatch(/within \d+ ms/);
    expect(peer.arrived()).toBe(1);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(result.elapsedMs).toBeLessThan(1250);
  }, 10_000);
});
