/**
 * 407 via an outbound proxy: a second Kamailio on 127.0.0.1:25170 challenges REGISTER with Proxy-Authenticate
 * (its own realm) and relays the authorized request to the registrar on 127.0.0.1:25175, which trusts the proxy.
 * Also: the registrar challenged directly (401) on the same set-up. sipsak on the same cases. And a chain where both
 * challenge (proxy 127.0.0.1:25171 in front of a registrar on 25176 that does not trust it): 407, then 401, then a
 * 401 stale=true (the registrar's test hook for users named stale-once*) answered with the new nonce.
 */
import { describe, expect, test } from 'vitest';
import { bindingUris, expectExit, locationBindings, registerJson } from './checks.js';
import { testDomain } from './environment.js';
import { useRegistrarEnvironment } from './registrar-hooks.js';
import { runSipsak, runSipscope } from './processes.js';
import { randomPassword } from './subscribers.js';

const proxyPort = 25170;
const registrarPort = 25175;
const proxyRealm = 'proxy-realm.sipscope.test';
const registrarRealm = 'registrar-realm.sipscope.test';
const alicePassword = randomPassword();
const runLimit = { timeoutMs: 20_000 };

const registrarSetup = useRegistrarEnvironment(
  {
    name: 'behind-proxy',
    hosts: ['127.0.0.1'],
    ports: { sip: registrarPort },
    realm: registrarRealm,
    subscribers: [{ username: 'alice', domain: testDomain, password: alicePassword }],
    trustedProxyPort: proxyPort,
  },
  { port: proxyPort, realm: proxyRealm },
);
const logs = registrarSetup.logs;

const chainProxyPort = 25171;
const chainRegistrarPort = 25176;
const chainSetup = useRegistrarEnvironment(
  {
    name: 'chain',
    hosts: ['127.0.0.1'],
    ports: { sip: chainRegistrarPort },
    realm: registrarRealm,
    subscribers: ['alice', 'stale-once-chain'].map((username) => ({ username, domain: testDomain, password: alicePassword })),
  },
  { port: chainProxyPort, realm: proxyRealm },
);

describe.sequential('sipscope register through a proxy that answers 407', () => {
  test.each(['udp', 'tcp'] as const)('--proxy sip:127.0.0.1:25170 over %s -> 407 answered with the proxy realm, then 200 -> exit 0', async (transport) => {
    const contact = `sip:alice-proxy-${transport}@127.0.0.1:40003`;
    const result = await runSipscope(
      ['register', '--proxy', `sip:127.0.0.1:${proxyPort};transport=${transport}`, `sip:alice@${testDomain}`, '--contact', contact, '--timeout', '5s', '--json', '--keep'],
      { ...runLimit, password: alicePassword },
    );
    expectExit(result, 0, logs);
    const json = registerJson(result);
    // No algorithm parameter in this challenge (auth module default): RFC 2617 §3.2.1 says MD5 then.
    expect(json).toMatchObject({ ok: true, status: 200, realm: proxyRealm, algorithm: 'MD5', qop: 'auth' });
    expect(json.transactions!.map((transaction) => transaction.status)).toEqual([407, 200]);
    expect(bindingUris(json)).toContain(contact);
    const stored = await locationBindings(registrarSetup.environment.registrar);
    expect(stored.map((entry) => entry.address), logs()).toContain(contact);
  });

  test('wrong password through the proxy -> exit 1 with the final 407', async () => {
    const result = await runSipscope(
      ['register', '--proxy', `sip:127.0.0.1:${proxyPort}`, `sip:alice@${testDomain}`, '--timeout', '5s', '--json'],
      { ...runLimit, password: `${alicePassword}-wrong` },
    );
    expectExit(result, 1, logs);
    expect(registerJson(result)).toMatchObject({ ok: false, status: 407, realm: proxyRealm });
  });

  test('the registrar reached directly challenges with 401 and its own realm', async () => {
    const result = await runSipscope(['register', `sip:alice@127.0.0.1:${registrarPort}`, '--timeout', '5s', '--json'], { ...runLimit, password: alicePassword });
    expectExit(result, 0, logs);
    const json = registerJson(result);
    expect(json).toMatchObject({ ok: true, status: 200, realm: registrarRealm });
    expect(json.transactions!.map((transaction) => transaction.status)).toEqual([401, 200]);
  });
});

describe.sequential('sipsak through the same proxy', () => {
  test('sipsak -p 127.0.0.1:25170 answers the 407 -> 0, binding stored', async () => {
    const result = await runSipsak(['-U', '-x', '120', '-p', `127.0.0.1:${proxyPort}`, '-s', `sip:alice@${testDomain}`], { ...runLimit, password: alicePassword });
    expectExit(result, 0, logs);
    const stored = await locationBindings(registrarSetup.environment.registrar);
    expect(stored.some((entry) => entry.userAgent.startsWith('sipsak'))).toBe(true);
  });

  test('sipsak with a wrong password through the proxy -> 2 ("authorization failed"; sipscope: 1)', async () => {
    expectExit(await runSipsak(['-U', '-p', `127.0.0.1:${proxyPort}`, '-s', `sip:alice@${testDomain}`], { ...runLimit, password: `${alicePassword}-wrong` }), 2, logs);
  });
});

describe.sequential('a proxy (407) in front of a registrar that challenges too (401)', () => {
  test('407, then 401 in the registrar realm: both answered, the last REGISTER carries both credentials -> exit 0', async () => {
    const result = await runSipscope(['register', '--proxy', `sip:127.0.0.1:${chainProxyPort}`, `sip:alice@${testDomain}`, '--timeout', '5s', '--json'], { ...runLimit, password: alicePassword });
    expectExit(result, 0, chainSetup.logs);
    const json = registerJson(result);
    expect(json.transactions!.map((transaction) => transaction.status)).toEqual([407, 401, 200]);
    expect(json).toMatchObject({ realm: registrarRealm, removal: { ok: true } });
  });

  test('407, 401, then 401 stale=true (RFC 7616 §3.3): retried once with the new nonce -> 200, exit 0 (was "still challenged after 3 rounds", exit 1)', async () => {
    const result = await runSipscope(['register', '--proxy', `sip:127.0.0.1:${chainProxyPort}`, `sip:stale-once-chain@${testDomain}`, '--timeout', '5s', '--json'], { ...runLimit, password: alicePassword });
    expectExit(result, 0, chainSetup.logs);
    const json = registerJson(result);
    expect(json.transactions!.map((transaction) => transaction.status)).toEqual([407, 401, 401, 200]);
    expect(json).toMatchObject({ ok: true, realm: registrarRealm, removal: { ok: true } });
  });
});
