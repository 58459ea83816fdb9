/**
 * Peers of the `sipscope call` interop tests: a SIPp UAS from a scenario file, run in the foreground as a daemon
 * (stopped with TERM, then KILL of its group), and the Kamailio call proxy (kamailio/call-proxy.cfg) that
 * authenticates every INVITE and re-INVITE against an SQLite subscriber table and relays to that UAS; with `wsPort`
 * and `wssPort` it also takes SIP over WebSocket (WITH_WS) on those ports.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { expect } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { createTestCertificates, type TestCertificates } from './certs.js';
import { instanceRunDirectory, renderSideFile, startKamailio, type KamailioInstance } from './harness.js';
import { repoRoot, spawnDaemon, type Daemon } from './processes.js';
import { createSubscriberDb, type Subscriber } from './subscribers.js';

export const scenarioDirectory = path.join(repoRoot, 'test', 'interop', 'sipp');

export interface SippUas {
  daemon: Daemon;
  port: number;
  stop(): Promise<void>;
}

/** SIPp as UAS on 127.0.0.1:`port` over UDP (or `transport` t1 = TCP), answering calls until stopped. */
export async function startSippUas(scenario: string, port: number, workDirectory: string, extra: string[] = []): Promise<SippUas> {
  const daemon = spawnDaemon('sipp', ['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-nostdin', '-trace_err', '-error_file', path.join(workDirectory, `sipp-${port}-errors.log`), ...extra], {
    maxOutputChars: 200_000,
    stopGraceMs: 2000,
  });
  // SIPp binds at once; give it a moment and make sure it did not die on the scenario
  await new Promise((resolve) => setTimeout(resolve, 400));
  if (daemon.exited() || daemon.spawnError()) throw new Error(`sipp ${scenario} did not start: ${daemon.spawnError()?.message ?? daemon.output()}`);
  return { daemon, port, stop: daemon.stop };
}

export interface CallProxyEnvironment {
  workDirectory: string;
  databasePath: string;
  certificates: TestCertificates;
  proxy: KamailioInstance;
  uas: SippUas;
  logs(): string;
  close(): Promise<void>;
}

export async function startCallProxy(options: {
  name: string;
  realm: string;
  port: number;
  tlsPort: number;
  uasPort: number;
  /** SIP over WebSocket (RFC 7118): plain ws and wss (TLS with the test CA's server certificate) listeners. */
  wsPort?: number;
  wssPort?: number;
  subscribers: Subscriber[];
}): Promise<CallProxyEnvironment> {
  const workDirectory = mkdtempSync(path.join(os.tmpdir(), `sipscope-interop-${options.name}-`));
  const databasePath = path.join(workDirectory, 'subscribers.sqlite');
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
    rmSync(workDirectory, { recursive: true, force: true });
  };
  try {
    await createSubscriberDb(databasePath, options.subscribers);
    const certificates = await createTestCertificates(workDirectory, 'sipscope.test');
    const uas = await startSippUas(path.join(repoRoot, 'fixtures', 'recordings', 'scenarios', 'callee.xml'), options.uasPort, workDirectory);
    stops.push(uas.stop);
    renderSideFile('tls.cfg', path.join(instanceRunDirectory(workDirectory, options.name), 'tls.cfg'), {
      CERT: certificates.serverCertPath,
      KEY: certificates.serverKeyPath,
    });
    const proxy = await startKamailio({
      name: options.name,
      template: 'call-proxy.cfg',
      workDirectory,
      listen: [
        `udp:127.0.0.1:${options.port}`,
        `tcp:127.0.0.1:${options.port}`,
        `tls:127.0.0.1:${options.tlsPort}`,
        ...(options.wsPort === undefined ? [] : [`tcp:127.0.0.1:${options.wsPort}`]),
        ...(options.wssPort === undefined ? [] : [`tls:127.0.0.1:${options.wssPort}`]),
      ],
      defines: options.wsPort === undefined && options.wssPort === undefined ? ['WITH_TLS'] : ['WITH_TLS', 'WITH_WS'],
      tokens: {
        DOMAIN: 'sipscope.test',
        REALM: options.realm,
        DB_PATH: databasePath,
        UAS: `127.0.0.1:${options.uasPort}`,
        UAS_PORT: String(options.uasPort),
      },
      probe: { host: '127.0.0.1', port: options.port },
    });
    stops.push(proxy.stop);
    const logs = () => `${proxy.logTail(60)}\n--- sipp uas output (tail) ---\n${uas.daemon.output().slice(-3000)}`;
    return { workDirectory, databasePath, certificates, proxy, uas, logs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** What the revocation tests read of `sipscope call --json`. */
export interface RevokedCallJson {
  ok: boolean;
  status: number | null;
  endedBy: string;
  revocation: { refresh: number; method: string; afterMs: number; status: number; reason: string } | null;
  refreshes: { sent: number; ok: number };
  transactions: { step: string; request: string; status: number | null; cseq: number; refresh?: number }[];
}

/**
 * A call whose caller was revoked about 2 s into it, every 0.5 s a re-INVITE: the refreshes before were accepted,
 * the first after got 403 and is reported as the revocation, the BYE went through Kamailio to SIPp, which answered
 * it (the call is really torn down), within 3 s of the revocation.
 */
export function expectRevokedMidCall(json: RevokedCallJson, stdout: string, revokedAt: number): void {
  expect(json).toMatchObject({ ok: false, status: 200, endedBy: 'revoked' });
  expect(json.revocation).toMatchObject({ method: 'INVITE', status: 403, reason: 'Forbidden' });
  expect(json.revocation!.refresh).toBe(json.refreshes.ok + 1);
  expect(json.refreshes.ok, stdout).toBeGreaterThanOrEqual(1);
  expect(json.revocation!.afterMs).toBeGreaterThan(500);
  expect(json.revocation!.afterMs).toBeLessThan(4000);
  const refused = json.transactions.find((t) => t.step === 'refresh' && t.status === 403);
  expect(refused?.refresh).toBe(json.revocation!.refresh);
  expect(json.transactions.filter((t) => t.step === 'bye').map((t) => t.status)).toEqual([200]);
  expect(Date.now() - revokedAt).toBeLessThan(3000);
}
