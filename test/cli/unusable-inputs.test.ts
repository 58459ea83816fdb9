/**
 * Several capture files, one of them unusable (missing, under a directory that does not exist, a directory, empty,
 * not a capture): every command that reads captures names each unusable input and why on stderr, reads the others
 * as it would have without it, and exits 2 (EXIT.local), as lint does for a file it cannot read. Before, decode,
 * analyze, calls, flow, extract and report printed nothing of the readable files and stopped at the first bad one.
 * Expected counts are tshark's (the fixtures' *.analysis.expected.json, derived by fixtures/expect/).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ethernet, ipv4, pcap, udp as udpDatagram } from '../capture/capture-bytes.js';
import { REVOCATION_UDP, runCli } from './analysis-cli-helpers.js';

const IPV6 = 'fixtures/captures/recorded/ipv6.pcapng';
const tshark = (capture: string) => JSON.parse(readFileSync(`${capture}.analysis.expected.json`, 'utf8')) as { summary: { sipMessages: number; calls: number }; calls: Array<{ callId: string }> };
const udp = tshark(REVOCATION_UDP);
const ipv6 = tshark(IPV6);

const dir = mkdtempSync(join(tmpdir(), 'sipscope-unusable-'));
mkdirSync(join(dir, 'a-directory'));
writeFileSync(join(dir, 'empty.pcap'), '');
writeFileSync(join(dir, 'notes.txt'), 'hello, not a capture\n');

/** Each unusable input, and what its stderr line says of it (code and reason). */
const UNUSABLE: Array<[string, string, RegExp]> = [
  ['a missing file', join(dir, 'missing.pcap'), /unreadable-file: cannot read: ENOENT/],
  ['a file under a missing directory', join(dir, 'no-such-dir', 'x.pcap'), /unreadable-file: cannot read: ENOENT/],
  ['a directory', join(dir, 'a-directory'), /unreadable-file: cannot read: EISDIR/],
  ['an empty file', join(dir, 'empty.pcap'), /empty-file: empty \(0 bytes\)/],
  ['a file that is no capture', join(dir, 'notes.txt'), /unrecognised-format: not a pcap or pcapng capture/],
];

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const namesSkipped = (stderr: string, command: string, bad: string, reason: RegExp) => {
  expect(stderr).toMatch(new RegExp(`^sipscope ${command}: ${escaped(bad)}: ${reason.source}.*: input skipped, the other inputs are read`, 'm'));
};

describe.each(UNUSABLE)('%s among good captures', (_name, bad, reason) => {
  it('decode prints the messages of the readable files, names the unusable one, exits 2', async () => {
    const run = await runCli(['decode', REVOCATION_UDP, bad, IPV6]);
    expect(run.code, run.err).toBe(2);
    expect(run.out.trim().split('\n')).toHaveLength(udp.summary.sipMessages + ipv6.summary.sipMessages);
    namesSkipped(run.err, 'decode', bad, reason);
  });

  it('decode --merged says that the packet numbers are those of the files read', async () => {
    const run = await runCli(['decode', REVOCATION_UDP, bad, IPV6, '--merged', '--max-issues', '0']);
    expect(run.code, run.err).toBe(2);
    expect(run.out.trim().split('\n')).toHaveLength(udp.summary.sipMessages + ipv6.summary.sipMessages);
    // shown even with --max-issues 0: it is no decode issue of a packet but an input not read at all
    expect(run.err).toMatch(/input skipped, the other inputs are read; packet numbers count only the packets of the inputs read/);
  });

  it('analyze --json reports the readable files and lists the unusable one in its summary', async () => {
    const run = await runCli(['analyze', REVOCATION_UDP, bad, IPV6, '--json']);
    expect(run.code, run.err).toBe(2);
    const summary = JSON.parse(run.out).summary;
    expect(summary).toMatchObject({ files: 2, sipMessages: udp.summary.sipMessages + ipv6.summary.sipMessages, unusableInputs: [bad] });
    namesSkipped(run.err, 'analyze', bad, reason);
  });

  it('calls lists the calls of the readable files', async () => {
    const run = await runCli(['calls', REVOCATION_UDP, bad, IPV6]);
    expect(run.code, run.err).toBe(2);
    for (const call of [...udp.calls, ...ipv6.calls]) expect(run.out).toContain(call.callId);
    namesSkipped(run.err, 'calls', bad, reason);
  });

  it('flow shows a call of a readable file', async () => {
    const run = await runCli(['flow', bad, IPV6, '--call-id', ipv6.calls[0].callId]);
    expect(run.code, run.err).toBe(2);
    expect(run.out).toContain('INVITE');
    namesSkipped(run.err, 'flow', bad, reason);
  });
});

describe('the commands that write a file', () => {
  const [, bad, reason] = UNUSABLE[0];

  it('extract writes the call from the readable files, the same packets as without the unusable one', async () => {
    const callId = ipv6.calls[0].callId;
    const without = await runCli(['extract', REVOCATION_UDP, IPV6, '--call-id', callId, '-o', join(dir, 'without.pcap')]);
    expect(without.code, without.err).toBe(0);
    const run = await runCli(['extract', REVOCATION_UDP, bad, IPV6, '--call-id', callId, '-o', join(dir, 'with.pcap')]);
    expect(run.code, run.err).toBe(2);
    namesSkipped(run.err, 'extract', bad, reason);
    expect(readFileSync(join(dir, 'with.pcap')).equals(readFileSync(join(dir, 'without.pcap')))).toBe(true);
  });

  it('report writes the HTML report of the readable files', async () => {
    const output = join(dir, 'report.html');
    const run = await runCli(['report', REVOCATION_UDP, bad, IPV6, '-o', output]);
    expect(run.code, run.err).toBe(2);
    expect(readFileSync(output, 'utf8')).toContain(ipv6.calls[0].callId);
    namesSkipped(run.err, 'report', bad, reason);
  });

  it('analyze --dataset writes the dataset of the readable files', async () => {
    const run = await runCli(['analyze', REVOCATION_UDP, bad, IPV6, '--dataset', join(dir, 'ds'), '--host', 'sbc1', '--json']);
    expect(run.code, run.err).toBe(2);
    namesSkipped(run.err, 'analyze', bad, reason);
    const query = await runCli(['query', join(dir, 'ds'), 'SELECT count(*) AS calls FROM calls', '--json']);
    expect(query.code, query.err).toBe(0);
    expect(JSON.parse(query.out)[0].calls).toBe(udp.summary.calls + ipv6.summary.calls);
  });
});

describe('one readable file left, read as one capture', () => {
  it("still reports that file's own damage (a cut last record)", async () => {
    const whole = readFileSync(REVOCATION_UDP);
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const alone = await runCli(['decode', cut]);
    expect(alone.err).toMatch(/truncated-file/);
    for (const command of [['decode', '--merged'], ['calls']]) {
      const run = await runCli([command[0], cut, UNUSABLE[0][1], ...command.slice(1)]);
      expect(run.code, run.err).toBe(2);
      expect(run.err, command[0]).toMatch(/truncated-file/);
    }
  });
});

describe('the inputs read hold no SIP message, another input was skipped', () => {
  // one UDP datagram on port 5060 that is no SIP message (no start line): tshark finds no SIP in it either
  const noSip = join(dir, 'no-sip.pcap');
  writeFileSync(noSip, pcap([{ timeUs: 1_700_000_000_000_000, bytes: ethernet(ipv4(udpDatagram(Buffer.from('hello, no SIP here\r\n')))) }]));
  const [, missing] = UNUSABLE[0];
  // the one wording of every command: the input read is said to hold nothing, the skipped one is named apart as not read
  const where = `in ${noSip} (not read, skipped above: ${missing})`;

  it('the capture made holds no SIP message for tshark', () => {
    expect(execFileSync('tshark', ['-r', noSip, '-Y', 'sip'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()).toBe('');
  });

  it('flow and extract: the missing Call-ID is looked for only in the input read, and the calls hint lists only it', async () => {
    for (const command of [['flow'], ['extract', '-o', join(dir, 'nothing.pcap')]]) {
      const run = await runCli([command[0], missing, noSip, '--call-id', 'nope', ...command.slice(1)]);
      expect(run.code).toBe(2);
      expect(run.err).toContain(`sipscope ${command[0]}: no SIP message with Call-ID "nope" ${where}; list them with: sipscope calls ${noSip}\n`);
    }
  });

  it('calls says it found no call in the input read', async () => {
    const run = await runCli(['calls', missing, noSip]);
    expect(run.code).toBe(2);
    expect(run.out.trim()).toBe(`no calls (no INVITE) ${where}`);
  });

  it('decode and analyze say on stderr that the input read holds no SIP message', async () => {
    for (const command of [['decode'], ['analyze'], ['analyze', '--json']]) {
      const run = await runCli([command[0], missing, noSip, ...command.slice(1)]);
      expect(run.code).toBe(2);
      expect(run.err).toContain(`sipscope ${command[0]}: no SIP message ${where}\n`);
    }
  });

  it('with every input read, the same wording names them all', async () => {
    const run = await runCli(['decode', noSip, noSip]);
    expect(run.code).toBe(0);
    expect(run.err).toBe(`sipscope decode: no SIP message in ${noSip} ${noSip}\n`);
    const calls = await runCli(['calls', noSip]);
    expect(calls.out.trim()).toBe(`no calls (no INVITE) in ${noSip}`);
  });
});

describe('no input can be read', () => {
  it('names every one of them, exits 2, prints no output', async () => {
    const inputs = UNUSABLE.map(([, file]) => file);
    const run = await runCli(['decode', ...inputs]);
    expect(run.code).toBe(2);
    expect(run.out).toBe('');
    expect(run.err).toMatch(/no-usable-input|none of the 5 inputs can be read/);
    for (const [, file, reason] of UNUSABLE) expect(run.err).toMatch(new RegExp(`${escaped(file)}: ${reason.source.replace(/^\w[\w-]*: /, '')}`));
  });

  it('one input alone keeps its own error', async () => {
    const run = await runCli(['decode', UNUSABLE[0][1]]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^sipscope decode: \S+missing\.pcap: cannot read: ENOENT/);
  });
});
