/**
 * A TLS or WSS server whose certificate does not name what was connected to (RFC 5922 §7.2, RFC 6125 §6): the
 * tls-failure says what the certificate holds. Node's own text ended in a bare ": " when the certificate had no IP
 * address ("... IP: 127.0.0.1 is not in the cert's list: "). Real servers on 127.0.0.1, certificates made by openssl.
 */
import { rmSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { connectTransport, TransportError } from '../../src/transport/index.js';
import { runCli } from '../cli/cli-io.js';
import { makeTestCertificates, type TestCertificates } from './certs.js';

const TLS_PORT = 27610;
const WSS_PORT = 27611;
let certs: TestCertificates;
let tlsServer: tls.Server;
let httpsServer: https.Server;
let wss: WebSocketServer;

beforeAll(async () => {
  // names only, no IP address: as a certificate for a SIP domain is
  certs = makeTestCertificates('DNS:localhost,DNS:sip.example.test');
  tlsServer = tls.createServer({ key: certs.key, cert: certs.cert }, (socket) => socket.on('error', () => undefined).resume());
  await new Promise<void>((resolve) => tlsServer.listen(TLS_PORT, '127.0.0.1', () => resolve()));
  httpsServer = https.createServer({ key: certs.key, cert: certs.cert });
  wss = new WebSocketServer({ server: httpsServer });
  await new Promise<void>((resolve) => httpsServer.listen(WSS_PORT, '127.0.0.1', () => resolve()));
});

afterAll(async () => {
  await new Promise((resolve) => wss?.close(resolve));
  await new Promise((resolve) => httpsServer?.close(resolve));
  await new Promise((resolve) => tlsServer?.close(resolve));
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

async function failure(transport: 'tls' | 'wss', port: number, hostname?: string): Promise<TransportError> {
  const error = await connectTransport({ transport, address: '127.0.0.1', port, family: 4, hostname }, { ca: certs.ca, connectTimeoutMs: 3000 }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe('a certificate that does not name the target', () => {
  test.each([['tls', TLS_PORT], ['wss', WSS_PORT]] as const)('%s to an IP address, certificate without IP addresses: its DNS names, and "no IP addresses"', async (transport, port) => {
    const error = await failure(transport, port);
    expect(error.code).toBe('tls-failure');
    expect(error.message).toBe(`TLS with 127.0.0.1:${port} failed: the certificate does not match 127.0.0.1: it holds no IP addresses and DNS names localhost, sip.example.test (ERR_TLS_CERT_ALTNAME_INVALID)`);
  });

  test('tls to a name the certificate does not hold: its DNS names', async () => {
    const error = await failure('tls', TLS_PORT, 'other.example.test');
    expect(error.message).toBe(`TLS with 127.0.0.1:${TLS_PORT} failed: the certificate does not match other.example.test: it holds DNS names localhost, sip.example.test and no IP addresses (ERR_TLS_CERT_ALTNAME_INVALID)`);
  });

  test('options --nagios: the line ends with what the certificate holds, never a dangling ": "', async () => {
    const run = await runCli(['options', `sips:127.0.0.1:${TLS_PORT}`, '--ca', certs.caPath, '--nagios', '--timeout', '3s']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^SIP CRITICAL - OPTIONS sips:127\.0\.0\.1:27610: tls-failure: TLS with 127\.0\.0\.1:27610 failed: the certificate does not match 127\.0\.0\.1: it holds no IP addresses and DNS names localhost, sip\.example\.test \(ERR_TLS_CERT_ALTNAME_INVALID\) \| /);
  });
});
