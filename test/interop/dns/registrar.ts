/**
 * The Kamailio registrar the DNS tests register with (the shared harness and registrar.cfg template): UDP and TCP
 * on different ports, so the port alone tells which SRV record and transport were used, on 127.0.0.1 and ::1,
 * plus UDP on 127.0.0.2:5060 for the RFC 3263 §4.2 default port (a name with only an A record).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKamailio, type KamailioInstance } from '../harness.js';
import { createSubscriberDb, type Subscriber } from '../subscribers.js';

export interface DnsRegistrarPorts {
  udp: number;
  tcp: number;
  /** Address of the extra UDP listener on the default port 5060. */
  defaultPortHost: string;
}

export interface DnsRegistrar {
  workDirectory: string;
  registrar: KamailioInstance;
  close(): Promise<void>;
}

export function dnsRegistrarListen(ports: DnsRegistrarPorts): string[] {
  return [
    `udp:127.0.0.1:${ports.udp}`, `udp:[::1]:${ports.udp}`,
    `tcp:127.0.0.1:${ports.tcp}`, `tcp:[::1]:${ports.tcp}`,
    `udp:${ports.defaultPortHost}:5060`,
  ];
}

export async function startDnsRegistrar(options: { ports: DnsRegistrarPorts; domain: string; realm: string; subscribers: Subscriber[] }): Promise<DnsRegistrar> {
  const workDirectory = mkdtempSync(path.join(os.tmpdir(), 'sipscope-interop-dns-'));
  const databasePath = path.join(workDirectory, 'subscribers.sqlite');
  try {
    await createSubscriberDb(databasePath, options.subscribers);
    const registrar = await startKamailio({
      name: 'dns-registrar',
      template: 'registrar.cfg',
      workDirectory,
      listen: dnsRegistrarListen(options.ports),
      tokens: { DOMAIN: options.domain, REALM: options.realm, ALGORITHM: '', DB_PATH: databasePath, TRUSTED_PROXY_PORT: '0', CACHE_SECONDS: '0' },
      probe: { host: '127.0.0.1', port: options.ports.udp },
    });
    const close = async () => {
      await registrar.stop();
      rmSync(workDirectory, { recursive: true, force: true });
    };
    return { workDirectory, registrar, close };
  } catch (error) {
    rmSync(workDirectory, { recursive: true, force: true });
    throw error;
  }
}
