/** --local-ip / --local-port: the socket is bound where asked, and Via and Contact carry that address (RFC 3261 §18.1.1). */
import { afterEach, expect, test } from 'vitest';
import { runOptions } from '../../src/client/options.js';
import { runRegister } from '../../src/client/register.js';
import { getHeader } from '../../src/sip/index.js';
import { startTcpPeer, startUdpPeer, type SipPeer } from '../client/sip-peer.js';

let peer: SipPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

test('UDP from 127.0.0.1:45251: the peer sees that source and the Via/Contact name it', async () => {
  peer = await startUdpPeer(45250, () => ({ status: 200, reason: 'OK' }));
  const result = await runRegister({ uri: 'sip:bob@127.0.0.1:45250', localAddress: '127.0.0.1', localPort: 45251, timeoutMs: 2000 });
  expect(result.ok).toBe(true);
  const request = peer.received[0].request;
  expect(getHeader(request, 'via')).toMatch(/^SIP\/2\.0\/UDP 127\.0\.0\.1:45251;rport;branch=/);
  // the check's own Contact names the bound address, with its stable +sip.instance (RFC 5626)
  expect(getHeader(request, 'contact')).toMatch(/^<sip:bob@127\.0\.0\.1:45251>;\+sip\.instance="<urn:uuid:[0-9a-f-]{36}>"$/);
});

test('TCP from local port 45253', async () => {
  peer = await startTcpPeer(45252, () => ({ status: 200, reason: 'OK' }));
  const result = await runOptions({ uri: 'sip:127.0.0.1:45252', transport: 'tcp', localAddress: '127.0.0.1', localPort: 45253, timeoutMs: 2000 });
  expect(result.ok).toBe(true);
  expect(getHeader(peer.received[0].request, 'via')).toMatch(/^SIP\/2\.0\/TCP 127\.0\.0\.1:45253;/);
});

test('a local port already in use is a local error (exit 2 class)', async () => {
  peer = await startUdpPeer(45254, () => ({ status: 200, reason: 'OK' }));
  const result = await runOptions({ uri: 'sip:127.0.0.1:45254', localAddress: '127.0.0.1', localPort: 45254, timeoutMs: 2000 });
  expect(result.error).toMatchObject({ code: 'local-socket', remote: false });
});
