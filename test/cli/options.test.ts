/**
 * `sipscope options` end to end in-process: answered, challenged, failing and unreachable targets; and as a user
 * runs it (bin/sipscope.js) against a DNS server that never answers.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSWORD, REALM, registrar } from '../client/digest-registrar.js';
import { startTcpPeer, startUdpPeer, type SipPeer } from '../client/sip-peer.js';
import { runCli } from './cli-io.js';

const OPEN = 45400;
const AUTH = 45401;
const NOT_FOUND_TCP = 45402;
const SILENT_DNS = 45403;
const peers: SipPeer[] = [];

beforeAll(async () => {
  peers.push(
    await startUdpPeer(OPEN, () => ({ status: 200, reason: 'OK', headers: [['Allow', 'INVITE, ACK, OPTIONS, BYE']] })),
    await startUdpPeer(AUTH, registrar()),
    await startTcpPeer(NOT_FOUND_TCP, () => ({ status: 404, reason: 'Not Found' })),
  );
});

afterAll(async () => {
  await Promise.all(peers.map((peer) => peer.close()));
});

describe('sipscope options', () => {
  test('200 -> exit 0; JSON has the OPTIONS transaction and the options-answered check', async () => {
    const run = await runCli(['options', `sip:127.0.0.1:${OPEN}`, '--json']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ ok: true, status: 200, realm: null, bindings: [] });
    expect(json.transactions).toMatchObject([{ request: 'OPTIONS', status: 200 }]);
    expect(json.checks.map((check: { name: string; outcome: string }) => `${check.name}:${check.outcome}`))
      .toEqual(['reachable:passed', 'authenticated:skipped', 'options-answered:passed']);
  });

  test('challenged: answered with the password, realm reported; without a password the 401 is final (exit 1)', async () => {
    const withPassword = await runCli(['options', `sip:alice@127.0.0.1:${AUTH}`, '--password-env', 'P', '--json'], { env: { P: PASSWORD } });
    expect(withPassword.code).toBe(0);
    expect(JSON.parse(withPassword.stdout)).toMatchObject({ ok: true, realm: REALM, algorithm: 'MD5', qop: 'auth' });
    const without = await runCli(['options', `sip:alice@127.0.0.1:${AUTH}`]);
    expect(without.code).toBe(1);
    expect(without.stdout).toMatch(/no password was given/);
  });

  test('404 over TCP -> exit 1; --nagios CRITICAL -> 2', async () => {
    expect((await runCli(['options', `sip:127.0.0.1:${NOT_FOUND_TCP}`, '--transport', 'tcp'])).code).toBe(1);
    const nagios = await runCli(['options', `sip:127.0.0.1:${NOT_FOUND_TCP};transport=tcp`, '--nagios']);
    expect(nagios.stdout).toMatch(/^SIP CRITICAL - 404 Not Found for OPTIONS/);
    expect(nagios.code).toBe(2);
  });

  test('nothing listening -> exit 3; with --nagios CRITICAL (2)', async () => {
    expect((await runCli(['options', 'sip:127.0.0.1:45499'])).code).toBe(3);
    expect((await runCli(['options', '[::1]:5060'])).code).toBe(2);
    const nagios = await runCli(['options', 'sip:[::1]:45499', '--nagios']);
    expect(nagios.code).toBe(2);
    expect(nagios.stdout).toMatch(/unreachable/);
  });
});

/**
 * A --nagios line read as the Monitoring Plugins Development Guidelines define it
 * (https://www.monitoring-plugins.org/doc/guidelines.html): one line, the service and its state first, the exit code
 * the state's ("Plugin Return Codes"); after " | " space-separated `'label'=value[UOM];[warn];[crit];[min];[max]`
 * ("Performance data": value, min and max in [-0-9.] or a value of U, UOM one of s us ms % B KB MB TB c, warn and
 * crit in the range format [@]start:end of "Threshold and ranges", trailing empty fields dropped).
 */
function readMonitoringLine(stdout: string, code: number): { state: string; text: string; perfdata: Array<{ label: string; value: string; uom: string; fields: string[] }> } {
  const lines = stdout.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  const [head, perf] = lines[0].split(' | ');
  const status = /^SIP (OK|WARNING|CRITICAL|UNKNOWN)\b(.*)$/.exec(head);
  expect(status, head).not.toBeNull();
  expect(code).toBe({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 }[status![1] as 'OK']);
  const number = '-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)';
  const range = new RegExp(`^@?(?:(?:${number}|~):)?(?:${number})?$`);
  const datum = new RegExp(`^('(?:[^']|'')+'|[^ '=]+)=(${number}|U)(s|us|ms|%|B|KB|MB|TB|c)?((?:;[^; ]*){0,4})$`);
  const perfdata = (perf ?? '').split(' ').filter(Boolean).map((item) => {
    const match = datum.exec(item);
    expect(match, item).not.toBeNull();
    const fields = match![4].split(';').slice(1);
    expect(fields.at(-1), `${item}: trailing empty field`).not.toBe('');
    const [warn = '', crit = '', min = '', max = ''] = fields;
    for (const threshold of [warn, crit]) if (threshold !== '') expect(threshold, item).toMatch(range);
    for (const bound of [min, max]) if (bound !== '') expect(bound, item).toMatch(new RegExp(`^${number}$`));
    return { label: match![1].replace(/^'(.*)'$/, '$1').replace(/''/g, "'"), value: match![2], uom: match![3] ?? '', fields };
  });
  return { state: status![1], text: status![2], perfdata };
}

describe('options --nagios per the Monitoring Plugins guidelines', () => {
  test('answered (OK), 404 (CRITICAL), nothing listening (CRITICAL, rtt U): one line, state = exit code, perfdata by the grammar', async () => {
    const answered = await runCli(['options', `sip:127.0.0.1:${OPEN}`, '--nagios', '--warn-rtt', '500', '--crit-rtt', '1000']);
    const ok = readMonitoringLine(answered.stdout, answered.code);
    expect(ok.state).toBe('OK');
    const rtt = ok.perfdata.find((datum) => datum.label === 'rtt')!;
    expect(rtt).toMatchObject({ uom: 'ms', fields: ['500', '1000', '0'] });
    expect(Number(rtt.value)).toBeGreaterThanOrEqual(0);
    expect(readMonitoringLine((await runCli(['options', `sip:127.0.0.1:${NOT_FOUND_TCP};transport=tcp`, '--nagios'])).stdout, 2).state).toBe('CRITICAL');
    const silent = await runCli(['options', 'sip:127.0.0.1:45499', '--nagios']);
    const unreachable = readMonitoringLine(silent.stdout, silent.code);
    expect(unreachable.perfdata.find((datum) => datum.label === 'rtt')).toMatchObject({ value: 'U', uom: '' });
  });
});

describe('the same JSON shape over every transport when nothing listens', () => {
  test.each(['udp', 'tcp', 'tls', 'ws', 'wss'] as const)('%s: target names where it tried; ws/wss fail websocket-handshake first (target was null and the check missing over tcp/tls/ws/wss)', async (transport) => {
    const run = await runCli(['options', 'sip:127.0.0.1:45499', '--transport', transport, '--json']);
    expect(run.code).toBe(3);
    const json = JSON.parse(run.stdout);
    expect(json.error.code).toBe(transport === 'udp' ? 'unreachable' : 'connection-refused');
    expect(json.target).toEqual({ transport, address: '127.0.0.1', port: 45499 });
    const websocket = transport === 'ws' || transport === 'wss';
    expect(json.checks.map((check: { name: string; outcome: string }) => `${check.name}:${check.outcome}`)).toEqual([
      ...(websocket ? ['websocket-handshake:failed'] : []),
      'reachable:failed', 'authenticated:skipped', 'options-answered:failed',
    ]);
    if (websocket) expect(json.handshake).toEqual({ status: null, reason: null, token: null });
  });
});

/** The CLI in a process of its own: its exit code, output, and how long until the process was gone. */
function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; elapsedMs: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['bin/sipscope.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, elapsedMs: Date.now() - started })));
}

describe('--timeout bounds the RFC 3263 lookups too', () => {
  test('a --dns server that never answers: name-not-resolved naming the server and the query, exit 2, the process gone within --timeout (was ~30 s)', async () => {
    // a UDP socket that takes the queries and answers none
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(SILENT_DNS, '127.0.0.1', resolve));
    try {
      const run = await runBin(['options', 'sip:silent.sipscope.test', '--dns', `127.0.0.1:${SILENT_DNS}`, '--timeout', '1500', '--json']);
      expect(run.code, run.stderr).toBe(2);
      expect(JSON.parse(run.stdout).error).toMatchObject({
        code: 'name-not-resolved',
        message: expect.stringMatching(new RegExp(`^no DNS answer from 127\\.0\\.0\\.1:${SILENT_DNS} to the NAPTR query for silent\\.sipscope\\.test within the time limit`)),
      });
      expect(run.elapsedMs).toBeLessThan(1500 + 1500);
    } finally {
      silent.close();
    }
  }, 60_000);
});
