/**
 * A real DNS server on loopback for the RFC 3263 tests: Debian's dnsmasq (package dnsmasq-base) in the foreground,
 * answering only from the records given on its command line (no resolv.conf, no hosts file, no upstream, no config
 * file); `--local=/DOMAIN/` makes it answer NXDOMAIN for every other name of the test domain. start() returns once
 * it answers a query for a record it serves; stop() ends it (TERM, then KILL of its process group).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dnsPromises from 'node:dns/promises';
import path from 'node:path';
import { killGroup, waitForExit } from '../processes.js';

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

const runningGroups = new Set<number>();
process.once('exit', () => {
  for (const pid of runningGroups) killGroup(pid, 'SIGKILL');
});

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
  const child = spawn(dnsmasqProgram, dnsmasqArgs(options), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));
  if (child.pid !== undefined) runningGroups.add(child.pid);
  child.once('exit', () => {
    if (child.pid !== undefined) runningGroups.delete(child.pid);
  });
  const server = `${options.addresses[0]}:${options.port}`;
  const log = () => `--- dnsmasq ${server} output ---\n${output.split('\n').slice(-60).join('\n')}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 3000))) {
      killGroup(child.pid, 'SIGKILL');
      await waitForExit(child, 2000);
    }
  };

  const resolver = new dnsPromises.Resolver({ timeout: 300, tries: 1 });
  resolver.setServers([server]);
  const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`cannot start ${dnsmasqProgram}: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`dnsmasq exited during start-up (code ${child.exitCode}, signal ${child.signalCode})\n${log()}`);
    }
    const answered = await resolver.resolve4(options.readyName).then((addresses) => addresses.length > 0, () => false);
    if (answered) return { server, log, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`dnsmasq did not answer A ${options.readyName} on ${server} within the start timeout\n${log()}`);
}
