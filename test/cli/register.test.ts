/**
 * `sipscope register` end to end in-process against a digest registrar on 127.0.0.1: exit codes (sipsak's 0/1/2/3
 * and monitoring-plugins' with --nagios), the JSON fields of issue 3, JUnit, password sources, and that -v never
 * shows the password or the digest response.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSWORD, REALM, registrar } from '../client/digest-registrar.js';
import { startTcpPeer, startUdpPeer, type SipPeer } from '../client/sip-peer.js';
import { runCli } from './cli-io.js';

const UDP = 45300;
const TCP = 45301;
const SILENT = 45302;
const FORBID = 45303;
const LOSSY = 45304;
const LOAD = 45305;
const DEAD = 45399;
const env = { SIP_PASSWORD: PASSWORD };
const peers: SipPeer[] = [];
let udpPeer: SipPeer;
let loadPeer: SipPeer;
let dir: string;

beforeAll(async () => {
  udpPeer = await startUdpPeer(UDP, registrar());
  peers.push(udpPeer, await startTcpPeer(TCP, registrar()), await startUdpPeer(SILENT, () => undefined), await startUdpPeer(FORBID, registrar({ forbid: true })));
  const lossy = registrar();
  loadPeer = await startUdpPeer(LOAD, registrar({ fixedNonce: true }));
  peers.push(loadPeer);
  peers.push(await startUdpPeer(LOSSY, (request, index) => (index % 2 === 0 ? undefined : lossy(request, index))));
  dir = mkdtempSync(join(tmpdir(), 'sipscope-cli-'));
});

afterAll(async () => {
  await Promise.all(peers.map((peer) => peer.close()));
});

const register = (port: number, ...extra: string[]) => runCli(['register', `sip:alice@127.0.0.1:${port}`, '--password-env', 'SIP_PASSWORD', ...extra], { env });

describe('exit codes', () => {
  test('2xx -> 0, with every JSON field of the issue', async () => {
    const run = await register(UDP, '--json', '--expires', '300');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['ok', 'status', 'reason', 'realm', 'algorithm', 'qop', 'rttMs', 'retransmissions', 'transactions', 'bindings']));
    expect(json).toMatchObject({ ok: true, status: 200, reason: 'OK', realm: REALM, algorithm: 'MD5', qop: 'auth', retransmissions: 0 });
    expect(json.error).toBeUndefined();
    expect(json.transactions.map((t: { request: string; status: number }) => [t.request, t.status])).toEqual([['REGISTER', 401], ['REGISTER', 200]]);
    expect(typeof json.transactions[0].rttMs).toBe('number');
    expect(json.rttMs).toBeGreaterThan(0);
    expect(json.bindings).toContainEqual({ uri: 'sip:other-device@192.0.2.9:5060', expires: 55 });
  });

  test('human output names status, realm, algorithm, qop, each transaction and the bindings', async () => {
    const run = await register(TCP, '--transport', 'tcp');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/REGISTER \(CSeq 1\) -> 401 Unauthorized/);
    expect(run.stdout).toMatch(/REGISTER \(CSeq 2\) -> 200 OK/);
    expect(run.stdout).toMatch(/^OK 200 OK$/m);
    expect(run.stdout).toContain(`realm "${REALM}", algorithm MD5, qop auth`);
    expect(run.stdout).toMatch(/binding sip:other-device@192\.0\.2\.9:5060 {2}expires 55 s/);
  });

  test('wrong password -> 1 (401 after answering); 403 -> 1', async () => {
    const wrong = await runCli(['register', `sip:alice@127.0.0.1:${UDP}`, '--password-env', 'P', '--json'], { env: { P: 'nope' } });
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout)).toMatchObject({ ok: false, status: 401 });
    const forbidden = await register(FORBID, '--json');
    expect(forbidden.code).toBe(1);
    expect(JSON.parse(forbidden.stdout)).toMatchObject({ ok: false, status: 403, reason: 'Forbidden' });
  });

  test('nothing listening: UDP (ICMP) -> 3 at once, TCP refused -> 3', async () => {
    const udp = await register(DEAD, '--json', '--timeout', '10s');
    expect(udp.code).toBe(3);
    expect(JSON.parse(udp.stdout).error).toMatchObject({ code: 'unreachable' });
    expect(udp.elapsedMs).toBeLessThan(2000);
    const tcp = await register(DEAD, '--json', '--transport', 'tcp');
    expect(tcp.code).toBe(3);
    expect(JSON.parse(tcp.stdout).error).toMatchObject({ code: 'connection-refused' });
  });

  test('no answer -> 3 "timeout" when --timeout ends the check, with the retransmissions counted', async () => {
    const run = await register(SILENT, '--json', '--timeout', '700ms', '--t1', '100');
    expect(run.code).toBe(3);
    const json = JSON.parse(run.stdout);
    expect(json.error.code).toBe('timeout');
    // sent at 0, 100, 300 and 700 ms (Timer E doubling): 2 or 3 retransmissions before 700 ms
    expect(json.retransmissions).toBeGreaterThanOrEqual(2);
    expect(run.elapsedMs).toBeLessThan(2000);
  });

  test.each([
    [['register', 'http://example.com'], /SIP-URI/],
    [['register', 'sip:alice@127.0.0.1', '--timeout', 'soon'], /--timeout/],
    [['register', 'sip:alice@127.0.0.1', '--t1', '-5'], /--t1/],
    [['register', 'sip:alice@127.0.0.1', '--header', 'no colon here'], /--header/],
    [['register', 'sip:alice@127.0.0.1', '--unregister', '--query'], /exclude/],
    [['register', 'sip:alice@no-such-host.invalid'], /no-such-host\.invalid/],
    [['register', 'sip:127.0.0.1'], /no user/],
    [['register', 'sip:alice@127.0.0.1', '--password-env', 'UNSET_VARIABLE'], /UNSET_VARIABLE/],
    [['register', 'sip:alice@127.0.0.1', '--password-file', '/nonexistent/pw'], /\/nonexistent\/pw/],
    [['register', 'sip:alice@127.0.0.1', '--password-env', 'A', '--password-file', 'B'], /one password source/],
  ])('local error %j -> 2 with a message naming it', async (args, message) => {
    const run = await runCli(args, { env: { A: 'x' } });
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(message);
  });
});

describe('request options', () => {
  test('--header (repeatable), --user-agent, --auth-user, --contact, --expires shape the REGISTER', async () => {
    const before = udpPeer.received.length;
    const run = await register(UDP, '--header', 'X-Probe: one', '--header', 'X-Probe: two', '--user-agent', 'probe/1.0',
      '--auth-user', 'alice-auth', '--contact', 'sip:alice@192.0.2.7:5070', '--expires', '60');
    // the registrar checks the response, not the username: the answer must still be accepted
    expect(run.code).toBe(0);
    const [first, second] = udpPeer.received.slice(before).map((entry) => entry.raw);
    expect(first).toMatch(/\r\nX-Probe: one\r\nX-Probe: two\r\n/);
    expect(first).toMatch(/\r\nUser-Agent: probe\/1\.0\r\n/);
    expect(first).toMatch(/\r\nContact: <sip:alice@192\.0\.2\.7:5070>\r\n/);
    expect(first).toMatch(/\r\nExpires: 60\r\n/);
    expect(first).toMatch(/\r\nTo: <sip:alice@127\.0\.0\.1>\r\n/);
    expect(second).toMatch(/\r\nAuthorization: Digest username="alice-auth", realm="realm-from-challenge\.test"/);
  });
});

describe('password sources', () => {
  test('--password-file reads the first line only', async () => {
    const file = join(dir, 'pw');
    writeFileSync(file, `${PASSWORD}\nsecond line\n`);
    expect((await runCli(['register', `sip:alice@127.0.0.1:${UDP}`, '--password-file', file])).code).toBe(0);
  });

  test('--password-stdin reads standard input', async () => {
    expect((await runCli(['register', `sip:alice@127.0.0.1:${UDP}`, '--password-stdin'], { stdin: `${PASSWORD}\n` })).code).toBe(0);
  });

  test('--password works but warns that argv is visible', async () => {
    const run = await runCli(['register', `sip:alice@127.0.0.1:${UDP}`, '--password', PASSWORD]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/visible to other users/);
  });
});

describe('-v redaction', () => {
  test('messages are printed but neither the password nor the digest response value appear anywhere', async () => {
    const before = udpPeer.received.length;
    const run = await register(UDP, '-v', '--json');
    expect(run.code).toBe(0);
    const sentAuthorization = udpPeer.received.slice(before).map((entry) => /response="([0-9a-f]+)"/.exec(entry.raw)?.[1]).find(Boolean);
    expect(sentAuthorization, 'the registrar saw a digest response').toMatch(/^[0-9a-f]{32}$/);
    const everything = run.stdout + run.stderr;
    expect(run.stderr).toMatch(/^REGISTER sip:127\.0\.0\.1:45300 SIP\/2\.0$/m);
    expect(run.stderr).toMatch(/^Authorization: Digest username="alice"/m);
    expect(run.stderr).toMatch(/^WWW-Authenticate: Digest/m);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(sentAuthorization!);
  });

  test('a password written in the URI (deprecated, RFC 3261 §19.1.1) is neither sent nor shown', async () => {
    const before = udpPeer.received.length;
    const run = await runCli(['register', `sip:alice:uri-secret-42@127.0.0.1:${UDP}`, '--password-env', 'SIP_PASSWORD', '-v', '--nagios', '--junit', join(dir, 'uri.xml')], { env });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr + readFileSync(join(dir, 'uri.xml'), 'utf8')).not.toContain('uri-secret-42');
    expect(udpPeer.received.slice(before).map((entry) => entry.raw).join('')).not.toContain('uri-secret-42');
    const bad = await runCli(['register', 'sip:alice:uri-secret-42@127.0.0.1:99999999']);
    expect(bad.code).toBe(2);
    expect(bad.stdout + bad.stderr).not.toContain('uri-secret-42');
  });
});

describe('--nagios and --junit', () => {
  test('OK line with perfdata, exit 0', async () => {
    const run = await register(UDP, '--nagios');
    expect(run.code).toBe(0);
    // a check removes its own binding again and says so; the removal's RTT is perfdata of its own
    expect(run.stdout).toMatch(/^SIP OK - 200 OK for REGISTER sip:alice@127\.0\.0\.1:45300 in [\d.]+ms.*, own binding removed \(1 left\) \| rtt=[\d.]+ms;;;0 retransmissions=0;0;;0 transactions=2;;;0 removal_rtt=[\d.]+ms;;;0\n$/);
    const kept = await register(UDP, '--nagios', '--keep');
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/^SIP OK - 200 OK for REGISTER [^|]*\| rtt=[\d.]+ms;;;0 retransmissions=0;0;;0 transactions=2;;;0\n$/);
  });

  test('a timeout: the whole error once, retransmissions counted in words that agree (it read "(overall timeout, 1 retransmissions), 1 retransmissions")', async () => {
    // T1 400 ms, limit 1000 ms: sent at 0, again at 400, the next would be at 1200
    const run = await register(SILENT, '--nagios', '--t1', '400', '--timeout', '1000');
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^SIP CRITICAL - REGISTER sip:alice@127\.0\.0\.1:45302: timeout: no final response to REGISTER within \d+ ms \(overall timeout, 1 retransmission\) \| rtt=U;;;0 retransmissions=1;0;;0 transactions=1;;;0\n$/);
  });

  test('--warn-rtt / --crit-rtt: WARNING (1) and CRITICAL (2) above them, thresholds in the perfdata in ms; bad value -> UNKNOWN (3)', async () => {
    const warning = await register(UDP, '--nagios', '--keep', '--warn-rtt', '0', '--crit-rtt', '100000');
    expect(warning.code).toBe(1);
    expect(warning.stdout).toMatch(/^SIP WARNING - 200 OK .*, RTT above 0ms \| rtt=[\d.]+ms;0;100000;0 /);
    const critical = await register(UDP, '--nagios', '--keep', '--warn-rtt', '0', '--crit-rtt', '0.001');
    expect(critical.code).toBe(2);
    expect(critical.stdout).toMatch(/^SIP CRITICAL - 200 OK .*, RTT above 0\.001ms \| rtt=[\d.]+ms;0;0\.001;0 /);
    const fine = await register(UDP, '--nagios', '--keep', '--warn-rtt', '100000', '--crit-rtt', '200000');
    expect(fine.code).toBe(0);
    expect(fine.stdout).toMatch(/\| rtt=[\d.]+ms;100000;200000;0 /);
    const bad = await register(UDP, '--nagios', '--warn-rtt', '-1');
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/^SIP UNKNOWN - --warn-rtt/);
  });

  test('--warn-retrans below 0 or not whole -> UNKNOWN (3) (-1 was WARNING on every run, with no reason given)', async () => {
    for (const value of ['-1', '0.5']) {
      const bad = await register(UDP, '--nagios', '--keep', '--warn-retrans', value);
      expect(bad.code, bad.stdout).toBe(3);
      expect(bad.stdout).toMatch(/^SIP UNKNOWN - --warn-retrans must be a whole number of retransmissions, 0 or more/);
    }
  });

  test('retransmissions above --warn-retrans -> WARNING (1); 403 -> CRITICAL (2); bad argument -> UNKNOWN (3)', async () => {
    const warning = await register(LOSSY, '--nagios', '--t1', '50', '--warn-retrans', '1');
    expect(warning.stdout).toMatch(/^SIP WARNING - /);
    expect(warning.code).toBe(1);
    const critical = await register(FORBID, '--nagios');
    expect(critical.stdout).toMatch(/^SIP CRITICAL - 403 Forbidden/);
    expect(critical.code).toBe(2);
    const unknown = await runCli(['register', 'sip:alice@127.0.0.1', '--nagios', '--timeout', 'x']);
    expect(unknown.stdout).toMatch(/^SIP UNKNOWN - /);
    expect(unknown.code).toBe(3);
  });

  test('--junit writes one test case per check', async () => {
    const file = join(dir, 'report.xml');
    expect((await register(UDP, '--junit', file)).code).toBe(0);
    const xml = readFileSync(file, 'utf8');
    expect([...xml.matchAll(/<testcase name="([^"]+)"/g)].map((match) => match[1])).toEqual(['reachable', 'authenticated', 'registered', 'binding-removed']);
    expect(xml).toMatch(/tests="4" failures="0" errors="0" skipped="0"/);
    const failed = join(dir, 'failed.xml');
    expect((await register(FORBID, '--junit', failed)).code).toBe(1);
    expect(readFileSync(failed, 'utf8')).toMatch(/<testcase name="registered"[^>]*>\s*<failure message="403 Forbidden"/);
  });

  test('a registration that failed lists binding-removed as skipped, so JUnit and JSON have one shape (it was left out)', async () => {
    const names = (xml: string) => [...xml.matchAll(/<testcase name="([^"]+)"/g)].map((match) => match[1]);
    const refused = join(dir, 'refused.xml');
    expect((await register(FORBID, '--junit', refused)).code).toBe(1);
    const xml = readFileSync(refused, 'utf8');
    expect(names(xml)).toEqual(['reachable', 'authenticated', 'registered', 'binding-removed']);
    expect(xml).toMatch(/<testcase name="binding-removed"[^>]*>\s*<skipped message="not registered: no binding of ours to remove"\/>/);
    expect(xml).toMatch(/<testsuite [^>]*tests="4" failures="1" errors="0" skipped="2"/); // authenticated (no challenge) and binding-removed
    const json = JSON.parse((await register(SILENT, '--json', '--timeout', '300ms', '--t1', '100')).stdout);
    expect(json.checks.map((check: { name: string; outcome: string }) => `${check.name}:${check.outcome}`))
      .toEqual(['reachable:failed', 'authenticated:skipped', 'registered:failed', 'binding-removed:skipped']);
    expect(json.removal).toBeNull();
    // --keep removes nothing: no binding-removed case, registered or not
    const kept = join(dir, 'kept.xml');
    expect((await register(FORBID, '--keep', '--junit', kept)).code).toBe(1);
    expect(names(readFileSync(kept, 'utf8'))).toEqual(['reachable', 'authenticated', 'registered']);
  });
});

describe('load mode', () => {
  test('--count/--rate registers user1..userN over one socket and reports registrations/s', async () => {
    const run = await runCli(['register', `sip:127.0.0.1:${LOAD}`, '--user', 'user%d', '--user-start', '7', '--count', '20', '--rate', '400',
      '--password-env', 'SIP_PASSWORD', '--json'], { env });
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ count: 20, ok: 20, failed: 0 });
    expect(json.ratePerSec).toBeGreaterThan(0);
    const users = new Set(loadPeer.received.map((entry) => /<sip:(user\d+)@/.exec(entry.raw)?.[1]));
    expect(users).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `user${i + 7}`)));
    const text = await runCli(['register', `sip:127.0.0.1:${LOAD}`, '--user', 'u%d', '--count', '3', '--rate', '100', '--password-env', 'SIP_PASSWORD'], { env });
    expect(text.stdout).toMatch(/registrations: 3, ok 3, failed 0/);
    expect(text.stdout).toMatch(/registrations\/s/);
  });
});
