/**
 * `sipscope register --contact sip:u:pw@host`: the password in the Contact's userinfo is redacted wherever the run
 * shows the Contact (text summary, --json, -v trace), by one rule (src/sip/digest/redact.ts); it is nowhere in stdout
 * or stderr. Against the test registrar on loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSWORD, registrar } from '../client/digest-registrar.js';
import { startUdpPeer, type SipPeer } from '../client/sip-peer.js';
import { runCli } from './cli-io.js';

const PORT = 27810;
const CONTACT = 'sip:u:ContactSecret1@127.0.0.1:5555';
let peer: SipPeer;

beforeAll(async () => {
  peer = await startUdpPeer(PORT, registrar());
});
afterAll(() => peer.close());

const register = (...extra: string[]) =>
  runCli(['register', `sip:alice@127.0.0.1:${PORT}`, '--password-env', 'P', '--contact', CONTACT, '--timeout', '3s', ...extra], { env: { P: PASSWORD } });

describe('register --contact with a password', () => {
  test('text: the binding and REMOVED own binding show it redacted', async () => {
    const run = await register();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('  binding sip:u:<redacted>@127.0.0.1:5555  expires 120 s\n');
    expect(run.stdout).toContain('REMOVED own binding sip:u:<redacted>@127.0.0.1:5555; 1 binding left\n');
    expect(run.stdout + run.stderr).not.toContain('ContactSecret1');
  });

  test('--json: bindings and removal.contact redacted', async () => {
    const run = await register('--json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.bindings).toContainEqual({ uri: 'sip:u:<redacted>@127.0.0.1:5555', expires: 120 });
    expect(json.removal.contact).toBe('sip:u:<redacted>@127.0.0.1:5555');
    expect(run.stdout + run.stderr).not.toContain('ContactSecret1');
  });

  test('-v: the trace and the summary alike', async () => {
    const run = await register('-v');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Contact: <sip:u:<redacted>@127.0.0.1:5555>');
    expect(run.stdout + run.stderr).not.toContain('ContactSecret1');
  });
});
