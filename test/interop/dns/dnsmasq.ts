/**
 * A real DNS server on loopback for the RFC 3263 tests: Debian's dnsmasq (package dnsmasq-base) in the foreground,
 * answering only from the records given on its command line (no resolv.conf, no hosts file, no upstream, no config
 * file); `--local=/DOMAIN/` makes it answer NXDOMAIN for every other name of the test domain. start() returns once
 * it answers a query for a record it serves; stop() ends it (TERM, then KILL of its process group).
 */
import { spawnSync } from 'node:child_process';
import dnsPromises from 'node:dns/promises';
import path from 'node:path';
import { spawnDaemon } from '../processes.js';

export const dnsmasqProgram = '/usr/sbin/dnsmasq';

/** The reason the DNS tests cannot run here, or undefined when dnsmasq is installed. */
export function dnsmasqMissing(): string | undefined {
  const probe = spawnSync(dnsmasqProgram, ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (probe.error || probe.status !== 0) {
    return `dnsmasq is not installed (${probe.error?.message ?? `exit ${probe.status}`}): apt-get install -y dnsmasq-base`;
  }
  return undefined;
}

/** RFC 3403 NAPTR record (flags "S": the replacement is an SRV name, RFC 3263 §4.1). */
export interface NaptrSpec { name: string; order: number; preference: number; service: string; replacement: string }
/** RFC 2782 SRV record. */
export interface SrvSpec { name: string; target: string; port: number; priority: number; weight?: number }
/** A and/or AAAA records of one name. */
export interface HostSpec { name: string; ipv4?: string; ipv6?: string }

export interface Zone {
  /** Names under this domain that have no record get NXDOMAIN. */
  domain: string;
  naptr: NaptrSpec[];
  srv: SrvSpec[];
  hosts: HostSpec[];
}

export interface DnsmasqOptions {
  /** Listen addresses; the first is the one `server` names and the readiness query goes to. */
  addresses: string[];
  port: number;
  zone: Zone;
  workDirectory: string;
  /** A host name of the zone with an IPv4 address, queried until dnsmasq answers. */
  readyName: string;
  startTimeoutMs?: number;
}

export interface DnsmasqInstance {
  /** `ADDRESS:PORT` for sipscope's --dns. */
  server: string;
  log(): string;
  stop(): Promise<void>;
}

export function dnsmasqArgs(options: DnsmasqOptions): string[] {
  const { zone } = options;
  return [
    '--no-daemon', '--no-resolv', '--no-hosts', '--conf-file=/dev/null', '--bind-interfaces', '--log-queries',
    `--port=${options.port}`, `--listen-address=${options.addresses.join(',')}`,
    `--pid-file=${path.join(options.workDirectory, 'dnsmasq.pid')}`,
    `--local=/${zone.domain}/`,
    ...zone.naptr.map((r) => `--naptr-record=${r.name},${r.order},${r.preference},S,${r.service},,${r.replacement}`),
    ...zone.srv.map((r) => `--srv-host=${r.name},${r.target},${r.port},${r.priority},${r.weight ?? 0}`),
    ...zone.hosts.map((host) => `--host-record=${[host.name, host.ipv4, host.ipv6].filter((value) => value !== undefined).join(',')}`),
  ];
}

export async function startDnsmasq(options: DnsmasqOptions): Promise<DnsmasqInstance> {
  const daemon = spawnDaemon(dnsmasqProgram, dnsmasqArgs(options), { maxOutputChars: 200_000, stopGraceMs: 3000 });
  const child = daemon.child;
  const server = `${options.addresses[0]}:${options.port}`;
  const log = () => `--- dnsmasq ${server} output ---\n${daemon.output().split('\n').slice(-60).join('\n')}`;
  const stop = daemon.stop;

  const resolver = new dnsPromises.Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([server]);
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    const spawnError = daemon.spawnError();
    if (spawnError) throw new Error(`cannot start ${dnsmasqProgram}: ${spawnError.message}`);
    if (daemon.exited()) {
      throw new Error(`dnsmasq exited during start-up (code ${child.exitCode}, signal ${child.signalCode})\n${log()}`);
    }
    const answered = await resolver.resolve4(options.readyName).then((addresses) => addresses.length > 0, () => false);
    if (answered) return { server, log, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`dnsmasq did not answer A ${options.readyName} on ${server} within the start timeout\n${log()}`);
}
