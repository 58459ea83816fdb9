/**
 * A throw-away CA and a server certificate for 127.0.0.1 / ::1 / localhost (or the subjectAltName given), made with
 * the openssl command.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  caPath: string;
  ca: Buffer;
  key: Buffer;
  cert: Buffer;
}

export function makeTestCertificates(subjectAltName = 'IP:127.0.0.1,IP:::1,DNS:localhost'): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'sipscope-tls-'));
  const path = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sipscope test CA',
    '-keyout', path('ca.key'), '-out', path('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', path('server.key'), '-out', path('server.csr'));
  writeFileSync(path('san.ext'), `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\n`);
  openssl('x509', '-req', '-in', path('server.csr'), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', path('san.ext'), '-out', path('server.pem'));
  return {
    dir,
    caPath: path('ca.pem'),
    ca: readFileSync(path('ca.pem')),
    key: readFileSync(path('server.key')),
    cert: readFileSync(path('server.pem')),
  };
}
