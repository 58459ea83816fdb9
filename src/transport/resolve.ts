/**
 * Locating SIP servers (RFC 3263 §4): for a host name without a port, NAPTR -> SRV -> A/AAAA; with a port or
 * an explicit transport, the shorter paths of §4.1/§4.2. IP literals (IPv4, IPv6 with or without brackets)
 * need no DNS. Default ports 5060 (udp/tcp) and 5061 (tls), RFC 3261 §19.1.2; ws/wss 80/443 (RFC 6455 §3).
 */
import dnsPromises from 'node:dns/promises';
import net from 'node:net';
import { hostPort } from '../sip/uri.js';
import { TransportError } from './errors.js';
import type { TransportName, TransportTarget } from './types.js';

export interface ResolveInput {
  host: string;
  port?: number;
  /** Transport forced by the user or the URI's transport parameter. */
  transport?: TransportName;
  /** sips: URI (RFC 3261 §26.2.2: TLS required). */
  secure?: boolean;
}

export interface NaptrRecord { flags: string; service: string; regexp: string; replacement: string; order: number; preference: number }
export interface SrvRecord { name: string; port: number; priority: number; weight: number }

/** The DNS operations resolution needs; the default uses node:dns/promises, tests may pass a real resolver on loopback. */
export interface DnsApi {
  resolveNaptr(name: string): Promise<NaptrRecord[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
  lookup(name: string): Promise<{ address: string; family: number }[]>;
  /** Abandons the queries still waiting for an answer (Resolver#cancel), so that none holds the process open. */
  cancel?(): void;
  /** The DNS servers asked (--dns), for messages; undefined for the system's. */
  servers?: readonly string[];
}

/**
 * DNS through node:dns. Without `servers`, NAPTR/SRV go to the system's resolvers and names are looked up as
 * getaddrinfo does (hosts file included); with `servers` (e.g. `127.0.0.1:25353`, `[::1]:53`, from --dns), every
 * query, A and AAAA included, goes to those servers only (Resolver#setServers).
 */
export function systemDns(servers?: string[]): DnsApi {
  const resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 2 });
  if (servers?.length) resolver.setServers(servers);
  return {
    servers: servers?.length ? [...servers] : undefined,
    cancel: () => resolver.cancel(),
    resolveNaptr: (name) => resolver.resolveNaptr(name),
    resolveSrv: (name) => resolver.resolveSrv(name),
    lookup: async (name) => {
      if (!servers?.length) return dnsPromises.lookup(name, { all: true });
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
      const found = [
        ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
        ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
      ];
      // Neither answered: report why (ENOTFOUND, ECONNREFUSED from a server that is not there, ETIMEOUT, ...)
      if (found.length === 0 && v4.status === 'rejected') throw v4.reason;
      return found;
    },
  };
}

/**
 * A DNS server as Resolver#setServers takes it, from `IPv4[:PORT]`, `IPv6` or `[IPv6][:PORT]`; undefined when the
 * text is none of these (names are refused: the server's own address cannot depend on DNS).
 */
export function dnsServerAddress(text: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const [address, port] = bracketed ? [bracketed[1], bracketed[2]]
    : net.isIPv6(text) ? [text, undefined]
      : (/^([^:]+)(?::(\d{1,5}))?$/.exec(text)?.slice(1, 3) ?? []);
  if (address === undefined || net.isIP(address) === 0) return undefined;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
  if (port === undefined) return address;
  return hostPort(address, port);
}

export function defaultPort(transport: TransportName): number {
  switch (transport) {
    case 'tls': return 5061;
    case 'ws': return 80;
    case 'wss': return 443;
    default: return 5060;
  }
}

/** RFC 3263 §4.1 NAPTR services and the SRV prefixes of each transport. */
const NAPTR_SERVICE: Record<string, TransportName> = { 'SIP+D2U': 'udp', 'SIP+D2T': 'tcp', 'SIPS+D2T': 'tls' };
const SRV_PREFIX: Partial<Record<TransportName, string>> = { udp: '_sip._udp.', tcp: '_sip._tcp.', tls: '_sips._tcp.' };

/**
 * `dns` with every query bounded by `deadline` (Date.now() time): a query still unanswered then fails with
 * 'name-not-resolved' saying so, the resolver's outstanding queries are cancelled, and later queries fail at once.
 * A resolver's own timeouts and retries (2 s, twice, per query and server) would otherwise take a silent DNS server
 * ~30 s through NAPTR, three SRV and the A/AAAA lookups, whatever the check's time limit.
 */
function boundedDns(dns: DnsApi, deadline: number): DnsApi {
  const startedAt = Date.now();
  const from = dns.servers ? ` from ${dns.servers.join(', ')}` : '';
  // the first query left unanswered is the one named, also by the queries that could not be sent after it
  let expiredError: TransportError | undefined;
  const expired = (query: string, name: string) =>
    (expiredError ??= new TransportError('name-not-resolved', `no DNS answer${from} to the ${query} query for ${name} within the time limit (${deadline - startedAt} ms)`));
  const bounded = <T>(query: string, name: string, run: () => Promise<T>): Promise<T> => {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(expired(query, name));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        dns.cancel?.();
        reject(expired(query, name));
      }, left);
      run().then(
        (value) => { clearTimeout(timer); resolve(value); },
        (error: unknown) => { clearTimeout(timer); reject(error); },
      );
    });
  };
  return {
    servers: dns.servers,
    resolveNaptr: (name) => bounded('NAPTR', name, () => dns.resolveNaptr(name)),
    resolveSrv: (name) => bounded('SRV', name, () => dns.resolveSrv(name)),
    lookup: (name) => bounded('A/AAAA', name, () => dns.lookup(name)),
  };
}

/**
 * Ordered list of targets to try, best first. Throws TransportError 'name-not-resolved' when there is none, or when
 * DNS has not answered by `deadline` (Date.now() time, the check's overall limit).
 */
export async function resolveTargets(input: ResolveInput, dns: DnsApi = systemDns(), deadline?: number): Promise<TransportTarget[]> {
  if (deadline !== undefined) dns = boundedDns(dns, deadline);
  const host = input.host.startsWith('[') && input.host.endsWith(']') ? input.host.slice(1, -1) : input.host;
  const fallbackTransport: TransportName = input.transport ?? (input.secure ? 'tls' : 'udp');
  if (net.isIP(host) !== 0) {
    // §4.1/§4.2: numeric IP address: no DNS at all
    const port = input.port ?? defaultPort(fallbackTransport);
    return [{ transport: fallbackTransport, address: host, port, family: net.isIP(host) === 6 ? 6 : 4 }];
  }
  const noDnsRecords = input.port !== undefined || input.transport === 'ws' || input.transport === 'wss' || isLocalhostName(host);
  if (!noDnsRecords) {
    const viaSrv = await resolveByNaptrAndSrv(host, input, dns);
    if (viaSrv.length > 0) return viaSrv;
  }
  // §4.2: port given, or no NAPTR/SRV: A/AAAA of the host itself with the default port of the transport
  const addresses = await lookupAddresses(host, dns);
  const port = input.port ?? defaultPort(fallbackTransport);
  return addresses.map((address) => ({ ...address, port, transport: fallbackTransport, hostname: host }));
}

/** RFC 6761 §6.3: localhost names are loopback, never sent to DNS servers. */
function isLocalhostName(host: string): boolean {
  const lower = host.toLowerCase().replace(/\.$/, '');
  return lower === 'localhost' || lower.endsWith('.localhost');
}

async function resolveByNaptrAndSrv(host: string, input: ResolveInput, dns: DnsApi): Promise<TransportTarget[]> {
  const srvNames: { name: string; transport: TransportName }[] = [];
  if (input.transport === undefined) {
    // §4.1: NAPTR first, keeping services we support (only SIPS+D2T for a sips URI), in order/preference
    const naptr = (await dns.resolveNaptr(host).catch(() => [] as NaptrRecord[]))
      .filter((record) => record.flags.toLowerCase() === 's' && record.replacement && NAPTR_SERVICE[record.service.toUpperCase()])
      .filter((record) => !input.secure || NAPTR_SERVICE[record.service.toUpperCase()] === 'tls')
      .sort((a, b) => a.order - b.order || a.preference - b.preference);
    for (const record of naptr) srvNames.push({ name: record.replacement, transport: NAPTR_SERVICE[record.service.toUpperCase()] });
  }
  if (srvNames.length === 0) {
    // §4.1: no NAPTR: SRV for each transport we may use (only TLS for sips)
    const wanted: TransportName[] = input.transport ? [input.transport] : input.secure ? ['tls'] : ['udp', 'tcp', 'tls'];
    for (const transport of wanted) {
      const prefix = SRV_PREFIX[transport];
      if (prefix) srvNames.push({ name: prefix + host, transport });
    }
  }
  const targets: TransportTarget[] = [];
  for (const { name, transport } of srvNames) {
    const records = await dns.resolveSrv(name).catch(() => [] as SrvRecord[]);
    // RFC 2782: lowest priority first; among equals, higher weight first (deterministic order, no random draw)
    records.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
    for (const record of records) {
      const addresses = await lookupAddresses(record.name, dns).catch(() => []);
      for (const address of addresses) targets.push({ ...address, port: record.port, transport, hostname: host });
    }
    if (targets.length > 0) break;
  }
  return targets;
}

async function lookupAddresses(host: string, dns: DnsApi): Promise<{ address: string; family: 4 | 6 }[]> {
  let found: { address: string; family: number }[] = [];
  try {
    found = await dns.lookup(host);
  } catch (error) {
    if (error instanceof TransportError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TransportError('name-not-resolved', `cannot resolve host name ${host} (${code})`, { cause: error });
  }
  if (found.length === 0) throw new TransportError('name-not-resolved', `host name ${host} has no A or AAAA record`);
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
}
