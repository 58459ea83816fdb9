/**
 * A Kamailio registrar whose auth module offers algorithm=SHA-256 (RFC 7616 / RFC 8760), on 127.0.0.1 and ::1,
 * port 25190 (UDP, TCP). sipsak 0.9.8 only computes MD5 digests, so it cannot register here.
 */
import { describe, expect, test } from 'vitest';
import { bindingUris, expectExit, locationBindings, registerJson } from './checks.js';
import { testDomain } from './environment.js';
import { useRegistrarEnvironment } from './registrar-hooks.js';
import { runSipsak, runSipscope } from './processes.js';
import { randomPassword } from './subscribers.js';

const port = 25190;
const realm = 'sha256-realm.sipscope.test';
const alicePassword = randomPassword();
const runLimit = { timeoutMs: 20_000 };

const registrarSetup = useRegistrarEnvironment({
  name: 'sha256',
  ports: { sip: port },
  realm,
  algorithm: 'SHA-256',
  subscribers: [{ username: 'alice', domain: testDomain, password: alicePassword }],
});
const logs = registrarSetup.logs;

describe.sequential('SHA-256 digest challenge', () => {
  test.each([
    { transport: 'udp', host: '127.0.0.1' },
    { transport: 'tcp', host: '127.0.0.1' },
    { transport: 'udp', host: '[::1]' },
    { transport: 'tcp', host: '[::1]' },
  ])('right password over $transport to $host -> exit 0 with algorithm SHA-256', async ({ transport, host }) => {
    const contact = `sip:alice-sha256-${transport}@127.0.0.1:40004`;
    const result = await runSipscope(
      ['register', `sip:alice@${host}:${port}`, '--transport', transport, '--contact', contact, '--timeout', '5s', '--json', '--keep'],
      { ...runLimit, password: alicePassword },
    );
    expectExit(result, 0, logs);
    const json = registerJson(result);
    expect(json).toMatchObject({ ok: true, status: 200, realm, algorithm: 'SHA-256', qop: 'auth' });
    expect(bindingUris(json)).toContain(contact);
    expect((await locationBindings(registrarSetup.environment.registrar)).map((entry) => entry.address)).toContain(contact);
  });

  test('wrong password -> exit 1, final 401 still asking for SHA-256', async () => {
    const result = await runSipscope(['register', `sip:alice@127.0.0.1:${port}`, '--timeout', '5s', '--json'], {
      ...runLimit,
      password: `${alicePassword}-wrong`,
    });
    expectExit(result, 1, logs);
    expect(registerJson(result)).toMatchObject({ ok: false, status: 401, algorithm: 'SHA-256' });
  });

  test('sipsak cannot answer a SHA-256 challenge (MD5 only): local error 2, "unsupported authentication algorithm"', async () => {
    const result = await runSipsak(['-U', '-s', `sip:alice@127.0.0.1:${port}`], { ...runLimit, password: alicePassword });
    expectExit(result, 2, logs);
    expect(result.stdout + result.stderr).toContain('unsupported authentication algorithm');
  });
});
