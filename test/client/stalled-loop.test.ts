/**
 * A stall of the event loop while an answer is on its way (a loaded machine, a long synchronous task): when the loop
 * runs again, Node runs its expired timers before it reads the sockets, so Timer E (RFC 3261 §17.1.2.2) would
 * retransmit a request whose answer already waits in the socket buffer, and --nagios would call a healthy peer a
 * WARNING. The client's timers fire after the sockets are read (timer-queue.ts): such an answer ends the transaction
 * first. The peer here answers at once and then stalls this process past T1, with its answer already sent.
 */
import dgram from 'node:dgram';
import { afterEach, expect, test } from 'vitest';
import { runRegister } from '../../src/client/register.js';
import { buildResponseTo, parseMessage, type SipRequest } from '../../src/sip/index.js';

let socket: dgram.Socket | undefined;
afterEach(() => {
  socket?.close();
  socket = undefined;
});

/** Busy for `ms`: nothing else of this process runs meanwhile. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // the loop is stalled on purpose
  }
}

test('an answer that arrived during a stall longer than T1 ends the transaction: no retransmission is sent or counted', async () => {
  const received: string[] = [];
  socket = dgram.createSocket('udp4');
  const peer = socket;
  peer.on('message', (bytes, from) => {
    const request = parseMessage(bytes) as SipRequest;
    received.push(request.method);
    peer.send(buildResponseTo(request, { status: 200, reason: 'OK', toTag: 'stall' }), from.port, from.address, () => {
      // the 200 is in the client's socket buffer; now the process stalls past T1 (100 ms) before it can read it
      stall(400);
    });
  });
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  const { port } = peer.address();
  const result = await runRegister({ uri: `sip:alice@127.0.0.1:${port}`, timeoutMs: 5000, timers: { t1: 100, t2: 400 }, keep: true });
  expect(result).toMatchObject({ ok: true, status: 200, retransmissions: 0 });
  // nothing more reaches the peer afterwards either
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(received).toEqual(['REGISTER']);
});
