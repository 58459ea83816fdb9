/**
 * A register check leaves no trace in a real Kamailio (issue 14): after `sipscope register` its location table
 * (`kamcmd ul.dump`) holds no binding of the user; with --keep exactly one, and a second --keep run (another local
 * port, so another Contact address) still exactly one, because the stable +sip.instance (RFC 5626) makes
 * Kamailio replace the binding. Over UDP and TCP on 127.0.0.1 and UDP on ::1. Ports 26400-26403.
 */
import { describe, expect, test } from 'vitest';
import { expectExit, locationBindings, registerJson } from './checks.js';
import { testDomain } from './environment.js';
import { useRegistrarEnvironment } from './registrar-hooks.js';
import { parseJsonOutput, runSipscope } from './processes.js';
import { randomPassword } from './subscribers.js';

const ports = { sip: 26400, tls: 26401, ws: 26402, wss: 26403 };
const realm = 'clean-check.sipscope.test';
const password = randomPassword();
const users = ['check-udp4', 'check-tcp4', 'check-udp6', 'keeper'];
const runLimit = { timeoutMs: 20_000 };

const setup = useRegistrarEnvironment({
  name: 'clean-check',
  ports,
  realm,
  algorithm: 'MD5',
  subscribers: users.map((username) => ({ username, domain: testDomain, password })),
});

async function bindingsOf(user: string) {
  return (await locationBindings(setup.environment.registrar)).filter((binding) => binding.aor === user);
}

function register(user: string, target: string, extra: string[] = []) {
  return runSipscope(['register', `sip:${user}@${target}`, '--timeout', '5s', ...extra], { ...runLimit, password });
}

describe.sequential('register against Kamailio leaves the location table as it found it', () => {
  test.each([
    { user: 'check-udp4', target: `127.0.0.1:${ports.sip}`, transport: 'udp' },
    { user: 'check-tcp4', target: `127.0.0.1:${ports.sip}`, transport: 'tcp' },
    { user: 'check-udp6', target: `[::1]:${ports.sip}`, transport: 'udp' },
  ])('default check over $transport $target: registered, binding seen in the 200, then removed; ul.dump holds none', async ({ user, target, transport }) => {
    expect(await bindingsOf(user)).toEqual([]);
    const result = await register(user, target, ['--transport', transport, '--json']);
    expectExit(result, 0, setup.logs);
    const json = registerJson(result) as ReturnType<typeof registerJson> & { removal: { ok: boolean; status: number; contact: string; bindings: unknown[] } };
    expect(json).toMatchObject({ ok: true, status: 200, realm });
    expect(json.bindings!.map((binding) => binding.uri)).toContain(json.removal.contact);
    expect(json.removal).toMatchObject({ ok: true, status: 200, bindings: [] });
    expect(await bindingsOf(user), setup.logs()).toEqual([]);
  });

  test('text output says both steps', async () => {
    const result = await register('check-udp4', `127.0.0.1:${ports.sip}`);
    expectExit(result, 0, setup.logs);
    expect(result.stdout).toMatch(/^OK 200 OK$/m);
    expect(result.stdout).toMatch(/^REMOVED own binding sip:check-udp4@127\.0\.0\.1:\d+; 0 bindings left$/m);
    expect(await bindingsOf('check-udp4')).toEqual([]);
  });

  test('--keep leaves exactly one binding; a second --keep run replaces it (still one); a check then leaves that one alone', async () => {
    const first = await register('keeper', `127.0.0.1:${ports.sip}`, ['--keep', '--expires', '300', '--json']);
    expectExit(first, 0, setup.logs);
    expect(parseJsonOutput(first).removal).toBeNull();
    const afterFirst = await bindingsOf('keeper');
    expect(afterFirst, setup.logs()).toHaveLength(1);
    expect(afterFirst[0].expires).toBeGreaterThan(0);

    const second = await register('keeper', `127.0.0.1:${ports.sip}`, ['--keep', '--expires', '300', '--json']);
    expectExit(second, 0, setup.logs);
    const afterSecond = await bindingsOf('keeper');
    expect(afterSecond, setup.logs()).toHaveLength(1);
    // another run, another local port: the Contact address changed and Kamailio still holds one binding
    expect(afterSecond[0].address).not.toBe(afterFirst[0].address);

    // a default check by the same user replaces the kept binding (same instance) and then removes it
    const check = await register('keeper', `127.0.0.1:${ports.sip}`, ['--json']);
    expectExit(check, 0, setup.logs);
    expect(await bindingsOf('keeper')).toEqual([]);
  });
});
