/**
 * Issue 9 proof: Kamailio's siptrace module (hep_mode_on, duplicate_uri) mirrors the revocation story as HEP v3 to
 * a live `sipscope analyze --hep-listen --jsonl` (test/interop/hep-revocation.sh, in a network namespace of its
 * own; SIPp peers and the sqlite revocation as in fixtures/recordings/record-revocation.sh), while tcpdump
 * captures the same SIP traffic. The live run must report the same re-INVITE 403s (and the REGISTER 403, the
 * revocation entry and the calls) as the offline analysis of the capture. Packet numbers and times differ by
 * nature (HEP datagrams are numbered as they arrive and carry Kamailio's clock), so calls and findings are
 * compared by Call-ID, user and kind, calls also by state and re-INVITE count.
 * Needs root (ip netns), Kamailio with siptrace, SIPp, tcpdump; run under the interop lock.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/analysis-cli-helpers.js';

interface Entry {
  type?: string;
  kind?: string;
  callId?: string;
  username?: string;
  state?: string;
  reinvites?: number;
  activeCalls?: string[];
  damagedCalls?: string[];
}

const out = mkdtempSync(join(tmpdir(), 'sipscope-hep-live-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const findingKey = (finding: Entry) => `${finding.kind} ${finding.callId} ${finding.username}`;
const callKey = (call: Entry) => `${call.callId} ${call.state} ${call.reinvites}`;
const revocationKey = (revocation: Entry) => `${revocation.username} active=${[...revocation.activeCalls!].sort()} damaged=${[...revocation.damagedCalls!].sort()}`;

describe('analyze --hep-listen fed by Kamailio siptrace', () => {
  it('reports the same re-INVITE 403s, REGISTER 403, revocation and calls live as offline from the capture', { timeout: 150_000 }, async () => {
    execFileSync('bash', ['test/interop/hep-revocation.sh', out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 140_000 });
    const events = readFileSync(join(out, 'live.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Entry);
    expect(events.at(-1)?.type).toBe('summary');
    const live = (type: string) => events.filter((event) => event.type === type);

    const offline = JSON.parse((await runCli(['analyze', join(out, 'capture.pcap'), '--json', '--fail-on', 'info'])).out) as {
      calls: Entry[];
      findings: Entry[];
      revocations: Entry[];
    };
    const reinvite403 = offline.findings.filter((finding) => finding.kind === 'reinvite-forbidden');
    expect(reinvite403.length).toBeGreaterThanOrEqual(2);
    expect(live('finding').filter((finding) => finding.kind === 'reinvite-forbidden').map(findingKey).sort()).toEqual(reinvite403.map(findingKey).sort());
    expect(live('finding').map(findingKey).sort()).toEqual(offline.findings.map(findingKey).sort());
    expect(live('revocation').map(revocationKey)).toEqual(offline.revocations.map(revocationKey));
    expect(live('call').map(callKey).sort()).toEqual(offline.calls.map(callKey).sort());
    expect(readFileSync(join(out, 'live.err'), 'utf8')).not.toMatch(/hep-|decode/);
  });
});
