/**
 * UDP and TCP on one port with port 0: when the port the UDP socket got is taken for TCP (EADDRINUSE, another TCP
 * socket of the machine holds that number), both are let go and another port is tried; any other failure, or a
 * fixed port, is reported at once.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ServerError } from '../../src/server/errors.js';
import { listenUdpAndTcp, type ListenContext, type Listening } from '../../src/server/listeners.js';

const context = { badInput: { line: () => undefined } } as unknown as ListenContext;

function takenError(port: number): ServerError {
  const cause = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
  return new ServerError('listen-failed', `TCP 127.0.0.1:${port}: EADDRINUSE`, { cause });
}

/** Whether a UDP port on 127.0.0.1 can be bound again (the socket that held it was closed). */
async function udpPortFree(port: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  const bound = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => resolve(true));
  });
  socket.close();
  return bound;
}

describe('listenUdpAndTcp', () => {
  it('tries another ephemeral port when TCP finds the UDP port taken, and lets the first UDP socket go', async () => {
    const triedPorts: number[] = [];
    const listenTcp = async (server: net.Server, transport: 'tcp' | 'tls', spec: { address: string; port: number }, _context: ListenContext, listening: Listening[]) => {
      triedPorts.push(spec.port);
      if (triedPorts.length === 1) throw takenError(spec.port);
      listening.push({ transport, address: spec.address, port: spec.port });
      return async () => undefined;
    };
    const listening: Listening[] = [];
    const closers = await listenUdpAndTcp({ kind: 'udp+tcp', address: '127.0.0.1', port: 0 }, context, listening, listenTcp as never);
    expect(triedPorts).toHaveLength(2);
    expect(listening).toEqual([
      { transport: 'udp', address: '127.0.0.1', port: triedPorts[1] },
      { transport: 'tcp', address: '127.0.0.1', port: triedPorts[1] },
    ]);
    if (triedPorts[0] !== triedPorts[1]) expect(await udpPortFree(triedPorts[0])).toBe(true);
    for (const close of closers) await close();
    expect(await udpPortFree(triedPorts[1])).toBe(true);
  });

  it('reports a taken fixed port, and any other failure, at once', async () => {
    let tries = 0;
    const failing = (error: (port: number) => Error) => async (_server: net.Server, _transport: string, spec: { port: number }) => {
      tries++;
      throw error(spec.port);
    };
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
    const fixedPort = probe.address().port;
    probe.close();
    await expect(listenUdpAndTcp({ kind: 'udp+tcp', address: '127.0.0.1', port: fixedPort }, context, [], failing(takenError) as never)).rejects.toThrow(/EADDRINUSE/);
    expect(tries).toBe(1);
    tries = 0;
    await expect(
      listenUdpAndTcp({ kind: 'udp+tcp', address: '127.0.0.1', port: 0 }, context, [], failing((port) => new ServerError('listen-failed', `TCP 127.0.0.1:${port}: EACCES`)) as never),
    ).rejects.toThrow(/EACCES/);
    expect(tries).toBe(1);
  });
});
