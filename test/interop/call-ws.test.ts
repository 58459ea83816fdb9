/**
 * `sipscope call` over SIP over WebSocket (RFC 7118), ws and wss, through a real Kamailio (kamailio/call-proxy.cfg
 * WITH_WS: websocket + xhttp for the upgrade, nathelper aliases for the WebSocket side, double Record-Route, digest
 * auth of every INVITE and re-INVITE from SQLite) to a real SIPp UAS over UDP. wss verifies Kamailio's certificate
 * against the test CA (--ca), as a browser would. A caller left alone holds the call with accepted re-INVITEs and
 * exits 0; a caller whose subscriber row is deleted mid-call gets 403 on the next re-INVITE, sends BYE (answered by
 * the UAS through Kamailio) and exits 1 with the revocation in --json.
 * Ports: proxy 26700 (UDP+TCP), 26701 (TLS), ws 26702, wss 26703; SIPp UAS 26710.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectRevokedMidCall, startCallProxy, type CallProxyEnvironment } from './call-peers.js';
import { expectExit } from './checks.js';
import { parseJsonOutput, runSipscope } from './processes.js';
import { deleteSubscriber, randomPassword } from './subscribers.js';

const proxyPort = 26700;
const tlsPort = 26701;
const wsPort = 26702;
const wssPort = 26703;
const uasPort = 26710;
const realm = 'call-ws-realm.sipscope.test';
const transports = ['ws', 'wss'] as const;
const passwords = new Map<string, string>();
for (const transport of transports) {
  passwords.set(`alice-${transport}`, randomPassword());
  passwords.set(`bob-${transport}`, randomPassword());
}

let environment: CallProxyEnvironment;
beforeAll(async () => {
  environment = await startCallProxy({
    name: 'call-ws-proxy',
    realm,
    port: proxyPort,
    tlsPort,
    wsPort,
    wssPort,
    uasPort,
    subscribers: [...passwords].map(([username, password]) => ({ username, domain: 'sipscope.test', password })),
  });
}, 60_000);
afterAll(async () => {
  await environment?.close();
});
const logs = () => environment.logs();

interface CallJson {
  ok: boolean;
  status: number | null;
  endedBy: string;
  lifetimeMs: number | null;
  realm: string | null;
  target: { transport: string; port: number };
  handshake?: { status: number };
  revocation: { refresh: number; method: string; afterMs: number; status: number; reason: string } | null;
  refreshes: { sent: number; ok: number };
  transactions: { step: string; request: string; status: number | null; cseq: number; refresh?: number }[];
}

function callArgs(user: string, transport: 'ws' | 'wss', duration: string): string[] {
  const port = transport === 'wss' ? wssPort : wsPort;
  const args = ['call', `sip:carol@127.0.0.1:${port}`, '--user', user, '--transport', transport, '--duration', duration, '--refresh', '0.5', '--json', '-v'];
  if (transport === 'wss') args.push('--ca', environment.certificates.caCertPath);
  return args;
}

describe.sequential('sipscope call over WebSocket through Kamailio to a SIPp UAS', () => {
  test.each(transports)('%s: a caller left alone holds the call with accepted re-INVITEs and ends it with BYE -> exit 0', async (transport) => {
    const user = `bob-${transport}`;
    const result = await runSipscope(callArgs(user, transport, '2'), { timeoutMs: 20_000, password: passwords.get(user) });
    expectExit(result, 0, logs);
    const json = parseJsonOutput(result) as unknown as CallJson;
    expect(json).toMatchObject({ ok: true, status: 200, endedBy: 'bye', realm, revocation: null });
    expect(json.target).toMatchObject({ transport, port: transport === 'wss' ? wssPort : wsPort });
    expect(json.handshake?.status).toBe(101);
    expect(json.transactions.filter((t) => t.step === 'setup').map((t) => t.status)).toEqual([407, 200]);
    // each re-INVITE went over the WebSocket connection through both Record-Route entries to SIPp and back
    expect(json.refreshes.sent).toBeGreaterThanOrEqual(3);
    expect(json.refreshes.ok).toBe(json.refreshes.sent);
    expect(json.transactions.filter((t) => t.step === 'bye').map((t) => t.status)).toEqual([200]);
    expect(json.lifetimeMs).toBeGreaterThanOrEqual(1900);
    // -v: Kamailio record-routed twice (its WebSocket side and its UDP side); the BYE follows that route set on the
    // same connection, to the UAS's Contact; the password never shows
    const bye = /^BYE (\S+) SIP\/2\.0\r?\n(?:[^\r\n]+\r?\n)*/m.exec(result.stderr);
    expect(bye?.[1], result.stderr.slice(-3000)).toBe(`sip:carol@127.0.0.1:${uasPort};transport=UDP`);
    const routes = [...bye![0].matchAll(/^Route: <([^>]+)>/gm)].map((match) => match[1]);
    expect(routes).toHaveLength(2);
    expect(routes[0]).toMatch(new RegExp(`^sip:127\\.0\\.0\\.1:${transport === 'wss' ? wssPort : wsPort};transport=ws;`));
    expect(routes[1]).toMatch(new RegExp(`^sip:127\\.0\\.0\\.1:${proxyPort};`));
    expect(result.stderr).not.toContain(passwords.get(user));
  });

  test.each(transports)('%s: the caller revoked mid-call gets 403 on the next re-INVITE, sends BYE -> exit 1 with the revocation', async (transport) => {
    const user = `alice-${transport}`;
    const running = runSipscope(callArgs(user, transport, '5'), { timeoutMs: 20_000, password: passwords.get(user) });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await deleteSubscriber(environment.databasePath, user)).toBe(1);
    const revokedAt = Date.now();
    const result = await running;
    expectExit(result, 1, logs);
    expectRevokedMidCall(parseJsonOutput(result) as unknown as CallJson, result.stdout, revokedAt);
  });

  test('wss verifies the certificate: without the test CA the handshake is refused and no INVITE is sent', async () => {
    const args = callArgs('bob-wss', 'wss', '1').filter((arg) => arg !== '--ca' && arg !== environment.certificates.caCertPath);
    const result = await runSipscope(args, { timeoutMs: 20_000, password: passwords.get('bob-wss') });
    const json = parseJsonOutput(result) as unknown as CallJson & { error?: { code: string; message: string } };
    expect(result.code, result.stderr).not.toBe(0);
    expect(json.ok).toBe(false);
    expect(json.error?.code, JSON.stringify(json.error)).toMatch(/tls|cert/i);
    expect(json.transactions).toEqual([]);
  });
});
