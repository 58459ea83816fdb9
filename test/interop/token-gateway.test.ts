/**
 * Browser-calling tokens against a real gateway: Kamailio on loopback (ports 26000 UDP/TCP, 26001 WS, 26002 WSS)
 * checks the token at the WebSocket handshake with PyJWT (kamailio/token_gateway.py) using an active and a next
 * key, and takes auth_ephemeral credentials of two secrets on UDP/TCP. For each case of a key rotation, `sipscope
 * register` must report the handshake status the gateway gave, `sipscope token verify` with the gateway's keys must
 * give the same verdict, and sip.js (the browser-side peer) must get registered exactly when sipscope does.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeEphemeral } from '../../src/token/index.js';
import { claimsAt, handMadeToken, HS256, WORKSPACE } from '../token/token-fixtures.js';
import { expectExit } from './checks.js';
import { describeRun, parseJsonOutput, runCommand, sipscopeBin, type CommandResult } from './processes.js';
import { sipJsRegister } from './sipjs-peer.js';
import { startTokenGateway, type TokenGateway } from './token-gateway.js';

const ports = { sip: 26000, ws: 26001, wss: 26002 };
const realm = 'tokens.sipscope.test';
const keyA = `A-${randomBytes(24).toString('hex')}`;
const keyB = `B-${randomBytes(24).toString('hex')}`;
const keyC = `C-${randomBytes(24).toString('hex')}`;
const secretOld = randomBytes(16).toString('hex');
const secretNew = randomBytes(16).toString('hex');
const limit = { timeoutMs: 20_000 };

let gateway: TokenGateway;
let scratch: string;
let ca: Buffer;
const logs = () => gateway?.logs(60) ?? "";

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'sipscope-token-interop-'));
  gateway = await startTokenGateway({
    name: 'token-gateway', ports, realm, keys: { active: keyA, next: keyB }, ephemeralSecrets: { old: secretOld, new: secretNew },
  });
  ca = readFileSync(gateway.caCertPath);
});

afterAll(async () => {
  await gateway?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function sipscope(args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand(process.execPath, [sipscopeBin, ...args], { ...limit, env });
}

const nowS = () => Math.floor(Date.now() / 1000);
const tokenBy = (key: string, extra: Record<string, unknown> = {}) => handMadeToken(HS256, claimsAt(nowS(), extra), key);

interface HandshakeVerdict {
  code: number | null;
  status: number | null;
  checks: string[];
  json: Record<string, unknown>;
  run: CommandResult;
}

/** `sipscope register` over ws or wss with the token in $GW_TOKEN; what it reported about the handshake. */
async function registerWithToken(token: string | undefined, transport: 'ws' | 'wss' = 'wss', extra: string[] = []): Promise<HandshakeVerdict> {
  const port = transport === 'wss' ? ports.wss : ports.ws;
  const tokenArgs = token === undefined ? [] : ['--token-env', 'GW_TOKEN'];
  const run = await sipscope(
    ['register', `sip:alice@127.0.0.1:${port}`, '--transport', transport, '--ca', gateway.caCertPath, ...tokenArgs, '--timeout', '5s', '--json', ...extra],
    token === undefined ? {} : { GW_TOKEN: token },
  );
  const json = parseJsonOutput(run);
  const handshake = json.handshake as { status: number | null } | undefined;
  const checks = (json.checks as { name: string; outcome: string }[]).map((check) => `${check.name}:${check.outcome}`);
  return { code: run.code, status: handshake?.status ?? null, checks, json, run };
}

/** `sipscope token verify` with the keys the gateway holds: exit 0 valid, 1 invalid. */
async function verifyWith(token: string, active: string, next: string | null): Promise<{ code: number | null; key: string; run: CommandResult }> {
  const env: Record<string, string> = { GW_TOKEN: token, KEY_ACTIVE: active, ...(next ? { KEY_NEXT: next } : {}) };
  const run = await sipscope(['token', 'verify', '--token-env', 'GW_TOKEN', '--key-env', 'KEY_ACTIVE', ...(next ? ['--next-key-env', 'KEY_NEXT'] : []), '--skew', '0', '--json'], env);
  return { code: run.code, key: String(parseJsonOutput(run).key), run };
}

function sipJs(token: string | undefined) {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return sipJsRegister(`wss://127.0.0.1:${ports.wss}/${query}`, 'sip:alice@127.0.0.1', ca);
}

/** The three peers agree: the gateway's status as sipscope reports it, sipscope's verdict, sip.js's experience. */
async function expectGatewayVerdict(token: string | undefined, expected: { status: 101 | 401 | 403; keys: [string, string | null]; key?: string }): Promise<void> {
  const verdict = await registerWithToken(token);
  const context = `${describeRun(verdict.run)}\n${logs()}`;
  expect(verdict.status, context).toBe(expected.status);
  if (expected.status === 101) {
    expectExit(verdict.run, 0, logs);
    // a register check then removes its own binding again (issue 14): the gateway carries that REGISTER too
    expect(verdict.checks).toEqual(['websocket-handshake:passed', 'reachable:passed', 'authenticated:skipped', 'registered:passed', 'binding-removed:passed']);
  } else {
    expectExit(verdict.run, 1, logs);
    expect((verdict.json.error as { code: string }).code).toBe('websocket-rejected');
    expect(verdict.checks[0]).toBe('websocket-handshake:failed');
  }
  if (token !== undefined) {
    const verified = await verifyWith(token, ...expected.keys);
    expect(verified.code, describeRun(verified.run)).toBe(expected.status === 101 ? 0 : 1);
    if (expected.key) expect(verified.key).toBe(expected.key);
  }
  const browser = await sipJs(token);
  expect(browser.registered, `sip.js: ${browser.detail}\n${context}`).toBe(expected.status === 101);
  expect(browser.connected).toBe(expected.status === 101);
}

describe.sequential('token gateway: a key rotation seen by sipscope, the gateway (PyJWT) and sip.js', () => {
  const liveA = tokenBy(keyA);
  const liveB = tokenBy(keyB);

  test('overlap window (active A, next B): a token of the active key -> 101, registered', async () => {
    gateway.setKeys({ active: keyA, next: keyB });
    await expectGatewayVerdict(liveA, { status: 101, keys: [keyA, keyB], key: 'active' });
  });

  test('overlap window: a token signed by the next key -> 101', async () => {
    await expectGatewayVerdict(liveB, { status: 101, keys: [keyA, keyB], key: 'next' });
  });

  test('an expired token -> 403', async () => {
    await expectGatewayVerdict(handMadeToken(HS256, claimsAt(nowS() - 400), keyA), { status: 403, keys: [keyA, keyB], key: 'active' });
  });

  test('a token of a key the gateway does not hold -> 403', async () => {
    await expectGatewayVerdict(tokenBy(keyC), { status: 403, keys: [keyA, keyB], key: 'none' });
  });

  test('alg none -> 403', async () => {
    await expectGatewayVerdict(handMadeToken({ alg: 'none', typ: 'JWT' }, claimsAt(nowS()), ''), { status: 403, keys: [keyA, keyB], key: 'none' });
  });

  // RFC 7519 §4.1.3; PyJWT decode() without an audience raises InvalidAudienceError for a token with aud
  test('a token that names an audience (aud) -> 403; token verify without --aud says invalid too', async () => {
    await expectGatewayVerdict(tokenBy(keyA, { aud: 'sip-gateway' }), { status: 403, keys: [keyA, keyB], key: 'active' });
  });

  test('no token -> 401', async () => {
    await expectGatewayVerdict(undefined, { status: 401, keys: [keyA, keyB] });
  });

  test('rotation-check before promotion: the A token is cut off, the B token survives; not safe now', async () => {
    const run = await sipscope(['token', 'rotation-check', '--key-env', 'A', '--next-key-env', 'B', '-', '--json'], { A: keyA, B: keyB });
    expect(run.code, describeRun(run)).toBe(1);
    const json = parseJsonOutput(run) as { safeToPromoteNow: boolean; tokens: { key: string; survivesPromotion: boolean }[]; earliestSafePromotion: string };
    expect(json.safeToPromoteNow).toBe(false);
    expect(json.tokens).toEqual([]);
    // nothing known of the live tokens: the policy answer, max TTL (5 min) + skew (30 s) from now
    expect(Date.parse(json.earliestSafePromotion) - Date.now()).toBeGreaterThan(320_000);
    const withTokens = await runCommand(process.execPath, [sipscopeBin, 'token', 'rotation-check', '--key-env', 'A', '--next-key-env', 'B', '-', '--json'],
      { ...limit, env: { A: keyA, B: keyB }, input: `${liveA}\n${liveB}\n` });
    const report = parseJsonOutput(withTokens) as typeof json;
    expect(report.tokens.map((verdict) => [verdict.key, verdict.survivesPromotion])).toEqual([['active', false], ['next', true]]);
    expect(Date.parse(report.earliestSafePromotion)).toBeGreaterThan(Date.now() + 250_000);
  });

  test('after promotion (active B, no next): the old A token -> 403, the B token -> 101, as rotation-check said', async () => {
    gateway.setKeys({ active: keyB, next: null });
    await expectGatewayVerdict(liveA, { status: 403, keys: [keyB, null], key: 'none' });
    await expectGatewayVerdict(liveB, { status: 101, keys: [keyB, null], key: 'active' });
  });

  test('a new active key without overlap (active C): every live token -> 403; a fresh C token -> 101', async () => {
    gateway.setKeys({ active: keyC, next: null });
    await expectGatewayVerdict(liveA, { status: 403, keys: [keyC, null] });
    await expectGatewayVerdict(liveB, { status: 403, keys: [keyC, null] });
    await expectGatewayVerdict(tokenBy(keyC), { status: 101, keys: [keyC, null], key: 'active' });
  });
});

describe.sequential('token gateway: the ways of presenting a token, and the report forms', () => {
  beforeAll(() => gateway.setKeys({ active: keyA, next: keyB }));

  test('plain ws, OPTIONS, token as an Authorization: Bearer header', async () => {
    const run = await sipscope(['options', `sip:127.0.0.1:${ports.ws}`, '--transport', 'ws', '--token-env', 'T', '--token-in', 'header:Authorization', '--timeout', '5s', '--json'], { T: tokenBy(keyA) });
    expectExit(run, 0, logs);
    expect(parseJsonOutput(run)).toMatchObject({ ok: true, status: 200, handshake: { status: 101, token: { placement: 'header', name: 'Authorization' } } });
    const inQuery = await sipscope(['options', `sip:127.0.0.1:${ports.ws}`, '--transport', 'ws', '--token-env', 'T', '--token-in', 'header:X-Token', '--timeout', '5s', '--json'], { T: tokenBy(keyA) });
    expectExit(inQuery, 1, logs);
    expect(parseJsonOutput(inQuery)).toMatchObject({ handshake: { status: 401 } });
  });

  test('minted on the fly from --mint-key-env; the token file way; nothing secret in the output', async () => {
    const minted = await sipscope(['register', `sip:alice@127.0.0.1:${ports.wss}`, '--transport', 'wss', '--ca', gateway.caCertPath,
      '--mint-key-env', 'MINT_KEY', '--mint-sub', WORKSPACE, '--mint-iss', 'acme', '--timeout', '5s', '-v'], { MINT_KEY: keyB });
    expectExit(minted, 0, logs);
    expect(minted.stdout).toMatch(/WebSocket handshake -> HTTP 101 Switching Protocols {2}\(token \(query "token"\) expires in [45]m/);
    expect(minted.stdout + minted.stderr).not.toContain(keyB);
    const tokenFile = path.join(scratch, 'token');
    writeFileSync(tokenFile, `${tokenBy(keyC)}\n`, { mode: 0o600 });
    const fromFile = await sipscope(['register', `sip:alice@127.0.0.1:${ports.wss}`, '--transport', 'wss', '--ca', gateway.caCertPath, '--token-file', tokenFile, '--timeout', '5s', '-v']);
    expectExit(fromFile, 1, logs);
    expect(fromFile.stdout).toMatch(/WebSocket handshake -> HTTP 403 Forbidden/);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(fromFile.stdout + fromFile.stderr).not.toContain(token.split('.')[2]);
  });

  test('JUnit has the websocket-handshake case; --nagios warns when the token has little left', async () => {
    const junit = path.join(scratch, 'handshake.xml');
    const rejected = await sipscope(['register', `sip:alice@127.0.0.1:${ports.wss}`, '--transport', 'wss', '--ca', gateway.caCertPath, '--token-env', 'T', '--timeout', '5s', '--junit', junit], { T: tokenBy(keyC) });
    expectExit(rejected, 1, logs);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase name="websocket-handshake"[^>]*>\s*<failure message="HTTP 403 Forbidden; token \(query &quot;token&quot;\) expires in/);
    const shortLived = handMadeToken(HS256, claimsAt(nowS() - 270), keyA); // 30 s left
    const warning = await sipscope(['register', `sip:alice@127.0.0.1:${ports.wss}`, '--transport', 'wss', '--ca', gateway.caCertPath, '--token-env', 'T', '--timeout', '5s', '--nagios', '--warn-token-ttl', '60s'], { T: shortLived });
    expectExit(warning, 1, logs);
    expect(warning.stdout).toMatch(/^SIP WARNING - 200 OK for REGISTER .*WebSocket handshake HTTP 101, token expires in (2\d|30)s \| .*token_remaining=(2\d|30)s;60:/);
    const fine = await sipscope(['register', `sip:alice@127.0.0.1:${ports.wss}`, '--transport', 'wss', '--ca', gateway.caCertPath, '--token-env', 'T', '--timeout', '5s', '--nagios'], { T: tokenBy(keyA) });
    expectExit(fine, 0, logs);
    const refused = await sipscope(['register', `sip:alice@127.0.0.1:${ports.wss}`, '--transport', 'wss', '--ca', gateway.caCertPath, '--token-env', 'T', '--timeout', '5s', '--nagios'], { T: tokenBy(keyC) });
    expectExit(refused, 2, logs);
    expect(refused.stdout).toMatch(/^SIP CRITICAL - .*websocket-rejected/);
  });
});

describe.sequential('token gateway: auth_ephemeral credentials (two secrets)', () => {
  async function ephemeral(secret: string): Promise<{ username: string; passwordFile: string }> {
    const passwordFile = path.join(scratch, `eph-${randomBytes(4).toString('hex')}`);
    const run = await sipscope(['token', 'ephemeral', '--secret-env', 'S', '--user', 'alice', '--ttl', '10m', '--password-out', passwordFile, '--json'], { S: secret });
    expect(run.code, describeRun(run)).toBe(0);
    const json = parseJsonOutput(run) as { username: string };
    expect(run.stdout).not.toContain(readFileSync(passwordFile, 'utf8').trim());
    return { username: json.username, passwordFile };
  }

  const register = (username: string, passwordFile: string, transport: 'udp' | 'tcp') =>
    sipscope(['register', `sip:alice@127.0.0.1:${ports.sip}`, '--transport', transport, '--auth-user', username, '--password-file', passwordFile, '--timeout', '5s', '--json']);

  test.each([['old', 'udp'], ['new', 'udp'], ['old', 'tcp'], ['new', 'tcp']] as const)('credentials of the %s secret over %s -> 200; token verify agrees', async (which, transport) => {
    const secret = which === 'old' ? secretOld : secretNew;
    const { username, passwordFile } = await ephemeral(secret);
    expect(username).toMatch(/^\d{10}:alice$/);
    const run = await register(username, passwordFile, transport);
    expectExit(run, 0, logs);
    expect(parseJsonOutput(run)).toMatchObject({ ok: true, status: 200, realm });
    const verified = await sipscope(['token', 'verify', username, '--password-file', passwordFile, '--key-env', 'OLD', '--next-key-env', 'NEW', '--json'], { OLD: secretOld, NEW: secretNew });
    expect(verified.code, describeRun(verified)).toBe(0);
    expect(parseJsonOutput(verified)).toMatchObject({ valid: true, kind: 'auth_ephemeral', key: which === 'old' ? 'active' : 'next' });
  });

  test('expired credentials -> 403 from the gateway, exit 1; token verify says expired', async () => {
    const expired = makeEphemeral('alice', { label: 'old', bytes: new Uint8Array(Buffer.from(secretOld)) }, { ttlS: 60, nowS: nowS() - 600, format: 1, hash: 'sha1' });
    const passwordFile = path.join(scratch, 'expired-password');
    writeFileSync(passwordFile, expired.password, { mode: 0o600 });
    const run = await register(expired.username, passwordFile, 'udp');
    expectExit(run, 1, logs);
    expect(parseJsonOutput(run)).toMatchObject({ ok: false, status: 403 });
    const verified = await sipscope(['token', 'verify', expired.username, '--password-file', passwordFile, '--key-env', 'OLD', '--json'], { OLD: secretOld });
    expect(verified.code).toBe(1);
    expect(parseJsonOutput(verified)).toMatchObject({ valid: false, error: { code: 'credential-expired' } });
  });

  test('credentials that expired 5 s ago -> 403 (autheph allows no clock skew); token verify says expired', async () => {
    const lapsed = makeEphemeral('alice', { label: 'old', bytes: new Uint8Array(Buffer.from(secretOld)) }, { ttlS: 60, nowS: nowS() - 65, format: 1, hash: 'sha1' });
    const passwordFile = path.join(scratch, 'lapsed-password');
    writeFileSync(passwordFile, lapsed.password, { mode: 0o600 });
    const run = await register(lapsed.username, passwordFile, 'udp');
    expectExit(run, 1, logs);
    expect(parseJsonOutput(run)).toMatchObject({ ok: false, status: 403 });
    const verified = await sipscope(['token', 'verify', lapsed.username, '--password-file', passwordFile, '--key-env', 'OLD', '--json'], { OLD: secretOld });
    expect(verified.code, describeRun(verified)).toBe(1);
    expect(parseJsonOutput(verified)).toMatchObject({ valid: false, error: { code: 'credential-expired' } });
  });

  test('credentials of a secret the gateway does not hold -> 401 again, exit 1', async () => {
    const { username, passwordFile } = await ephemeral(randomBytes(16).toString('hex'));
    const run = await register(username, passwordFile, 'udp');
    expectExit(run, 1, logs);
    expect(parseJsonOutput(run)).toMatchObject({ ok: false, status: 401 });
  });
});
