/**
 * A register check leaves the registrar as it found it (issue 14): register, read the bindings, then remove its own
 * binding (RFC 3261 §10.2.2: same Call-ID and From tag, next CSeq, its Contact with expires=0, Expires: 0) and
 * report both steps; `keep` keeps the binding. Its Contact carries a stable +sip.instance (RFC 5626 §4.1).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { runRegister, type RegisterOptions } from '../../src/client/register.js';
import { stableInstanceUrn } from '../../src/client/instance.js';
import { getHeader } from '../../src/sip/index.js';
import { runCli } from '../cli/cli-io.js';
import { PASSWORD, registrar } from './digest-registrar.js';
import { startUdpPeer, type Answer, type SipPeer } from './sip-peer.js';

let peer: SipPeer | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const base = (port: number, extra: Partial<RegisterOptions> = {}): RegisterOptions => ({
  uri: `sip:alice@127.0.0.1:${port}`, password: PASSWORD, timeoutMs: 3000, timers: { t1: 100, t2: 400 }, ...extra,
});

describe('register check: register, read, remove', () => {
  test('by default the binding is removed again in the same registration, both steps reported', async () => {
    peer = await startUdpPeer(45420, registrar());
    const result = await runRegister(base(45420));
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.transactions.map((record) => record.status)).toEqual([401, 200]);
    const requests = peer.received.map((entry) => entry.request);
    expect(requests).toHaveLength(4);
    expect(requests.map((request) => getHeader(request, 'cseq'))).toEqual(['1 REGISTER', '2 REGISTER', '3 REGISTER', '4 REGISTER']);
    expect(new Set(requests.map((request) => getHeader(request, 'call-id'))).size).toBe(1);
    expect(new Set(requests.map((request) => getHeader(request, 'from'))).size).toBe(1);
    const contact = getHeader(requests[1], 'contact')!;
    expect(getHeader(requests[2], 'contact')).toBe(`${contact};expires=0`);
    expect(getHeader(requests[3], 'expires')).toBe('0');
    const own = /^<([^>]+)>/.exec(contact)![1];
    expect(result.bindings.map((binding) => binding.uri)).toContain(own);
    expect(result.removal).toMatchObject({ ok: true, status: 200, contact: own });
    expect(result.removal!.transactions.map((record) => record.status)).toEqual([401, 200]);
    expect(result.removal!.bindings.map((binding) => binding.uri)).not.toContain(own);
  });

  test('keep: one registration, no removal, 3600 s unless --expires says otherwise', async () => {
    peer = await startUdpPeer(45421, registrar());
    const result = await runRegister(base(45421, { keep: true }));
    expect(result.ok).toBe(true);
    expect(result.removal).toBeUndefined();
    expect(peer.received).toHaveLength(2);
    expect(getHeader(peer.received[1].request, 'expires')).toBe('3600');
    await runRegister(base(45421, { keep: true, expires: 300 }));
    expect(getHeader(peer.received[3].request, 'expires')).toBe('300');
  });

  test('the +sip.instance is the same on every run for one user and registrar, and a UUID URN', async () => {
    peer = await startUdpPeer(45422, registrar());
    await runRegister(base(45422, { keep: true }));
    await runRegister(base(45422, { keep: true }));
    const instances = peer.received.map((entry) => /\+sip\.instance="<([^>]+)>"/.exec(getHeader(entry.request, 'contact')!)![1]);
    expect(new Set(instances).size).toBe(1);
    expect(instances[0]).toBe(stableInstanceUrn('alice', '127.0.0.1'));
    expect(instances[0]).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableInstanceUrn('bob', '127.0.0.1')).not.toBe(instances[0]);
    expect(stableInstanceUrn('alice', 'other.example')).not.toBe(instances[0]);
  });

  test('a removal the registrar refuses fails the check: exit 1, WARNING with --nagios, said in the text', async () => {
    const normal = registrar();
    const refuseRemoval: Answer = (request, index) => (/expires=0/.test(getHeader(request, 'contact') ?? '') ? { status: 500, reason: 'Server Internal Error' } : normal(request, index));
    peer = await startUdpPeer(45423, refuseRemoval);
    const env = { P: PASSWORD };
    const text = await runCli(['register', 'sip:alice@127.0.0.1:45423', '--password-env', 'P'], { env });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^OK 200 OK$/m);
    expect(text.stdout).toMatch(/NOT REMOVED own binding sip:alice@127\.0\.0\.1:\d+: 500 Server Internal Error/);
    const nagios = await runCli(['register', 'sip:alice@127.0.0.1:45423', '--password-env', 'P', '--nagios'], { env });
    expect(nagios.code).toBe(1);
    expect(nagios.stdout).toMatch(/^SIP WARNING - 200 OK .*own binding NOT removed: 500 Server Internal Error/);
    const json = JSON.parse((await runCli(['register', 'sip:alice@127.0.0.1:45423', '--password-env', 'P', '--json'], { env })).stdout);
    expect(json.removal).toMatchObject({ ok: false, status: 500 });
    expect(json.checks.map((check: { name: string; outcome: string }) => `${check.name} ${check.outcome}`)).toEqual([
      'reachable passed', 'authenticated passed', 'registered passed', 'binding-removed failed',
    ]);
  });

  test('text output reports both steps; --keep with --unregister or --query is refused', async () => {
    peer = await startUdpPeer(45424, registrar());
    const run = await runCli(['register', 'sip:alice@127.0.0.1:45424', '--password-env', 'P'], { env: { P: PASSWORD } });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/REGISTER \(CSeq 2\) -> 200 OK/);
    expect(run.stdout).toMatch(/REGISTER expires=0 \(CSeq 4\) -> 200 OK/);
    expect(run.stdout).toMatch(/^REMOVED own binding sip:alice@127\.0\.0\.1:\d+; 1 binding left$/m);
    for (const extra of ['--unregister', '--query']) {
      const refused = await runCli(['register', 'sip:alice@127.0.0.1:45424', '--keep', extra]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/--keep/);
    }
  });
});
