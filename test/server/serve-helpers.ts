/** An in-process `sipscope serve` on 127.0.0.1 (random ports) for the server and call tests, with its log kept. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/server.js';
import { parseMessage, type SipRequest } from '../../src/sip/index.js';

export const PASSWORDS = { alice: 'alice-secret-1', bob: 'bob-secret-2' };
export const REALM = 'serve-realm.test';
export const TOKEN = 'control-token-for-tests';

export interface TestServer {
  server: RunningServer;
  port: number;
  controlPort: number;
  usersFile: string;
  directory: string;
  log: string[];
  close(): Promise<void>;
}

export async function startTestServer(extra: Partial<ServeOptions> = {}): Promise<TestServer> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'sipscope-serve-test-'));
  const usersFile = path.join(directory, 'users.txt');
  writeFileSync(usersFile, `# test accounts\nalice ${PASSWORDS.alice}\nbob ${PASSWORDS.bob}\n`);
  const log: string[] = [];
  const server = await startServer({
    listen: [{ kind: 'udp+tcp', address: '127.0.0.1', port: 0 }],
    realm: REALM,
    usersFile,
    control: { address: '127.0.0.1', port: 0, token: TOKEN },
    ringMs: 20,
    log: (line) => log.push(line),
    ...extra,
  });
  return {
    server,
    port: server.listening.find((socket) => socket.transport === 'udp')!.port,
    controlPort: server.controlPort ?? 0,
    usersFile,
    directory,
    log,
    close: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export async function control(testServer: TestServer, method: string, resource: string, body?: unknown, token = TOKEN): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`http://127.0.0.1:${testServer.controlPort}${resource}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** The request of these lines (joined with CRLF; `datagram`: read as one UDP datagram), for the tests that hand one to a server part. */
export function requestOf(lines: string[], options: { datagram?: boolean } = {}): SipRequest {
  const message = parseMessage(Buffer.from(lines.join('\r\n')), options);
  if (message.kind !== 'request') throw new Error('not a request');
  return message;
}
