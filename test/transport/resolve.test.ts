/**
 * RFC 3263 §4 target selection. IP literals and localhost need no DNS and are checked for real; the NAPTR -> SRV ->
 * A/AAAA order is checked with a table of DNS records given to the resolver through its DnsApi parameter
 * (there is no DNS server on this machine), and a name that cannot exist (.invalid, RFC 6761 §6.4) for real.
 */
import { describe, expect, test } from 'vitest';
import { resolveTargets, TransportError, type DnsApi, type NaptrRecord, type SrvRecord } from '../../src/transport/index.js';

interface Zone {
  naptr?: Record<string, NaptrRecord[]>;
  srv?: Record<string, SrvRecord[]>;
  a?: Record<string, { address: string; family: number }[]>;
}

function zone(records: Zone): DnsApi & { queries: string[] } {
  const queries: string[] = [];
  const missing = (name: string) => Object.assign(new Error(`queryX ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return {
    queries,
    resolveNaptr: async (name) => { queries.push(`NAPTR ${name}`); if (records.naptr?.[name]) return records.naptr[name]; throw missing(name); },
    resolveSrv: async (name) => { queries.push(`SRV ${name}`); if (records.srv?.[name]) return records.srv[name]; throw missing(name); },
    lookup: async (name) => { queries.push(`A ${name}`); if (records.a?.[name]) return records.a[name]; throw missing(name); },
  };
}

const naptr = (order: number, preference: number, service: string, replacement: string): NaptrRecord =>
  ({ flags: 's', service, regexp: '', replacement, order, preference });

describe('IP literals (no DNS)', () => {
  const noDns = zone({});
  test.each([
    [{ host: '127.0.0.1' }, { transport: 'udp', address: '127.0.0.1', port: 5060, family: 4 }],
    [{ host: '[::1]' }, { transport: 'udp', address: '::1', port: 5060, family: 6 }],
    [{ host: '::1', port: 5070, transport: 'tcp' as const }, { transport: 'tcp', address: '::1', port: 5070, family: 6 }],
    [{ host: '127.0.0.1', secure: true }, { transport: 'tls', address: '127.0.0.1', port: 5061, family: 4 }],
    [{ host: '127.0.0.1', transport: 'tls' as const }, { transport: 'tls', address: '127.0.0.1', port: 5061, family: 4 }],
    [{ host: '127.0.0.1', transport: 'wss' as const }, { transport: 'wss', address: '127.0.0.1', port: 443, family: 4 }],
  ])('%j -> %j', async (input, expected) => {
    expect(await resolveTargets(input, noDns)).toEqual([expected]);
    expect(noDns.queries).toEqual([]);
  });
});

describe('names (RFC 3263 §4.1, §4.2)', () => {
  test('NAPTR picks by order then preference, then SRV by priority, then A/AAAA of each SRV target', async () => {
    const dns = zone({
      naptr: { 'example.test': [naptr(20, 10, 'SIP+D2U', '_sip._udp.example.test'), naptr(10, 20, 'SIP+D2T', '_sip._tcp.example.test'), naptr(10, 10, 'SIP+D2X', 'x')] },
      srv: { '_sip._tcp.example.test': [{ name: 'b.example.test', port: 5080, priority: 20, weight: 0 }, { name: 'a.example.test', port: 5070, priority: 10, weight: 0 }] },
      a: { 'a.example.test': [{ address: '192.0.2.1', family: 4 }, { address: '2001:db8::1', family: 6 }], 'b.example.test': [{ address: '192.0.2.2', family: 4 }] },
    });
    const targets = await resolveTargets({ host: 'example.test' }, dns);
    expect(targets).toEqual([
      { transport: 'tcp', address: '192.0.2.1', port: 5070, family: 4, hostname: 'example.test' },
      { transport: 'tcp', address: '2001:db8::1', port: 5070, family: 6, hostname: 'example.test' },
      { transport: 'tcp', address: '192.0.2.2', port: 5080, family: 4, hostname: 'example.test' },
    ]);
    expect(dns.queries[0]).toBe('NAPTR example.test');
  });

  test('a sips: URI takes only SIPS+D2T from NAPTR', async () => {
    const dns = zone({
      naptr: { 'example.test': [naptr(10, 10, 'SIP+D2U', '_sip._udp.example.test'), naptr(20, 10, 'SIPS+D2T', '_sips._tcp.example.test')] },
      srv: { '_sips._tcp.example.test': [{ name: 'tls.example.test', port: 5061, priority: 0, weight: 0 }] },
      a: { 'tls.example.test': [{ address: '192.0.2.5', family: 4 }] },
    });
    expect(await resolveTargets({ host: 'example.test', secure: true }, dns)).toEqual([
      { transport: 'tls', address: '192.0.2.5', port: 5061, family: 4, hostname: 'example.test' },
    ]);
  });

  test('no NAPTR: SRV for each transport in turn (udp, tcp, tls); the first that exists wins', async () => {
    const dns = zone({
      srv: { '_sip._tcp.example.test': [{ name: 'sip.example.test', port: 5090, priority: 0, weight: 0 }] },
      a: { 'sip.example.test': [{ address: '192.0.2.9', family: 4 }] },
    });
    expect(await resolveTargets({ host: 'example.test' }, dns)).toEqual([
      { transport: 'tcp', address: '192.0.2.9', port: 5090, family: 4, hostname: 'example.test' },
    ]);
    expect(dns.queries).toEqual(['NAPTR example.test', 'SRV _sip._udp.example.test', 'SRV _sip._tcp.example.test', 'A sip.example.test']);
  });

  test('an explicit transport skips NAPTR and asks only its SRV', async () => {
    const dns = zone({ a: { 'example.test': [{ address: '192.0.2.3', family: 4 }] } });
    expect(await resolveTargets({ host: 'example.test', transport: 'tls' }, dns)).toEqual([
      { transport: 'tls', address: '192.0.2.3', port: 5061, family: 4, hostname: 'example.test' },
    ]);
    expect(dns.queries).toEqual(['SRV _sips._tcp.example.test', 'A example.test']);
  });

  test('a port in the URI means A/AAAA only (§4.2)', async () => {
    const dns = zone({ a: { 'example.test': [{ address: '192.0.2.4', family: 4 }] } });
    expect(await resolveTargets({ host: 'example.test', port: 5999 }, dns)).toEqual([
      { transport: 'udp', address: '192.0.2.4', port: 5999, family: 4, hostname: 'example.test' },
    ]);
    expect(dns.queries).toEqual(['A example.test']);
  });

  test('nothing found: TransportError "name-not-resolved", a local error', async () => {
    const error = await resolveTargets({ host: 'example.test' }, zone({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'name-not-resolved', remote: false });
  });

  test('for real: localhost resolves without DNS queries; a .invalid name does not resolve', async () => {
    const targets = await resolveTargets({ host: 'localhost', port: 5060 });
    expect(targets.map((target) => target.address)).toEqual(expect.arrayContaining([expect.stringMatching(/^(127\.0\.0\.1|::1)$/)]));
    const error = await resolveTargets({ host: 'no-such-host.invalid', port: 5060 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'name-not-resolved' });
  });
});

describe('the deadline (the check\'s overall limit)', () => {
  test('queries still unanswered at the deadline fail the resolution as name-not-resolved, naming the first; the resolver is cancelled', async () => {
    let cancelled = 0;
    const never = () => new Promise<never>(() => undefined);
    const silent: DnsApi = { resolveNaptr: never, resolveSrv: never, lookup: never, cancel: () => { cancelled++; }, servers: ['192.0.2.53:53'] };
    const started = Date.now();
    const error = await resolveTargets({ host: 'silent.example.test' }, silent, started + 200).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'name-not-resolved', remote: false });
    expect((error as Error).message).toMatch(/^no DNS answer from 192\.0\.2\.53:53 to the NAPTR query for silent\.example\.test within the time limit \(\d+ ms\)$/);
    expect(cancelled).toBe(1);
  });
});
