/**
 * `sipscope call` through a real Kamailio proxy (digest auth from SQLite, record-route, every INVITE and
 * re-INVITE authenticated: kamailio/call-proxy.cfg) to a real SIPp UAS (fixtures' callee.xml), over UDP, TCP and
 * TLS: a caller whose subscriber row is deleted while the call is up gets 403 on the next re-INVITE, sends BYE
 * and exits 1 with the revocation in --json; a caller left alone holds the call and exits 0.
 * Ports: proxy 26110 (UDP+TCP), 26111 (TLS); SIPp UAS 26120.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectRevokedMidCall, startCallProxy, type CallProxyEnvironment } from './call-peers.js';
import { expectExit } from './checks.js';
import { parseJsonOutput, runSipscope } from './processes.js';
import { deleteSubscriber, randomPassword } from './subscribers.js';

const proxyPort = 26110;
const tlsPort = 26111;
const uasPort = 26120;
const realm = 'call-realm.sipscope.test';
const transports = ['udp', 'tcp', 'tls'] as const;
const passwords = new Map<string, string>();
for (const transport of transports) {
  passwords.set(`alice-${transport}`, randomPassword());
  passwords.set(`bob-${transport}`, randomPassword());
}

let environment: CallProxyEnvironment;
beforeAll(async () => {
  environment = await startCallProxy({
    name: 'call-proxy',
    realm,
    port: proxyPort,
    tlsPort,
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
  setupMs: number | null;
  lifetimeMs: number | null;
  realm: string | null;
  revocation: { refresh: number; method: string; afterMs: number; status: number; reason: string } | null;
  refreshes: { sent: number; ok: number };
  transactions: { step: string; request: string; status: number | null; cseq: number; refresh?: number }[];
}

function callArgs(user: string, transport: string, duration: string): string[] {
  const port = transport === 'tls' ? tlsPort : proxyPort;
  const args = ['call', `sip:carol@127.0.0.1:${port}`, '--user', user, '--transport', transport, '--duration', duration, '--refresh', '0.5', '--json'];
  if (transport === 'tls') args.push('--ca', environment.certificates.caCertPath);
  return args;
}

describe.sequential('sipscope call through Kamailio to a SIPp UAS', () => {
  test.each(transports)('%s: a caller left alone holds the call with accepted re-INVITEs and ends it with BYE -> exit 0', async (transport) => {
    const user = `bob-${transport}`;
    const result = await runSipscope(callArgs(user, transport, '2'), { timeoutMs: 20_000, password: passwords.get(user) });
    expectExit(result, 0, logs);
    const json = parseJsonOutput(result) as unknown as CallJson;
    expect(json).toMatchObject({ ok: true, status: 200, endedBy: 'bye', realm, revocation: null });
    // 407 challenge on the INVITE, then 200; each refresh a re-INVITE answered 200 by SIPp through Kamailio
    expect(json.transactions.filter((t) => t.step === 'setup').map((t) => t.status)).toEqual([407, 200]);
    expect(json.refreshes.sent).toBeGreaterThanOrEqual(3);
    expect(json.refreshes.ok).toBe(json.refreshes.sent);
    expect(json.transactions.filter((t) => t.step === 'bye').map((t) => t.status)).toEqual([200]);
    expect(json.setupMs).toBeGreaterThan(0);
    expect(json.lifetimeMs).toBeGreaterThanOrEqual(1900);
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
});
