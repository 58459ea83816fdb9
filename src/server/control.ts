/**
 * The control API of `sipscope serve` (HTTP/1.1 on a loopback address only; every request needs
 * `Authorization: Bearer TOKEN`, compared in constant time):
 *   GET  /users                      -> [{ user, source, revoked }]            (never a password)
 *   POST /users  {"user","password"} -> 201 { user }                          (add or replace)
 *   POST /users/NAME/revoke          -> 200 { user, revoked: true, activeCalls }
 *   POST /users/NAME/restore         -> 200 { user, revoked: false }
 *   GET  /registrations              -> [{ aor, contact, expiresIn, user }]
 *   GET  /calls                      -> { CREDENTIAL: [{ callId, state, ageMs, refreshes }] }
 *   GET  /stats                      -> request, registration, challenge, 403 and call counters
 * Bodies are JSON, at most 8 KiB. Errors: { error: { code, message } } with 400, 401, 404, 405 or 413; anything a
 * client sends is answered with one of these, never 500 (which would be our bug, and is logged).
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { isIP } from 'node:net';
import type { ServerCore, ServerLog } from './core.js';
import { ServerError } from './errors.js';
import type { Registrar } from './registrar.js';
import type { UserStore } from './users.js';

const MAX_BODY = 8 * 1024;

export interface ControlContext {
  users: UserStore;
  registrar: Registrar;
  core: ServerCore;
  token: string;
  log: ServerLog;
}

export function isLoopback(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1';
}

export async function startControl(address: string, port: number, context: ControlContext): Promise<{ port: number; close(): Promise<void> }> {
  if (!isLoopback(address)) throw new ServerError('control-not-loopback', `--control ${address}:${port}: the control API listens on loopback only (127.0.0.0/8 or ::1)`);
  if (context.token.length < 8) throw new ServerError('bad-control-request', 'the control token must be at least 8 characters');
  const server = http.createServer((request, response) => {
    handle(request, context).then(({ status, body }) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    }, (error: unknown) => {
      context.log(`control: internal error answering ${request.method ?? '?'} ${request.url ?? '/'}: ${error instanceof Error ? error.message : String(error)}`);
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end('{"error":{"code":"internal","message":"internal error"}}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new ServerError('listen-failed', `control ${address}:${port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
    server.listen(port, address, () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

interface Reply {
  status: number;
  body: unknown;
}

const failure = (status: number, code: string, message: string): Reply => ({ status, body: { error: { code, message } } });

function authorized(request: http.IncomingMessage, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readBody(request: http.IncomingMessage): Promise<string | undefined> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(request: http.IncomingMessage, context: ControlContext): Promise<Reply> {
  if (!authorized(request, context.token)) return failure(401, 'unauthorized', 'give the control token as Authorization: Bearer TOKEN');
  const path = new URL(request.url ?? '/', 'http://control').pathname;
  const method = request.method ?? 'GET';
  const userAction = /^\/users\/([^/]+)\/(revoke|restore)$/.exec(path);
  if (userAction && method === 'POST') {
    const user = decodedSegment(userAction[1]);
    if (user === undefined) return failure(400, 'bad-user', `the user name "${userAction[1]}" is not valid percent-encoding (RFC 3986 §2.1)`);
    if (userAction[2] === 'revoke') {
      if (!context.users.revoke(user)) return failure(404, 'unknown-user', `no user "${user}"`);
      const activeCalls = context.core.dialogs.list().filter((dialog) => dialog.user === user).length;
      context.log(`control: revoked "${user}" (${activeCalls} active calls)`);
      return { status: 200, body: { user, revoked: true, activeCalls } };
    }
    if (!context.users.restore(user)) return failure(404, 'unknown-user', `no user "${user}"`);
    context.log(`control: restored "${user}"`);
    return { status: 200, body: { user, revoked: false } };
  }
  if (path === '/users' && method === 'POST') return addUser(request, context);
  if (method !== 'GET') return failure(405, 'method-not-allowed', `${method} ${path} is not supported`);
  switch (path) {
    case '/users': return { status: 200, body: context.users.list() };
    case '/registrations': return { status: 200, body: context.registrar.list() };
    case '/calls': return { status: 200, body: callsByCredential(context.core) };
    case '/stats': return { status: 200, body: { ...context.core.counts, activeCalls: context.core.dialogs.size } };
    default: return failure(404, 'not-found', `no resource ${path}`);
  }
}

/** A path segment with its percent-encoding undone (RFC 3986 §2.1), or undefined when it is not valid UTF-8 escapes. */
function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

async function addUser(request: http.IncomingMessage, context: ControlContext): Promise<Reply> {
  const text = await readBody(request);
  if (text === undefined) return failure(413, 'too-large', `body larger than ${MAX_BODY} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return failure(400, 'bad-json', 'the body is not JSON');
  }
  // JSON that is not an object (null, a list, a string) holds no user either
  const fields = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as { user?: unknown; password?: unknown } : {};
  if (typeof fields.user !== 'string' || typeof fields.password !== 'string') return failure(400, 'bad-user', 'give {"user": "...", "password": "..."}');
  try {
    context.users.add(fields.user, fields.password);
  } catch (error) {
    return failure(400, 'bad-user', (error as Error).message);
  }
  context.log(`control: added "${fields.user}"`);
  return { status: 201, body: { user: fields.user } };
}

function callsByCredential(core: ServerCore): Record<string, { callId: string; state: string; ageMs: number; refreshes: number }[]> {
  const now = Date.now();
  const grouped: Record<string, { callId: string; state: string; ageMs: number; refreshes: number }[]> = {};
  for (const dialog of core.dialogs.list()) {
    (grouped[dialog.user] ??= []).push({ callId: dialog.callId, state: dialog.state, ageMs: now - dialog.createdAt, refreshes: dialog.refreshes });
  }
  return grouped;
}
