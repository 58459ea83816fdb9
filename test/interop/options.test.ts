/**
 * `sipscope options` against a real Kamailio: the registrar answers OPTIONS with 200 on every transport
 * (ports 25200 UDP/TCP, 25201 TLS, 25202 WS, 25203 WSS; 25209 kept free); the proxy on 25205 challenges
 * OPTIONS addressed to a user with 407 and relays the answered request. sipsak (OPTIONS is its default mode)
 * on the same cases. And a redirect: a UDP peer on 25208 answers 302 with the registrar as Contact; sipsak follows
 * it (exit 0 once the registrar answers 200), sipscope does not (exit 1, as README's table of differences says).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startUdpPeer, type SipPeer } from '../client/sip-peer.js';
import { expectExit } from './checks.js';
import { testDomain } from './environment.js';
import { useRegistrarEnvironment } from './registrar-hooks.js';
import { parseJsonOutput, runSipsak, runSipscope } from './processes.js';
import { randomPassword } from './subscribers.js';

const ports = { sip: 25200, tls: 25201, ws: 25202, wss: 25203 };
const proxyPort = 25205;
const deadPort = 25209;
const redirectPort = 25208;
const proxyRealm = 'options-proxy.sipscope.test';
const alicePassword = randomPassword();
const runLimit = { timeoutMs: 20_000 };

const registrarSetup = useRegistrarEnvironment(
  {
    name: 'options',
    ports,
    realm: 'options-registrar.sipscope.test',
    subscribers: [{ username: 'alice', domain: testDomain, password: alicePassword }],
    trustedProxyPort: proxyPort,
  },
  { port: proxyPort, realm: proxyRealm },
);
const logs = registrarSetup.logs;

describe.concurrent('sipscope options', () => {
  test.each([
    { transport: 'udp', host: '127.0.0.1', port: ports.sip },
    { transport: 'udp', host: '[::1]', port: ports.sip },
    { transport: 'tcp', host: '127.0.0.1', port: ports.sip },
    { transport: 'tcp', host: '[::1]', port: ports.sip },
    { transport: 'tls', host: '127.0.0.1', port: ports.tls },
    { transport: 'tls', host: '[::1]', port: ports.tls },
    { transport: 'ws', host: '127.0.0.1', port: ports.ws },
    { transport: 'wss', host: '127.0.0.1', port: ports.wss },
  ])('over $transport to $host:$port -> exit 0, 200', async ({ transport, host, port }) => {
    const ca = transport === 'tls' || transport === 'wss' ? ['--ca', registrarSetup.environment.certificates!.caCertPath] : [];
    const result = await runSipscope(['options', `sip:${host}:${port}`, '--transport', transport, ...ca, '--timeout', '5s', '--json'], runLimit);
    expectExit(result, 0, logs);
    const json = parseJsonOutput(result);
    expect(json).toMatchObject({ ok: true, status: 200 });
    expect(typeof json.rttMs).toBe('number');
  });

  test.each([
    { transport: 'udp', host: '127.0.0.1' },
    { transport: 'udp', host: '[::1]' },
    { transport: 'tcp', host: '127.0.0.1' },
  ])('nothing listening over $transport to $host -> exit 3 before the timeout', { timeout: 60_000 }, async ({ transport, host }) => {
    const result = await runSipscope(['options', `sip:${host}:${deadPort}`, '--transport', transport, '--timeout', '30s', '--json'], { timeoutMs: 45_000 });
    expectExit(result, 3, logs);
    expect(result.elapsedMs).toBeLessThan(15_000);
  });

  test('challenged by the proxy (407): answered with the proxy realm -> 200, exit 0', async () => {
    const result = await runSipscope(['options', `sip:alice@127.0.0.1:${proxyPort}`, '--timeout', '5s', '--json'], { ...runLimit, password: alicePassword });
    expectExit(result, 0, logs);
    const json = parseJsonOutput(result) as { transactions: { status: number }[] };
    expect(json).toMatchObject({ ok: true, status: 200, realm: proxyRealm });
    expect(json.transactions.map((transaction) => transaction.status)).toEqual([407, 200]);
  });

  test('challenged by the proxy with a wrong password -> exit 1 (407)', async () => {
    const result = await runSipscope(['options', `sip:alice@127.0.0.1:${proxyPort}`, '--timeout', '5s', '--json'], { ...runLimit, password: `${alicePassword}-wrong` });
    expectExit(result, 1, logs);
    expect(parseJsonOutput(result)).toMatchObject({ ok: false, status: 407 });
  });
});

describe.sequential('sipsak OPTIONS on the same cases', () => {
  test.each(['udp', 'tcp'])('over %s -> 0', async (transport) => {
    expectExit(await runSipsak(['-E', transport, '-s', `sip:127.0.0.1:${ports.sip}`], runLimit), 0, logs);
  });

  test('nothing listening over UDP -> 3', async () => {
    expectExit(await runSipsak(['-s', `sip:127.0.0.1:${deadPort}`], runLimit), 3, logs);
  });

  test('challenged by the proxy: right password -> 0', async () => {
    expectExit(await runSipsak(['-s', `sip:alice@127.0.0.1:${proxyPort}`], { ...runLimit, password: alicePassword }), 0, logs);
  });

  test('challenged by the proxy: wrong password -> 2 (sipsak: "authorization failed"; sipscope: 1)', async () => {
    expectExit(await runSipsak(['-s', `sip:alice@127.0.0.1:${proxyPort}`], { ...runLimit, password: `${alicePassword}-wrong` }), 2, logs);
  });
});

describe.sequential('a 302 redirect to the registrar (RFC 3261 §8.1.3.4: the UAC MAY recurse)', () => {
  let redirector: SipPeer | undefined;
  beforeAll(async () => {
    redirector = await startUdpPeer(redirectPort, () => ({ status: 302, reason: 'Moved Temporarily', headers: [['Contact', `<sip:127.0.0.1:${ports.sip}>`]] }));
  });
  afterAll(async () => {
    await redirector?.close();
  });

  test('sipscope: not followed -> exit 1, the 302 is the final status', async () => {
    const result = await runSipscope(['options', `sip:127.0.0.1:${redirectPort}`, '--timeout', '5s', '--json'], runLimit);
    expectExit(result, 1, logs);
    expect(parseJsonOutput(result)).toMatchObject({ ok: false, status: 302 });
  });

  test('sipsak: follows the Contact, which answers 200 -> exit 0', async () => {
    expectExit(await runSipsak(['-s', `sip:127.0.0.1:${redirectPort}`], runLimit), 0, logs);
  });
});
