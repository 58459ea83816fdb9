/**
 * A throw-away certificate authority and a server certificate for Kamailio's TLS and WSS listeners, made with
 * openssl at test time in the test's temp dir (no key material in the repo). The server certificate names
 * 127.0.0.1, ::1, localhost and the test domain, so clients verify it against the CA (`--ca`), not `--insecure`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runChecked } from './processes.js';

export interface TestCertificates {
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
}

export async function createTestCertificates(directory: string, domain: string): Promise<TestCertificates> {
  const file = (name: string) => path.join(directory, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const options = { timeoutMs: 20_000 };
  await runChecked('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=sipscope interop test CA'], options);
  await runChecked('openssl', ['req', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=${domain}`], options);
  writeFileSync(
    file('server.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:${domain}`,
      '',
    ].join('\n'),
  );
  await runChecked(
    'openssl',
    ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-out', file('server.pem'), '-extfile', file('server.ext')],
    options,
  );
  return { caCertPath: file('ca.pem'), serverCertPath: file('server.pem'), serverKeyPath: file('server.key') };
}
