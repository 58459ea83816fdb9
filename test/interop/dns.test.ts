/**
 * RFC 3263 target resolution end to end: a real DNS server (dnsmasq on 127.0.0.1 and ::1, port 25353) serves NAPTR, SRV, A and
 * AAAA records for sipscope.test, and `sipscope register/options --dns 127.0.0.1:25353` must reach a real
 * Kamailio (UDP 25220 and TCP 25221 on 127.0.0.1 and ::1, UDP 127.0.0.2:5060) over exactly the transport, address
 * and port the records select; Kamailio's own record of the binding (`kamcmd ul.dump`, Socket) shows where the
 * REGISTER arrived. Ports 25229-25230 are kept free (dead SRV targets), 25239 too (a DNS server that is not there).
 * Needs `npx tsc -p tsconfig.json` first (runs bin/sipscope.js); skipped, saying why, without dnsmasq.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectExit, locationBindings, registerJson } from './checks.js';
import { dnsmasqMissing, startDnsmasq, type DnsmasqInstance, type Zone } from './dns/dnsmasq.js';
import { startDnsRegistrar, type DnsRegistrar } from './dns/registrar.js';
import { runSipscope, type CommandResult } from './processes.js';
import { randomPassword } from './subscribers.js';

const domain = 'sipscope.test';
const ports = { udp: 25220, tcp: 25221, defaultPortHost: '127.0.0.2' };
const deadPort = 25229;
const dnsPort = 25353;
const absentDnsServer = '127.0.0.1:25239';
const realm = 'dns-realm.sipscope.test';
const password = randomPassword();
const users = ['naptr-user', 'pref-user', 'failover-user', 'udp-failover-user', 'srv-user', 'plain-user', 'list-user'];
const runLimit = { timeoutMs: 20_000 };

/**
 * Every record is here, and each case's expected target follows from them by RFC 3263 alone. SRV records are
 * listed out of priority order so that the order dnsmasq answers in cannot stand in for the client's sorting.
 */
const zone: Zone = {
  domain,
  naptr: [
    // §4.1: lowest order first: TCP (10) before UDP (20), although UDP is listed first
    { name: 'naptr.sipscope.test', order: 20, preference: 10, service: 'SIP+D2U', replacement: '_sip._udp.naptr.sipscope.test' },
    { name: 'naptr.sipscope.test', order: 10, preference: 10, service: 'SIP+D2T', replacement: '_sip._tcp.naptr.sipscope.test' },
    // same order: lowest preference first: UDP (20) before TCP (50)
    { name: 'preference.sipscope.test', order: 10, preference: 50, service: 'SIP+D2T', replacement: '_sip._tcp.preference.sipscope.test' },
    { name: 'preference.sipscope.test', order: 10, preference: 20, service: 'SIP+D2U', replacement: '_sip._udp.preference.sipscope.test' },
    { name: 'failover.sipscope.test', order: 10, preference: 10, service: 'SIP+D2T', replacement: '_sip._tcp.failover.sipscope.test' },
    { name: 'udp-failover.sipscope.test', order: 10, preference: 10, service: 'SIP+D2U', replacement: '_sip._udp.udp-failover.sipscope.test' },
    { name: 'all-dead.sipscope.test', order: 10, preference: 10, service: 'SIP+D2U', replacement: '_sip._udp.all-dead.sipscope.test' },
  ],
  srv: [
    { name: '_sip._udp.naptr.sipscope.test', target: 'reg.sipscope.test', port: ports.udp, priority: 10 },
    { name: '_sip._tcp.naptr.sipscope.test', target: 'reg.sipscope.test', port: ports.tcp, priority: 10 },
    { name: '_sip._tcp.preference.sipscope.test', target: 'reg4.sipscope.test', port: ports.tcp, priority: 10 },
    { name: '_sip._udp.preference.sipscope.test', target: 'reg6.sipscope.test', port: ports.udp, priority: 10 },
    // RFC 2782: priority 10 first (nothing listens there), then 20 (::1), and 30 (127.0.0.1) only after that
    { name: '_sip._tcp.failover.sipscope.test', target: 'reg4.sipscope.test', port: ports.tcp, priority: 30 },
    { name: '_sip._tcp.failover.sipscope.test', target: 'dead.sipscope.test', port: deadPort, priority: 10 },
    { name: '_sip._tcp.failover.sipscope.test', target: 'reg6.sipscope.test', port: ports.tcp, priority: 20 },
    { name: '_sip._udp.udp-failover.sipscope.test', target: 'reg4.sipscope.test', port: ports.udp, priority: 20 },
    { name: '_sip._udp.udp-failover.sipscope.test', target: 'dead.sipscope.test', port: deadPort, priority: 10 },
    { name: '_sip._udp.all-dead.sipscope.test', target: 'dead.sipscope.test', port: deadPort + 1, priority: 20 },
    { name: '_sip._udp.all-dead.sipscope.test', target: 'dead.sipscope.test', port: deadPort, priority: 10 },
    // no NAPTR for srv.sipscope.test: §4.1 SRV queries per transport; only TCP has records
    { name: '_sip._tcp.srv.sipscope.test', target: 'reg6.sipscope.test', port: ports.tcp, priority: 10 },
  ],
  hosts: [
    { name: 'reg.sipscope.test', ipv4: '127.0.0.1', ipv6: '::1' },
    { name: 'reg4.sipscope.test', ipv4: '127.0.0.1' },
    { name: 'reg6.sipscope.test', ipv6: '::1' },
    { name: 'dead.sipscope.test', ipv4: '127.0.0.1', ipv6: '::1' },
    // no NAPTR, no SRV: §4.2 A record with the default port 5060 over UDP
    { name: 'plain.sipscope.test', ipv4: ports.defaultPortHost },
  ],
};

const skipReason = dnsmasqMissing();
if (skipReason) console.warn(`test/interop/dns.test.ts skipped: ${skipReason}`);

let dnsWorkDirectory: string | undefined;
let dnsmasq: DnsmasqInstance | undefined;
let environment: DnsRegistrar | undefined;
const logs = () => [dnsmasq?.log() ?? '', environment?.registrar.logTail(40) ?? ''].join('\n');

interface Expected {
  transport: 'udp' | 'tcp';
  address: string;
  port: number;
}

function register(uri: string, dnsArgs: string[] = ['--dns', `127.0.0.1:${dnsPort}`]): Promise<CommandResult> {
  // --keep: the binding is read back from Kamailio (a check without it removes its own binding again)
  return runSipscope(['register', uri, ...dnsArgs, '--timeout', '5s', '--json', '--keep'], { ...runLimit, password });
}

function kamailioSocket({ transport, address, port }: Expected): string {
  return `${transport}:${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Registered (exit 0), to the target the records select, and Kamailio holds the binding on that very socket. */
async function expectRegisteredVia(result: CommandResult, user: string, expected: Expected): Promise<void> {
  expectExit(result, 0, logs);
  const json = registerJson(result);
  expect(json.status).toBe(200);
  expect((json as { target?: unknown }).target).toEqual(expected);
  const bindings = (await locationBindings(environment!.registrar)).filter((binding) => binding.aor === user);
  expect(bindings.map((binding) => binding.socket), `bindings of ${user} in kamcmd ul.dump\n${logs()}`).toEqual([kamailioSocket(expected)]);
}

describe.skipIf(skipReason !== undefined)('RFC 3263 resolution through a real DNS server (dnsmasq) to a real Kamailio', () => {
  beforeAll(async () => {
    dnsWorkDirectory = mkdtempSync(path.join(os.tmpdir(), 'sipscope-interop-dnsmasq-'));
    dnsmasq = await startDnsmasq({ addresses: ['127.0.0.1', '::1'], port: dnsPort, zone, workDirectory: dnsWorkDirectory, readyName: 'reg4.sipscope.test' });
    environment = await startDnsRegistrar({
      ports,
      domain,
      realm,
      subscribers: users.map((username) => ({ username, domain, password })),
    });
  }, 60_000);

  afterAll(async () => {
    try {
      await environment?.close();
    } finally {
      await dnsmasq?.stop();
      if (dnsWorkDirectory) rmSync(dnsWorkDirectory, { recursive: true, force: true });
    }
  });

  test('NAPTR order: TCP (order 10) is chosen over UDP (order 20); its SRV gives port 25221; A before AAAA', async () => {
    await expectRegisteredVia(await register('sip:naptr-user@naptr.sipscope.test'), 'naptr-user', { transport: 'tcp', address: '127.0.0.1', port: ports.tcp });
  });

  test('NAPTR preference within one order: UDP (20) before TCP (50); the SRV target has only AAAA -> ::1', async () => {
    await expectRegisteredVia(await register('sip:pref-user@preference.sipscope.test'), 'pref-user', { transport: 'udp', address: '::1', port: ports.udp });
  });

  test('SRV priority order with failover (§4.3): priority 10 refuses TCP on both addresses -> priority 20, never 30', async () => {
    await expectRegisteredVia(await register('sip:failover-user@failover.sipscope.test'), 'failover-user', { transport: 'tcp', address: '::1', port: ports.tcp });
  });

  test('UDP failover (§4.3): the priority-10 target answers ICMP port unreachable on both addresses -> a new REGISTER to priority 20', async () => {
    await expectRegisteredVia(await register('sip:udp-failover-user@udp-failover.sipscope.test'), 'udp-failover-user', { transport: 'udp', address: '127.0.0.1', port: ports.udp });
  });

  test('UDP: every SRV target unreachable -> exit 3 unreachable, reported for the last target tried', async () => {
    const result = await register('sip:nobody@all-dead.sipscope.test');
    expectExit(result, 3, logs);
    const json = registerJson(result);
    expect(json.error?.code).toBe('unreachable');
    expect((json as { target?: unknown }).target).toEqual({ transport: 'udp', address: '::1', port: deadPort + 1 });
  });

  test('no NAPTR: SRV is queried directly; only _sip._tcp has records -> TCP to its AAAA target and port', async () => {
    await expectRegisteredVia(await register('sip:srv-user@srv.sipscope.test'), 'srv-user', { transport: 'tcp', address: '::1', port: ports.tcp });
  });

  test('no NAPTR and no SRV: the A record with the default port 5060 over UDP (§4.2)', async () => {
    await expectRegisteredVia(await register('sip:plain-user@plain.sipscope.test'), 'plain-user', { transport: 'udp', address: ports.defaultPortHost, port: 5060 });
  });

  test('a name that does not resolve -> exit 2 name-not-resolved, nothing sent', async () => {
    const result = await register('sip:nobody@nothere.sipscope.test');
    expectExit(result, 2, logs);
    const json = registerJson(result);
    expect(json.error?.code).toBe('name-not-resolved');
    expect(json.error?.message).toContain('nothere.sipscope.test');
    expect(json.transactions).toEqual([]);
  });

  test('--dns servers are tried in order: a comma list and a repeated option ([::1]:PORT) skip a server that is not there', async () => {
    const result = await register('sip:list-user@naptr.sipscope.test', ['--dns', `${absentDnsServer},127.0.0.1:${dnsPort}`]);
    await expectRegisteredVia(result, 'list-user', { transport: 'tcp', address: '127.0.0.1', port: ports.tcp });
    const repeated = await register('sip:list-user@naptr.sipscope.test', ['--dns', absentDnsServer, '--dns', `[::1]:${dnsPort}`]);
    expectExit(repeated, 0, logs);
    expect((registerJson(repeated) as { target?: unknown }).target).toEqual({ transport: 'tcp', address: '127.0.0.1', port: ports.tcp });
  });

  test('only a DNS server that is not there -> exit 2 name-not-resolved naming the DNS error', async () => {
    const result = await register('sip:nobody@naptr.sipscope.test', ['--dns', absentDnsServer]);
    expectExit(result, 2, logs);
    const json = registerJson(result);
    expect(json.error?.code).toBe('name-not-resolved');
    expect(json.error?.message).toMatch(/ECONNREFUSED|ETIMEOUT/);
  });

  test('--dns with a host name or a bad port -> exit 2 bad-argument before any lookup', async () => {
    for (const value of ['dns.sipscope.test', '127.0.0.1:70000', '']) {
      const result = await register('sip:nobody@naptr.sipscope.test', ['--dns', value]);
      expectExit(result, 2, logs);
      expect(registerJson(result).error?.code, `--dns "${value}"`).toBe('bad-argument');
    }
  });

  test('options uses the same resolution: OPTIONS to naptr.sipscope.test goes over TCP to port 25221', async () => {
    const result = await runSipscope(['options', 'sip:naptr.sipscope.test', '--dns', `127.0.0.1:${dnsPort}`, '--timeout', '5s', '--json'], runLimit);
    expectExit(result, 0, logs);
    const json = registerJson(result);
    expect(json.status).toBe(200);
    expect((json as { target?: unknown }).target).toEqual({ transport: 'tcp', address: '127.0.0.1', port: ports.tcp });
  });
});
