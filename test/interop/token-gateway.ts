/**
 * The browser-calling token gateway of the token interop tests: Kamailio (kamailio/token-gateway.cfg) with ws and
 * wss listeners whose handshake is checked by kamailio/token_gateway.py (app_python3 + PyJWT) against an active
 * and a next key read from a JSON file, and a UDP/TCP registrar taking auth_ephemeral credentials of two secrets.
 * The test CA and server certificate are made by certs.ts in the instance's temp dir. `setKeys` rewrites the key
 * file: the gateway reads it on each handshake, so a test walks through a rotation without restarting Kamailio.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestCertificates } from './certs.js';
import { testDomain } from './environment.js';
import { instanceRunDirectory, renderSideFile, startKamailio, type KamailioInstance } from './harness.js';

export interface TokenGatewayOptions {
  name: string;
  ports: { sip: number; ws: number; wss: number };
  realm: string;
  keys: GatewayKeys;
  /** auth_ephemeral secrets: both valid at once. */
  ephemeralSecrets: { old: string; new: string };
}

export interface GatewayKeys {
  active: string;
  next: string | null;
}

export interface TokenGateway {
  caCertPath: string;
  kamailio: KamailioInstance;
  setKeys(keys: GatewayKeys): void;
  logs(lines?: number): string;
  close(): Promise<void>;
}

export async function startTokenGateway(options: TokenGatewayOptions): Promise<TokenGateway> {
  const workDirectory = mkdtempSync(path.join(os.tmpdir(), `sipscope-interop-${options.name}-`));
  const runDirectory = instanceRunDirectory(workDirectory, options.name);
  const keysFile = path.join(workDirectory, 'gateway-keys.json');
  const setKeys = (keys: GatewayKeys) => writeFileSync(keysFile, JSON.stringify(keys), { mode: 0o600 });
  let kamailio: KamailioInstance | undefined;
  const close = async () => {
    await kamailio?.stop();
    rmSync(workDirectory, { recursive: true, force: true });
  };
  try {
    setKeys(options.keys);
    const certificates = await createTestCertificates(workDirectory, testDomain);
    renderSideFile('tls.cfg', path.join(runDirectory, 'tls.cfg'), { CERT: certificates.serverCertPath, KEY: certificates.serverKeyPath });
    const gatewayScript = path.join(runDirectory, 'token_gateway.py');
    renderSideFile('token_gateway.py', gatewayScript, { KEYS_FILE: keysFile });
    const { sip, ws, wss } = options.ports;
    kamailio = await startKamailio({
      name: options.name,
      template: 'token-gateway.cfg',
      workDirectory,
      listen: [`udp:127.0.0.1:${sip}`, `tcp:127.0.0.1:${sip}`, `tcp:127.0.0.1:${ws}`, `tls:127.0.0.1:${wss}`],
      tokens: {
        DOMAIN: testDomain,
        REALM: options.realm,
        GATEWAY_SCRIPT: gatewayScript,
        EPHEMERAL_SECRET_OLD: options.ephemeralSecrets.old,
        EPHEMERAL_SECRET_NEW: options.ephemeralSecrets.new,
      },
      probe: { host: '127.0.0.1', port: sip },
    });
    const instance = kamailio;
    return { caCertPath: certificates.caCertPath, kamailio: instance, setKeys, logs: (lines = 40) => instance.logTail(lines), close };
  } catch (error) {
    await close();
    throw error;
  }
}
