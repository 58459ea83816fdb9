/**
 * `sipscope analyze` end to end on the recorded revocation captures and the public ones: JSON schema and values
 * against the tshark-derived expectations, exit codes for --fail-on, local errors, JUnit, --user, --since/--until.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportDataOf } from '../report/html/report-file.js';
import { AAA, REVOCATION_TCP, REVOCATION_UDP, runCli, tsharkCallCredentials } from './analysis-cli-helpers.js';

const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

interface Expected {
  calls: Array<{ callId: string; from: string; to: string; username?: string; start: string; end?: string; durationMs?: number; state: string; reinvites: number; packets: number[] }>;
  findings: Array<{ kind: string; callId?: string; username?: string; time: string; packets: number[] }>;
  revocations: Array<{ username: string; lastSuccess: string; firstForbidden: string; activeCalls: string[]; damagedCalls: string[] }>;
  durations: { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number; drainWindowMs: number };
}

describe('sipscope analyze --json', () => {
  for (const capture of [REVOCATION_UDP, REVOCATION_TCP]) {
    it(`${capture}: the documented schema, values equal the tshark-derived expectation`, async () => {
      const run = await runCli(['analyze', capture, '--json']);
      expect(run.code).toBe(1); // reinvite-forbidden and register-forbidden are errors
      const json = JSON.parse(run.out);
      const expected = JSON.parse(readFileSync(`${capture}.analysis.expected.json`, 'utf8')) as Expected;
      expect(Object.keys(json)).toEqual(['summary', 'calls', 'findings', 'revocations', 'durations']);
      expect(Object.keys(json.summary)).toEqual(['files', 'packets', 'sipMessages', 'mirrorCopies', 'calls', 'requests', 'responses', 'decodeErrors']);
      expect(json.summary.mirrorCopies).toBe(0);
      expect(json.summary.files).toBe(1);
      for (const call of json.calls) {
        expect(Object.keys(call)).toEqual(['callId', 'from', 'to', 'username', 'start', 'end', 'durationMs', 'state', 'reinvites', 'packets']);
        expect(call.start).toMatch(ISO_MICROS);
      }
      const byId = (a: { callId: string }, b: { callId: string }) => a.callId.localeCompare(b.callId);
      expect([...json.calls].sort(byId)).toEqual(
        expected.calls
          .map((call) => ({
            callId: call.callId,
            from: call.from,
            to: call.to,
            username: call.username ?? null,
            start: call.start,
            end: call.end ?? null,
            durationMs: call.durationMs ?? null,
            state: call.state,
            reinvites: call.reinvites,
            packets: call.packets,
          }))
          .sort(byId),
      );
      for (const finding of json.findings) {
        expect(Object.keys(finding).filter((key) => key !== 'callId' && key !== 'username')).toEqual(['kind', 'severity', 'time', 'packets', 'message']);
        expect(finding.time).toMatch(ISO_MICROS);
        expect(finding.message).not.toContain('\n');
      }
      const revocationFindings = json.findings
        .filter((finding: { kind: string }) => finding.kind === 'reinvite-forbidden' || finding.kind === 'register-forbidden')
        .map(({ kind, callId, username, time, packets }: Expected['findings'][number]) => ({ kind, callId, username, time, packets }));
      expect(revocationFindings).toEqual(expected.findings.map(({ kind, callId, username, time, packets }) => ({ kind, callId, username, time, packets })));
      expect(json.revocations).toEqual(
        expected.revocations.map(({ username, lastSuccess, firstForbidden, activeCalls, damagedCalls }) => ({ username, lastSuccess, firstForbidden, activeCalls, damagedCalls })),
      );
      const { p50Ms, p95Ms, p99Ms, maxMs, drainWindowMs } = expected.durations;
      expect(json.durations).toEqual({ p50Ms, p95Ms, p99Ms, maxMs, drainWindowMs });
    });
  }

  it('hep3-kamailio.pcap (the wire and its HEP copies): the copies are counted apart, in JSON and in the text', async () => {
    const capture = 'fixtures/captures/recorded/hep3-kamailio.pcap';
    const wire = JSON.parse(readFileSync(`${capture}.wire.expected.json`, 'utf8')) as { sipMessages: number; requests: Record<string, number> };
    const count = (filter: string) => execFileSync('tshark', ['-r', capture, '-Y', filter], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').length;
    const packets = count('frame');
    const copies = count('udp.dstport == 9060');
    const json = JSON.parse((await runCli(['analyze', capture, '--json'])).out);
    expect(json.summary).toMatchObject({ packets, sipMessages: wire.sipMessages, mirrorCopies: copies, requests: wire.requests });
    const text = (await runCli(['analyze', capture])).out;
    expect(text).toContain(`${packets} packets, ${wire.sipMessages} SIP messages (${copies} HEP mirror copies set aside), 1 calls`);
  });

  it('aaa.pcap: 403s on initial INVITEs are not reinvite-forbidden and make no revocation; exit 0 by default', async () => {
    const run = await runCli(['analyze', AAA, '--json']);
    const json = JSON.parse(run.out);
    expect(json.findings.filter((finding: { kind: string }) => finding.kind === 'reinvite-forbidden')).toEqual([]);
    expect(json.revocations).toEqual([]);
    expect(json.calls.filter((call: { state: string }) => call.state === 'failed').length).toBeGreaterThan(0);
    expect(json.durations).toEqual({ p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null, drainWindowMs: null });
    expect(run.code).toBe(0);
  });
});

describe('sipscope analyze exit codes and options', () => {
  it('--fail-on selects what fails: kinds, severities', async () => {
    expect((await runCli(['analyze', REVOCATION_UDP, '--fail-on', 'register-forbidden'])).code).toBe(1);
    expect((await runCli(['analyze', REVOCATION_UDP, '--fail-on', 'server-error,no-ack'])).code).toBe(0);
    expect((await runCli(['analyze', AAA, '--fail-on', 'warning'])).code).toBe(1);
    expect((await runCli(['analyze', AAA, '--fail-on', 'auth-rejected'])).code).toBe(1);
    expect((await runCli(['analyze', AAA])).code).toBe(0);
  });

  it('local errors exit 2 with a message naming the problem', async () => {
    const missing = await runCli(['analyze', 'no/such/file.pcap']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no/such/file.pcap');
    const badKind = await runCli(['analyze', AAA, '--fail-on', 'reinvite-forbiden']);
    expect(badKind.code).toBe(2);
    expect(badKind.err).toContain('unknown finding kind reinvite-forbiden');
    const mixed = await runCli(['analyze', AAA, '--fail-on', 'error,warning']);
    expect(mixed.code).toBe(2);
    expect(mixed.err).toContain('--fail-on "error,warning": a severity (error, warning) stands alone');
    const badTime = await runCli(['analyze', AAA, '--since', 'yesterday']);
    expect(badTime.code).toBe(2);
    expect(badTime.err).toContain('--since "yesterday"');
    const notCapture = await runCli(['analyze', 'package.json']);
    expect(notCapture.code).toBe(2);
    expect(notCapture.err).toContain('package.json');
  });

  it('a snaplen-cut capture: problems on stderr with packet number and offset, analysis of what could be read', async () => {
    const run = await runCli(['analyze', 'fixtures/captures/derived/aaa.snap300.pcap', '--json']);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/aaa\.snap300\.pcap, packet \d+, offset \d+: truncated-packet/);
    expect(run.err).toMatch(/missing-call-id-or-cseq/);
    const json = JSON.parse(run.out);
    expect(json.summary.decodeErrors).toBeGreaterThan(0);
    expect(json.summary.sipMessages).toBeGreaterThan(0);
  });

  it('two files, the second cut inside a record: the cut is reported with the merged number of the packet that would follow it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-analyze-cut-'));
    const whole = readFileSync(REVOCATION_UDP);
    // records of a little-endian pcap: 24-byte file header, 16-byte record headers with the captured length at 8
    let at = 24;
    for (let record = 1; record < 13; record++) at += 16 + whole.readUInt32LE(at + 8);
    const cut = join(dir, 'b.pcap');
    writeFileSync(cut, whole.subarray(0, at + 100));
    const run = await runCli(['analyze', AAA, cut, '--json']);
    expect(run.code).toBe(0);
    // the two captures do not overlap in time: b.pcap's 12 packets come after aaa.pcap's
    const aaaPackets = JSON.parse((await runCli(['analyze', AAA, '--json'])).out).summary.packets;
    expect(run.err).toContain(`sipscope analyze: ${cut}, before packet ${aaaPackets + 13}, offset ${at}: truncated-file: file ends inside a packet record`);
  });

  it('--user keeps only that credential', async () => {
    const json = JSON.parse((await runCli(['analyze', REVOCATION_UDP, '--json', '--user', 'bob'])).out);
    expect(json.calls.length).toBe(2);
    expect(json.calls.every((call: { username: string }) => call.username === 'bob')).toBe(true);
    expect(json.findings).toEqual([]);
    expect(json.revocations).toEqual([]);
    expect((await runCli(['analyze', REVOCATION_UDP, '--user', 'bob'])).code).toBe(0);
  });

  // after every initial INVITE of the capture: what is left of each call are its re-INVITEs, ACKs and BYE
  for (const [capture, since] of [
    [REVOCATION_UDP, '2026-11-23T22:13:47Z'],
    [REVOCATION_TCP, '2026-11-23T22:16:33Z'],
  ] as const) {
    it(`${capture}: a call's user is the credential it authenticated with, as tshark reads it, in calls, the table, --user and findings, also when --since cut its INVITE`, async () => {
      for (const window of [[], ['--since', since]]) {
        const credentials = tsharkCallCredentials(capture, window[1]);
        const json = JSON.parse((await runCli(['analyze', capture, '--json', ...window])).out) as {
          calls: Array<{ callId: string; username: string | null }>;
          findings: Array<{ callId?: string; username?: string }>;
        };
        expect(json.calls.length).toBe(5);
        for (const call of json.calls) expect(call.username, `${call.callId} ${window.join(' ')}`).toBe(credentials.get(call.callId) ?? null);
        expect(json.calls.every((call) => call.username !== null)).toBe(true);
        // the reinvite-forbidden findings carry the refused re-INVITE's credential: the call's own
        for (const finding of json.findings.filter((entry) => entry.callId !== undefined && credentials.has(entry.callId))) {
          expect(finding.username).toBe(credentials.get(finding.callId!));
        }
        const table = (await runCli(['calls', capture, ...window])).out.trimEnd().split('\n').slice(1);
        for (const row of table) {
          // columns are two spaces apart (a duration cell holds single spaces)
          const cells = row.split(/\s{2,}/);
          expect(cells[5], row).toBe(credentials.get(cells[7]) ?? '-');
        }
        for (const user of ['alice', 'bob']) {
          const kept = JSON.parse((await runCli(['analyze', capture, '--json', '--user', user, ...window])).out) as { calls: Array<{ callId: string; username: string }> };
          const expected = [...credentials].filter(([callId, username]) => username === user && json.calls.some((call) => call.callId === callId)).map(([callId]) => callId);
          expect(kept.calls.map((call) => call.callId).sort()).toEqual(expected.sort());
          expect(kept.calls.every((call) => call.username === user)).toBe(true);
        }
      }
    });
  }

  it('--user narrows the call durations to that user\'s calls too, in text, --json, --jsonl and the HTML report, and says what stays global', async () => {
    const expected = JSON.parse(readFileSync(`${REVOCATION_UDP}.analysis.expected.json`, 'utf8')) as { calls: Array<{ owner: string; state: string; durationMs?: number }> };
    const rank = (sorted: number[], p: number) => sorted[Math.ceil((p / 100) * sorted.length) - 1];
    for (const user of ['alice', 'bob']) {
      // nearest rank over the user's answered calls ended by BYE, from the tshark-derived calls
      const sorted = expected.calls
        .filter((call) => call.owner === user && (call.state === 'ended' || call.state === 'torn-down'))
        .map((call) => call.durationMs!)
        .sort((a, b) => a - b);
      expect(sorted.length).toBeGreaterThan(0);
      const durations = { p50Ms: rank(sorted, 50), p95Ms: rank(sorted, 95), p99Ms: rank(sorted, 99), maxMs: sorted[sorted.length - 1], drainWindowMs: rank(sorted, 99) };
      const json = JSON.parse((await runCli(['analyze', REVOCATION_UDP, '--json', '--user', user])).out);
      expect(json.durations).toEqual(durations);
      const lines = (await runCli(['analyze', REVOCATION_UDP, '--jsonl', '--user', user])).out.trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.at(-1).durations).toEqual(durations);
      const junit = join(mkdtempSync(join(tmpdir(), 'sipscope-user-')), 'a.xml');
      expect(JSON.parse((await runCli(['analyze', REVOCATION_UDP, '--json', '--user', user, '--junit', junit])).out).durations).toEqual(durations);
      const text = (await runCli(['analyze', REVOCATION_UDP, '--user', user])).out;
      expect(text).toContain(`Call durations (${sorted.length} calls of user ${user} ended with BYE; nearest rank)`);
      expect(text).toContain(`p50 ${(durations.p50Ms / 1000).toFixed(3)} s, p95 ${(durations.p95Ms / 1000).toFixed(3)} s, p99 ${(durations.p99Ms / 1000).toFixed(3)} s, max ${(durations.maxMs / 1000).toFixed(3)} s`);
      // the message counts stay those of every user, and the summary says so
      expect(json.summary.sipMessages).toBe(240);
      expect(json.summary.calls).toBe(json.calls.length);
      expect(text).toMatch(new RegExp(`^  1 file\\(s\\), 240 packets, 240 SIP messages, ${json.calls.length} calls of user ${user}, 0 decode errors$`, 'm'));
      expect(text).toContain(`  --user ${user}: calls, findings, revocations and durations are ${user}'s; packets, messages, requests and responses are everyone's`);
      const html = join(mkdtempSync(join(tmpdir(), 'sipscope-user-')), 'r.html');
      expect((await runCli(['report', REVOCATION_UDP, '--user', user, '-o', html])).code).toBe(0);
      const data = reportDataOf(html);
      expect({ p50Ms: data.durations.p50Ms, p95Ms: data.durations.p95Ms, p99Ms: data.durations.p99Ms, maxMs: data.durations.maxMs, drainWindowMs: data.durations.drainWindowMs }).toEqual(durations);
      expect(data.histogram.counts.reduce((sum, count) => sum + count, 0)).toBe(sorted.length);
      expect(data.user).toBe(user);
    }
    // without --user: every call, no label
    const all = (await runCli(['analyze', REVOCATION_UDP])).out;
    expect(all).toContain('Call durations (5 calls ended with BYE; nearest rank)');
    expect(all).not.toContain('--user');
  });

  describe('a call still up when --until ends the analysis was up when the window ended, not the capture', () => {
    const micros = (iso: string) => Date.parse(iso) * 1000 + Number(/\.\d{3}(\d{3})Z$/.exec(iso)?.[1] ?? 0);
    const seconds = (us: number) => `${(us / 1e6).toFixed(3)} s`;
    interface Doc {
      findings: Array<{ kind: string; callId: string; time: string; packets: number[]; message: string }>;
    }

    it('revocation-udp.pcap --until: every call is up at T and is judged there, T - answer later (answers from tshark)', async () => {
      const until = '2026-11-23T22:13:50Z';
      const expected = JSON.parse(readFileSync(`${REVOCATION_UDP}.analysis.expected.json`, 'utf8')) as { calls: Array<{ callId: string; answered: string; end: string }> };
      // the capture goes on after T: every call ends (BYE) later
      expect(expected.calls.every((call) => call.end > until)).toBe(true);
      const run = await runCli(['analyze', REVOCATION_UDP, '--until', until, '--json', '--fail-on', 'info']);
      const orphans = (JSON.parse(run.out) as Doc).findings.filter((finding) => finding.kind === 'orphan-call');
      expect(orphans.map((finding) => finding.callId).sort()).toEqual(expected.calls.map((call) => call.callId).sort());
      for (const call of expected.calls) {
        const orphan = orphans.find((finding) => finding.callId === call.callId)!;
        expect(orphan.message).toBe(`call answered and still up when the analysis window (--until 2026-11-23T22:13:50.000000Z) ended, ${seconds(micros(until) - micros(call.answered))} later`);
      }
      expect(run.out).not.toContain('the capture');
    });

    it('--since too: a call whose INVITE the window cut off was answered before the window began; its first message in the window is the evidence (tshark)', async () => {
      const since = '2026-11-23T22:13:47Z';
      const doc = JSON.parse((await runCli(['analyze', REVOCATION_UDP, '--since', since, '--until', '2026-11-23T22:13:50Z', '--json', '--fail-on', 'info'])).out) as Doc;
      const orphans = doc.findings.filter((finding) => finding.kind === 'orphan-call');
      expect(orphans).toHaveLength(5);
      for (const orphan of orphans) {
        const first = execFileSync('tshark', ['-r', REVOCATION_UDP, '-Y', `sip.Call-ID == "${orphan.callId}" && frame.time_epoch >= ${Date.parse(since) / 1000}`, '-T', 'fields', '-e', 'frame.number'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).split('\n')[0];
        expect(orphan.packets).toEqual([Number(first)]);
        expect(orphan.message).toMatch(
          /^call answered before the analysis window \(--since 2026-11-23T22:13:47\.000000Z\) began and still up when the analysis window \(--until 2026-11-23T22:13:50\.000000Z\) ended, \d+\.\d{3} s later$/,
        );
      }
    });

    it('trouble-udp.pcap --until: a 2xx never ACKed up to T is no-ack when T is 32 s after it, though the last message before T is not', async () => {
      const capture = 'fixtures/captures/recorded/trouble-udp.pcap';
      const until = '2026-11-23T22:45:35Z';
      const expected = JSON.parse(readFileSync(`${capture}.analysis.expected.json`, 'utf8')) as { findings: Array<{ kind: string; callId: string; time: string }> };
      const twoHundred = expected.findings.find((finding) => finding.kind === 'no-ack')!;
      const doc = JSON.parse((await runCli(['analyze', capture, '--until', until, '--json', '--fail-on', 'info'])).out) as Doc;
      const noAck = doc.findings.filter((finding) => finding.kind === 'no-ack');
      expect(noAck.map((finding) => [finding.callId, finding.time])).toEqual([[twoHundred.callId, twoHundred.time]]);
      expect(noAck[0].message).toBe(`2xx to INVITE (CSeq 2) never ACKed in the ${seconds(micros(until) - micros(twoHundred.time))} the analysis window (--until 2026-11-23T22:45:35.000000Z) went on`);
      // --until after the capture's end cuts nothing: the capture ended
      const whole = (JSON.parse((await runCli(['analyze', capture, '--until', '2026-11-23T23:00:00Z', '--json', '--fail-on', 'info'])).out) as Doc).findings;
      expect(whole.filter((finding) => finding.kind === 'orphan-call').every((finding) => /still up when the capture ended, /.test(finding.message))).toBe(true);
      expect(whole.find((finding) => finding.kind === 'no-ack')!.message).toMatch(/the capture went on$/);
    });
  });

  it('--since/--until cut the messages by capture time', async () => {
    const full = JSON.parse((await runCli(['analyze', REVOCATION_UDP, '--json'])).out);
    const revokedAt = full.revocations[0].firstForbidden;
    const before = JSON.parse((await runCli(['analyze', REVOCATION_UDP, '--json', '--until', revokedAt])).out);
    expect(before.summary.sipMessages).toBeLessThan(full.summary.sipMessages);
    expect(before.findings.filter((finding: { kind: string }) => finding.kind === 'reinvite-forbidden').length).toBe(1);
    const after = JSON.parse((await runCli(['analyze', REVOCATION_UDP, '--json', '--since', revokedAt])).out);
    expect(before.summary.sipMessages + after.summary.sipMessages).toBe(full.summary.sipMessages + 1); // the 403 is in both
  });

  it('a retransmission storm says what was sent again: the 2xx resent for want of an ACK, counted as tshark sees it', async () => {
    const capture = 'fixtures/captures/recorded/trouble-udp.pcap';
    const callId = '1-385@127.0.0.45';
    const doc = JSON.parse((await runCli(['analyze', capture, '--json', '--fail-on', 'info'])).out) as { findings: Array<{ kind: string; callId?: string; message: string }> };
    const storms = doc.findings.filter((finding) => finding.kind === 'retransmission-storm' && finding.callId === callId);
    // one INVITE transaction per hop (caller -> proxy, proxy -> callee), each with its 200 resent
    expect(storms.length).toBeGreaterThan(0);
    const sends = storms.map((storm) => {
      expect(storm.message).toMatch(/^INVITE \(CSeq 2\) retransmitted \d+ times \(request sent once, 200 sent (\d+) times, final 200\)$/);
      return Number(/200 sent (\d+) times/.exec(storm.message)![1]);
    });
    const tshark = execFileSync('tshark', ['-r', capture, '-Y', `sip.Call-ID == "${callId}" && sip.Status-Code == 200 && sip.CSeq.method == "INVITE"`, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' });
    expect(sends.reduce((sum, count) => sum + count, 0)).toBe(tshark.trim().split('\n').length);
  });

  it('a drain window from calls whose INVITE --since or the capture cut off is said to be a lower bound, naming which cut it', async () => {
    const full = (await runCli(['analyze', REVOCATION_UDP])).out;
    expect(full).toMatch(/a drain window of 10\.348 s would have saved every damaged call \(longest start-to-403 time\)\n/);
    const cut = (await runCli(['analyze', REVOCATION_UDP, '--since', '2026-11-23T22:13:50Z'])).out;
    expect(cut).toMatch(/a drain window of at least \d+\.\d{3} s would have saved every damaged call \(longest start-to-403 time; a damaged call began before --since 2026-11-23T22:13:50\.000000Z: its start is not seen\)\n/);
    // the same story captured from 22:13:50 on (editcap -A): the capture began after the damaged calls' INVITEs
    const late = join(mkdtempSync(join(tmpdir(), 'sipscope-late-')), 'late.pcap');
    execFileSync('editcap', ['-A', '2026-11-23T22:13:50Z', REVOCATION_UDP, late]);
    const capture = (await runCli(['analyze', late])).out;
    expect(capture).toMatch(/a drain window of at least \d+\.\d{3} s would have saved every damaged call \(longest start-to-403 time; a damaged call began before the capture started: its start is not seen\)\n/);
    // --since before the capture's first message cuts nothing: still the capture
    expect((await runCli(['analyze', late, '--since', '2026-11-23T22:13:40Z'])).out).toContain('a damaged call began before the capture started: its start is not seen');
  });

  it('--junit writes a JUnit report with the damaged calls as failures', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-junit-'));
    const path = join(dir, 'analysis.xml');
    const run = await runCli(['analyze', REVOCATION_UDP, '--junit', path]);
    expect(run.code).toBe(1);
    const xml = readFileSync(path, 'utf8');
    expect(xml).toMatch(/^<\?xml/);
    const failures = [...xml.matchAll(/<testcase name="call ([^"]+)"[^>]*>\s*<failure/g)].map((match) => match[1]).sort();
    const expected = JSON.parse(readFileSync(`${REVOCATION_UDP}.analysis.expected.json`, 'utf8')) as Expected;
    const damaged = expected.findings.filter((finding) => finding.kind === 'reinvite-forbidden').map((finding) => finding.callId!).sort();
    expect(failures).toEqual(damaged);
    expect(xml).toContain('register-forbidden');
    const unwritable = await runCli(['analyze', REVOCATION_UDP, '--junit', join(dir, 'missing-dir', 'x.xml')]);
    expect(unwritable.code).toBe(2);
  });

  it('text output names the findings, the timeline and the drain window', async () => {
    const run = await runCli(['analyze', REVOCATION_UDP]);
    expect(run.out).toContain('ERROR   reinvite-forbidden');
    expect(run.out).toMatch(/alice: last success \S+, first 403 \S+/);
    expect(run.out).toContain('recommended drain window (p99 rule');
    expect(run.err).toBe('');
  });

  it('progress bar only on an interactive stderr and for large input', async () => {
    const run = await runCli(['analyze', REVOCATION_UDP], { interactive: true });
    expect(run.err).toBe(''); // small file: no bar even on a terminal
    const big = 'fixtures/captures/public/heplify/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap';
    const withBar = await runCli(['analyze', big], { interactive: true, env: { SIPSCOPE_PROGRESS_MIN_BYTES: '1' } });
    const lines = withBar.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^analyze: \[[#.]{30}\] \d+% of [\d.]+ MiB$/);
    expect(lines[lines.length - 1]).toMatch(/^(\u001b\[1A\u001b\[2K)?analyze: \[#{30}\] 100% of/);
    for (const line of lines.slice(1)) expect(line.startsWith('\u001b[1A\u001b[2K')).toBe(true);
    expect(withBar.out).toContain('Summary');
    const notTty = await runCli(['analyze', big], { interactive: false, env: { SIPSCOPE_PROGRESS_MIN_BYTES: '1' } });
    expect(notTty.err).toBe('');
  });
});
