/**
 * One registrar set-up for a test file or benchmark: a temp dir holding the SQLite subscriber database, the
 * test CA and server certificate (when TLS/WSS listeners are wanted) and a running Kamailio registrar; and
 * optionally an outbound proxy instance in front of it. `close()` stops everything and removes the temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestCertificates, type TestCertificates } from './certs.js';
import { renderSideFile, instanceRunDirectory, startKamailio, type KamailioInstance } from './harness.js';
import { createSubscriberDb, type Subscriber } from './subscribers.js';

export const testDomain = 'sipscope.test';

export interface RegistrarPorts {
  /** UDP and TCP, on every host of `hosts`. */
  sip: number;
  /** TLS on every host of `hosts`. */
  tls?: number;
  /** WebSocket (RFC 7118) on 127.0.0.1. */
  ws?: number;
  /** Secure WebSocket on 127.0.0.1. */
  wss?: number;
}

export interface RegistrarOptions {
  name: string;
  ports: RegistrarPorts;
  /** Listen addresses for UDP/TCP/TLS; default 127.0.0.1 and ::1. */
  hosts?: string[];
  realm: string;
  /** auth module `algorithm`: '' (MD5, not advertised), 'MD5' or 'SHA-256'. */
  algorithm?: '' | 'MD5' | 'SHA-256';
  subscribers: Subscriber[];
  /** Source port of a trusted outbound proxy on 127.0.0.1 whose REGISTERs are not challenged again. */
  trustedProxyPort?: number;
  /** Keep each password read from the database this many seconds (a registrar slow to see a revocation). */
  credentialCacheSeconds?: number;
  netns?: string;
}

export interface ProxyOptions {
  port: number;
  realm: string;
  algorithm?: '' | 'MD5' | 'SHA-256';
}

export interface RegistrarEnvironment {
  workDirectory: string;
  databasePath: string;
  certificates?: TestCertificates;
  registrar: KamailioInstance;
  proxy?: KamailioInstance;
  /** Kamailio logs of every instance, for assertion messages. */
  logs(lines?: number): string;
  close(): Promise<void>;
}

function hostLiteral(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function registrarListen(options: RegistrarOptions): string[] {
  const hosts = options.hosts ?? ['127.0.0.1', '::1'];
  const { sip, tls, ws, wss } = options.ports;
  const sockets = hosts.flatMap((host) => [`udp:${hostLiteral(host)}:${sip}`, `tcp:${hostLiteral(host)}:${sip}`]);
  if (tls !== undefined) sockets.push(...hosts.map((host) => `tls:${hostLiteral(host)}:${tls}`));
  if (ws !== undefined) sockets.push(`tcp:127.0.0.1:${ws}`);
  if (wss !== undefined) sockets.push(`tls:127.0.0.1:${wss}`);
  return sockets;
}

export async function startRegistrarEnvironment(options: RegistrarOptions, proxyOptions?: ProxyOptions): Promise<RegistrarEnvironment> {
  const workDirectory = mkdtempSync(path.join(os.tmpdir(), `sipscope-interop-${options.name}-`));
  const databasePath = path.join(workDirectory, 'subscribers.sqlite');
  const instances: KamailioInstance[] = [];
  const close = async () => {
    for (const instance of instances.reverse()) await instance.stop();
    rmSync(workDirectory, { recursive: true, force: true });
  };
  try {
    await createSubscriberDb(databasePath, options.subscribers);
    const wantsTls = options.ports.tls !== undefined || options.ports.wss !== undefined;
    const certificates = wantsTls ? await createTestCertificates(workDirectory, testDomain) : undefined;
    const defines: string[] = [];
    if (certificates) {
      defines.push('WITH_TLS');
      renderSideFile('tls.cfg', path.join(instanceRunDirectory(workDirectory, options.name), 'tls.cfg'), {
        CERT: certificates.serverCertPath,
        KEY: certificates.serverKeyPath,
      });
    }
    if (options.ports.ws !== undefined || options.ports.wss !== undefined) defines.push('WITH_WS');
    if (options.credentialCacheSeconds !== undefined) defines.push('WITH_CREDENTIAL_CACHE');
    const probeHost = (options.hosts ?? ['127.0.0.1'])[0];
    const registrar = await startKamailio({
      name: options.name,
      template: 'registrar.cfg',
      workDirectory,
      listen: registrarListen(options),
      defines,
      tokens: {
        DOMAIN: testDomain,
        REALM: options.realm,
        ALGORITHM: options.algorithm ?? '',
        DB_PATH: databasePath,
        TRUSTED_PROXY_PORT: String(options.trustedProxyPort ?? 0),
        CACHE_SECONDS: String(options.credentialCacheSeconds ?? 0),
      },
      probe: { host: probeHost, port: options.ports.sip },
      netns: options.netns,
    });
    instances.push(registrar);
    let proxy: KamailioInstance | undefined;
    if (proxyOptions) {
      proxy = await startKamailio({
        name: `${options.name}-proxy`,
        template: 'proxy.cfg',
        workDirectory,
        listen: [`udp:127.0.0.1:${proxyOptions.port}`, `tcp:127.0.0.1:${proxyOptions.port}`],
        tokens: {
          PORT: String(proxyOptions.port),
          REALM: proxyOptions.realm,
          ALGORITHM: proxyOptions.algorithm ?? '',
          DB_PATH: databasePath,
          REGISTRAR_PORT: String(options.ports.sip),
        },
        probe: { host: '127.0.0.1', port: proxyOptions.port },
        netns: options.netns,
      });
      instances.push(proxy);
    }
    const logs = (lines = 40) => instances.map((instance) => instance.logTail(lines)).join('\n');
    return { workDirectory, databasePath, certificates, registrar, proxy, logs, close };
  } catch (error) {
    await close();
    throw error;
  }
}
