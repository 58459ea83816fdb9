/**
 * The handshake token in the transport (query or header, never in messages) and the websocket-handshake check in
 * JSON, text, monitoring line and exit codes; against a WebSocket server on 127.0.0.1:26050 that checks the token
 * as a gateway would (401 without, 403 wrong, 101 right).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { runOptions } from '../../src/client/options.js';
import type { CheckResult } from '../../src/client/result.js';
import { checkExitCode as exitCodeOf } from '../../src/cli/exit.js';
import { renderCheckMonitoring } from '../../src/cli/check-report.js';
import { checkJson } from '../../src/report/check-json.js';
import { renderCheckText } from '../../src/report/check-text.js';
import { parseMessage, type SipRequest } from '../../src/sip/index.js';
import { handshakeHeaders, handshakeUrl } from '../../src/transport/websocket.js';
import { buildResponse } from '../client/sip-peer.js';

const PORT = 26050;
const GOOD = 'good.token.value';
let server: WebSocketServer;
const plain = { green: String, red: String, yellow: String, dim: String, bold: String };

beforeAll(async () => {
  server = new WebSocketServer({
    port: PORT,
    host: '127.0.0.1',
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    verifyClient: (info, done) => {
      const token = new URL(info.req.url ?? '/', 'http://x').searchParams.get('token') ?? info.req.headers['x-token'];
      if (token === undefined || token === null) done(false, 401, 'Unauthorized');
      else if (token !== GOOD) done(false, 403, 'Forbidden');
      else done(true);
    },
  });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => socket.on('message', (data) => socket.send(buildResponse(parseMessage(data.toString()) as SipRequest, { status: 200, reason: 'OK' }))));
});

afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

const check = (token?: { value: string; placement: 'query' | 'header'; name: string; expiresAt?: number }) =>
  runOptions({ uri: `sip:127.0.0.1:${PORT}`, transport: 'ws', timeoutMs: 3000, handshakeToken: token });

describe('handshake token in the transport', () => {
  test('query placement is percent-encoded and redacted where shown; Authorization gets Bearer', () => {
    const placed = handshakeUrl('ws://h:1/ws', { value: 'a+b/c', placement: 'query', name: 'token' });
    expect(placed).toEqual({ url: 'ws://h:1/ws?token=a%2Bb%2Fc', shown: 'ws://h:1/ws?token=[token redacted]' });
    expect(handshakeUrl('ws://h:1/?x=1', { value: 'v', placement: 'query', name: 't' }).url).toBe('ws://h:1/?x=1&t=v');
    expect(handshakeHeaders({ value: 'v', placement: 'header', name: 'Authorization' })).toEqual({ Authorization: 'Bearer v' });
    expect(handshakeHeaders({ value: 'v', placement: 'header', name: 'X-Token' })).toEqual({ 'X-Token': 'v' });
  });

  test('101 with the right token: the check passes and reports the time left', async () => {
    const result = await check({ value: GOOD, placement: 'query', name: 'token', expiresAt: Date.now() / 1000 + 100 });
    expect(result).toMatchObject({ ok: true, handshake: { status: 101, token: { placement: 'query', name: 'token' } } });
    expect(result.handshake?.token?.remainingS).toBeGreaterThanOrEqual(99);
    const json = checkJson(result);
    expect(json.checks[0]).toMatchObject({ name: 'websocket-handshake', outcome: 'passed' });
    expect(json.checks[0].message).toMatch(/^HTTP 101 Switching Protocols; token \(query "token"\) expires in (1m 39s|1m 40s) at /);
    expect(renderCheckText(result, plain)).toContain('WebSocket handshake -> HTTP 101 Switching Protocols');
    expect(exitCodeOf(result, false, { warnRetrans: 0, warnTokenS: 60 })).toBe(0);
    expect(exitCodeOf(result, true, { warnRetrans: 0, warnTokenS: 60 })).toBe(0);
    expect(exitCodeOf(result, true, { warnRetrans: 0, warnTokenS: 120 })).toBe(1);
    expect(renderCheckMonitoring(result, { warnRetrans: 0, warnTokenS: 120 }, 'sip:x')).toMatch(/^SIP WARNING - .* \| .*token_remaining=(99|100)s;120:$/);
  });

  test('403 for a wrong token, 401 for none: websocket-rejected, exit 1 (CRITICAL with --nagios), no token text anywhere', async () => {
    const wrong = await check({ value: 'wrong.token.secret-part', placement: 'query', name: 'token' });
    expect(wrong).toMatchObject({ ok: false, handshake: { status: 403, reason: 'Forbidden' }, error: { code: 'websocket-rejected', remote: true } });
    expect(JSON.stringify(checkJson(wrong))).not.toContain('secret-part');
    expect(wrong.error?.message).toContain('token=[token redacted]');
    expect(exitCodeOf(wrong, false, { warnRetrans: 0 })).toBe(1);
    expect(exitCodeOf(wrong, true, { warnRetrans: 0 })).toBe(2);
    const header = await check({ value: GOOD, placement: 'header', name: 'X-Token' });
    expect(header.ok).toBe(true);
    const none: CheckResult = await runOptions({ uri: `sip:127.0.0.1:${PORT}`, transport: 'ws', timeoutMs: 3000 });
    expect(none).toMatchObject({ handshake: { status: 401 }, error: { code: 'websocket-rejected' } });
    expect(checkJson(none).checks.map((item) => `${item.name}:${item.outcome}`)).toEqual(['websocket-handshake:failed', 'reachable:failed', 'authenticated:skipped', 'options-answered:failed']);
  });

  test('no HTTP answer at all (nothing listening): the handshake check fails with the transport error', async () => {
    const result = await runOptions({ uri: 'sip:127.0.0.1:26051', transport: 'ws', timeoutMs: 3000, handshakeToken: { value: GOOD, placement: 'query', name: 'token' } });
    expect(result.error?.code).toBe('connection-refused');
    expect(checkJson(result).checks[0]).toMatchObject({ name: 'websocket-handshake', outcome: 'failed' });
    expect(exitCodeOf(result, false, { warnRetrans: 0 })).toBe(3);
  });
});

describe('sipscope call over ws reports the handshake as register and options do', () => {
  test('a refused upgrade (401, no token; 403, wrong token): handshake in JSON and JUnit, exit 1; the token never shown', async () => {
    const { runCall } = await import('../../src/client/call.js');
    const { callJson, renderCallJUnit } = await import('../../src/report/call-report.js');
    const { callExitCode } = await import('../../src/cli/exit.js');
    const call = (token?: { value: string; placement: 'query'; name: string }) =>
      runCall({ uri: `sip:bob@127.0.0.1:${PORT}`, user: 'alice', transport: 'ws', timeoutMs: 3000, durationMs: 100, handshakeToken: token });
    const without = await call();
    expect(callJson(without)).toMatchObject({ ok: false, handshake: { status: 401 }, error: { code: 'websocket-rejected' } });
    expect(callExitCode(without)).toBe(1);
    const wrong = await call({ value: 'wrong.token.value', placement: 'query', name: 'token' });
    expect(callJson(wrong)).toMatchObject({ handshake: { status: 403 } });
    const junit = renderCallJUnit(wrong, 'sip:bob@127.0.0.1');
    expect(junit).toMatch(/<testcase name="websocket-handshake"[^>]*>\s*<failure message="HTTP 403 Forbidden; token \(query &quot;token&quot;\) has no exp claim"/);
    expect(JSON.stringify(callJson(wrong)) + junit).not.toContain('wrong.token.value');
  });

  test('--warn-token-ttl: a held call whose token has less left is a WARNING, as register (call listed it and ignored it)', async () => {
    const { runCall } = await import('../../src/client/call.js');
    const { callMonitoringState, renderCallMonitoring } = await import('../../src/report/call-report.js');
    const held = await runCall({
      uri: `sip:bob@127.0.0.1:${PORT}`, user: 'alice', transport: 'ws', timeoutMs: 3000, durationMs: 100,
      handshakeToken: { value: GOOD, placement: 'query', name: 'token', expiresAt: Date.now() / 1000 + 100 },
    });
    expect(held).toMatchObject({ ok: true, handshake: { status: 101 } });
    expect(callMonitoringState(held, { warnRetrans: 0, warnTokenS: 60 })).toBe('OK');
    expect(callMonitoringState(held, { warnRetrans: 0, warnTokenS: 120 })).toBe('WARNING');
    expect(renderCallMonitoring(held, { warnRetrans: 0, warnTokenS: 120 }, 'sip:bob@x')).toMatch(/^SIP WARNING - .*, token expires in (99|100)s \| .*token_remaining=(99|100)s;120:$/);
  });
});
