/**
 * Live sources of `sipscope analyze` fed with bad input (issue 9): HEP that is not HEP, malformed HEP, HEP from a
 * sender not accepted, a pcap stream cut inside a record. Each is reported and counted, never fatal, and the
 * good input around it is analysed. The good HEP datagrams are the ones Kamailio's siptrace sent in
 * fixtures/captures/recorded/hep3-kamailio.pcap (read out with tshark). Each run listens on ports the system picks
 * (--hep-listen and --metrics on port 0) and sends only after analyze has named them: a fixed port is shared with
 * any other run of this file (another worktree's suite), whose listener then took our datagrams and answered our
 * /metrics (sipscope_messages_total 14 or 0 where 9 was expected).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricsText } from '../../src/cli/commands/analyze-live.js';
import { runCli, type CliRun } from './analysis-cli-helpers.js';
import { HEP3, hepDatagrams, send } from './hep-datagrams.js';

/** What tshark sees on the wire of that capture: the messages the HEP copies are of. */
const WIRE = JSON.parse(readFileSync(`${HEP3}.wire.expected.json`, 'utf8')) as { sipMessages: number; requests: Record<string, number>; responses: Record<string, number> };

/**
 * A HEP3 datagram as a second agent would send it: capture id (chunk 0x000c) 2002 instead of Kamailio's 2001, the
 * timestamp's microseconds (chunk 0x000a) 300 later (or earlier at the end of a second).
 */
function asSecondAgent(datagram: Buffer): Buffer {
  const copy = Buffer.from(datagram);
  expect(copy.subarray(0, 4).toString('latin1')).toBe('HEP3');
  for (let at = 6; at + 6 <= copy.length; at += copy.readUInt16BE(at + 4)) {
    const type = copy.readUInt16BE(at + 2);
    if (type === 0x000c) copy.writeUInt32BE(2002, at + 6);
    if (type === 0x000a) {
      const micros = copy.readUInt32BE(at + 6);
      copy.writeUInt32BE(micros + 300 < 1_000_000 ? micros + 300 : micros - 300, at + 6);
    }
  }
  return copy;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LiveRun {
  run: Promise<CliRun>;
  hepPort: number;
  metricsPort: number;
}

/**
 * `analyze --hep-listen 127.0.0.1:0 --metrics 127.0.0.1:0 ...args`, resolved once it has said where it listens: the
 * metrics line comes when that server is bound, the HEP line when the socket is (the last thing before datagrams
 * are read). A run that ends before (a bind that failed) fails here with what it said.
 */
async function startLive(args: string[]): Promise<LiveRun> {
  let metricsPort: number | undefined;
  let listening!: (hepPort: number) => void;
  const hepBound = new Promise<number>((resolve) => (listening = resolve));
  const run = runCli(['analyze', '--hep-listen', '127.0.0.1:0', '--metrics', '127.0.0.1:0', ...args], {
    onErr(text) {
      metricsPort ??= Number(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(text)?.[1]) || undefined;
      const hep = /listening for HEP on 127\.0\.0\.1:(\d+) /.exec(text);
      if (hep) listening(Number(hep[1]));
    },
  });
  const hepPort = await Promise.race([hepBound, run.then((ended) => Promise.reject(new Error(`analyze ended before listening (exit ${ended.code}): ${ended.err}`)))]);
  expect(metricsPort).toBeGreaterThan(0);
  expect(hepPort).toBeGreaterThan(0);
  return { run, hepPort, metricsPort: metricsPort! };
}

describe('analyze --hep-listen', () => {
  it('analyses the HEP copies of real traffic; non-HEP, malformed HEP and unexpected senders are reported, counted, not fatal', { timeout: 30_000 }, async () => {
    const good = hepDatagrams();
    expect(good.length).toBe(10);
    const { run, hepPort, metricsPort } = await startLive(['--hep-from', '127.0.0.1', '--jsonl', '--fail-on', 'info']);
    const malformed = Buffer.concat([Buffer.from('HEP3'), Buffer.from([0x00, 0x40, 0x00, 0x00, 0x00, 0x01, 0x00, 0xff])]);
    const garbage = Array.from({ length: 1500 }, (_, i) => Buffer.from(`not hep ${i} ${'x'.repeat(i % 200)}`));
    await send(good.slice(0, 5), hepPort);
    await send([malformed], hepPort);
    await send(good.slice(0, 1), hepPort, '127.0.0.2');
    await send(garbage, hepPort);
    await send(good.slice(5), hepPort);
    await sleep(300);
    const heapBefore = process.memoryUsage().heapUsed;
    await send(garbage, hepPort);
    await sleep(300);
    // bad input keeps nothing: 1500 more datagrams do not grow the heap by more than a few MB
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(8 * 1024 * 1024);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    // the messages on the wire (tshark's count), each once: Kamailio mirrors the ACK twice, the second is set aside
    expect(metrics).toContain(`\nsipscope_messages_total ${WIRE.sipMessages}\n`);
    expect(metrics).toContain(`\nsipscope_mirror_copies_total ${good.length - WIRE.sipMessages}\n`);
    expect(metrics).toContain('\nsipscope_decode_errors_total 3002\n');
    expect(metrics).toMatch(/\nsipscope_calls_(active 1|finished_total 1)\n/);
    process.emit('SIGTERM');
    const { code, out, err } = await run;
    expect(code).toBe(0);
    const events = out.trim().split('\n').map((line) => JSON.parse(line));
    const summary = events.at(-1);
    expect(summary.type).toBe('summary');
    expect(summary.sipMessages).toBe(WIRE.sipMessages);
    expect(summary.mirrorCopies).toBe(good.length - WIRE.sipMessages);
    expect(summary.packets).toBe(10 + 1 + 1 + 3000);
    expect(summary.decodeErrors).toBe(1 + 1 + 3000);
    expect(err).toContain(`hep:127.0.0.1:${hepPort}, packet 6, offset 0: hep-bad-`);
    expect(err).toMatch(/, packet 6, offset 0: hep-bad-[a-z]+: HEP3 total length 64/);
    expect(err).toMatch(/hep-unexpected-sender: HEP datagram from 127\.0\.0\.2:\d+/);
    expect(err).toMatch(/hep-not-hep: datagram of \d+ bytes from 127\.0\.0\.1/);
    // bounded reporting: 20 lines one by one, then one line per 1000
    expect(err.split('\n').filter((line) => /: hep-not-hep: /.test(line)).length).toBeLessThanOrEqual(20);
    expect(err).toMatch(/3000 input problems so far/);

    // the same messages analysed from the capture (its HEP copies; the wire copies are on other ports)
    const offline = JSON.parse((await runCli(['analyze', HEP3, '--json', '--fail-on', 'info'])).out);
    const calls = events.filter((event) => event.type === 'call').map(({ callId, state, from, to }) => ({ callId, state, from, to }));
    expect(calls).toEqual(offline.calls.map(({ callId, state, from, to }: Record<string, string>) => ({ callId, state, from, to })));
  });

  it('two agents mirroring the same messages: each message analysed once, the second copies set aside', { timeout: 30_000 }, async () => {
    const good = hepDatagrams();
    const { run, hepPort, metricsPort } = await startLive(['--hep-from', '127.0.0.1,127.0.0.2', '--jsonl', '--fail-on', 'info']);
    // the second agent: its own capture id, its clock 300 µs later; the SIP bytes and the addresses are the same.
    // Each message's two copies come together, as two agents send them while the traffic goes on.
    for (const datagram of good) {
      await send([datagram], hepPort, '127.0.0.1');
      await send([asSecondAgent(datagram)], hepPort, '127.0.0.2');
    }
    await sleep(300);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain(`\nsipscope_messages_total ${WIRE.sipMessages}\n`);
    process.emit('SIGTERM');
    const { code, out } = await run;
    expect(code).toBe(0);
    const events = out.trim().split('\n').map((line) => JSON.parse(line));
    const summary = events.at(-1);
    expect(summary).toMatchObject({ type: 'summary', sipMessages: WIRE.sipMessages, mirrorCopies: 2 * good.length - WIRE.sipMessages, requests: WIRE.requests, responses: WIRE.responses, decodeErrors: 0 });
    expect(events.filter((event) => event.type === 'finding')).toEqual([]);
  });

  it('a bad --hep-listen address is a local error (exit 2)', async () => {
    const run = await runCli(['analyze', '--hep-listen', 'nowhere']);
    expect(run.code).toBe(2);
    expect(run.err).toContain('--hep-listen "nowhere" is not ADDRESS:PORT');
  });
});

describe('analyze - --follow on a pcap stream cut inside a record', () => {
  it('reports the cut, analyses what came before it and ends with the summary', { timeout: 30_000 }, async () => {
    const capture = readFileSync('fixtures/captures/recorded/revocation-udp.pcap');
    const cut = capture.subarray(0, Math.floor(capture.length * 0.6));
    const child = spawn(process.execPath, ['bin/sipscope.js', 'analyze', '-', '--follow', '--jsonl', '--fail-on', 'info'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.stdin.end(cut);
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBeLessThanOrEqual(1);
    expect(err).toMatch(/-.*(truncat|cut|ends inside)/i);
    const summary = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(summary.type).toBe('summary');
    expect(summary.decodeErrors).toBeGreaterThanOrEqual(1);
    expect(summary.sipMessages).toBeGreaterThan(100);
  });
});

describe('analyze - --follow ended by Ctrl-C or SIGTERM', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} while the stream is open ends it as its end would: summary, no read error, exit by the findings`, { timeout: 30_000 }, async () => {
      const capture = readFileSync('fixtures/captures/recorded/revocation-udp.pcap');
      const child = spawn(process.execPath, ['bin/sipscope.js', 'analyze', '-', '--follow', '--jsonl'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (err += chunk));
      // the whole capture, the stream left open as tcpdump leaves it
      child.stdin.write(capture);
      for (let waited = 0; waited < 20_000 && !out.includes('"type":"finding"'); waited += 100) await sleep(100);
      child.kill(signal);
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(err).toBe('');
      expect(code).toBe(1); // the capture's re-INVITE 403s, as `analyze` of the file says
      const summary = JSON.parse(out.trim().split('\n').at(-1)!);
      expect(summary).toMatchObject({ type: 'summary', packets: 240, sipMessages: 240, decodeErrors: 0 });
    });
  }
});

describe('analyze - --follow stopped before the first byte', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} before stdin gave anything: an empty summary and exit 0, not an "empty input" error`, { timeout: 30_000 }, async () => {
      // --metrics only for its line on stderr: the run handles Ctrl-C and SIGTERM from the moment it is written
      const child = spawn(process.execPath, ['bin/sipscope.js', 'analyze', '-', '--follow', '--jsonl', '--metrics', '127.0.0.1:0'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => (err += chunk));
      for (let waited = 0; waited < 20_000 && !err.includes('/metrics\n'); waited += 50) await sleep(50);
      child.kill(signal);
      const code = await new Promise((resolve) => child.on('close', resolve));
      child.stdin.destroy();
      expect(err).toMatch(/^sipscope analyze: metrics on http:\/\/127\.0\.0\.1:\d+\/metrics\n$/);
      expect(code).toBe(0);
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ type: 'summary', packets: 0, sipMessages: 0, calls: 0, decodeErrors: 0 });
    });
  }
});

describe('a live run stopped as soon as it names its address', () => {
  it('SIGTERM at the "listening for HEP" line: the summary and exit 0, every time (the line came before the handler)', { timeout: 60_000 }, async () => {
    for (let run = 0; run < 8; run++) {
      const child = spawn(process.execPath, ['bin/sipscope.js', 'analyze', '--hep-listen', '127.0.0.1:0', '--jsonl'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      child.stderr.on('data', (chunk) => {
        err += chunk;
        if (err.includes('listening for HEP on')) child.kill('SIGTERM');
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code, `run ${run}: ${err}`).toBe(0);
      expect(JSON.parse(out.trim())).toMatchObject({ type: 'summary', packets: 0, sipMessages: 0 });
    }
  });
});

describe('an input that is really empty stays an error naming it', () => {
  it('analyze /dev/null and analyze - < /dev/null (no --follow): exit 2, "empty"', async () => {
    for (const [args, name] of [[['/dev/null'], '/dev/null'], [['-'], '-']] as const) {
      const run = spawnSync(process.execPath, ['bin/sipscope.js', 'analyze', ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`${name}: empty (0 bytes)`);
    }
  });
});

describe('metrics text', () => {
  it('is the Prometheus text format with HELP/TYPE per family and escaped label values', () => {
    const text = metricsText({ decodeErrors: 2, findings: new Map([['reinvite-forbidden', 3]]) });
    expect(text).toContain('# TYPE sipscope_messages_total counter\nsipscope_messages_total 0\n');
    expect(text).toContain('sipscope_findings_total{kind="reinvite-forbidden"} 3');
    expect(text).toContain('sipscope_decode_errors_total 2');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('reads back exactly under the text format grammar, usernames from the traffic escaped (backslash, quote, newline)', () => {
    const usernames = ['a"b', 'back\\slash', 'new\nline', 'tab\tand é ☃', ''];
    const analyzer = { counters: () => ({ sipMessages: 5, mirrorCopies: 1, unusableMessages: 1, callsActive: 2, callsFinished: 3, forbiddenByUser: new Map(usernames.map((name, n) => [name, n + 1])) }) };
    const text = metricsText({ analyzer: analyzer as never, decodeErrors: 2, findings: new Map([['reinvite-forbidden', 3]]) });
    const types = new Map<string, string>();
    const forbidden = new Map<string, number>();
    for (const line of text.slice(0, -1).split('\n')) {
      const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
      if (comment) {
        if (comment[1] === 'TYPE') types.set(comment[2], comment[3]);
        continue;
      }
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"\})? (\d+)$/.exec(line);
      expect(sample, `a sample line: ${JSON.stringify(line)}`).not.toBeNull();
      const [, name, labelName, escaped, value] = sample!;
      expect(types.has(name), `${name} has its TYPE before its samples`).toBe(true);
      if (types.get(name) === 'counter') expect(name).toMatch(/_total$/);
      if (name === 'sipscope_forbidden_total') {
        expect(labelName).toBe('username');
        forbidden.set(escaped.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)), Number(value));
      }
    }
    expect(forbidden).toEqual(new Map(usernames.map((name, n) => [name, n + 1])));
  });
});
