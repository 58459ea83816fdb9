/**
 * The live promise of `analyze - --follow` (README, "Live sources"): a call or finding is reported within a second
 * of the packet that completes it, also when the traffic then stops. tcpdump runs as the README says (its command
 * line is taken from the README) while SIPp calls; the time each event comes out of sipscope is compared with the
 * capture time of the packet it is about (loopback: one clock). Ports 27840-27845. Run under the interop lock.
 *
 * - tcpdump without --immediate-mode hands packets on when libpcap's buffer times out (TPACKET_V3 blocks, up to a
 *   second on a quiet link): findings came 0.5-1 s after their 503, a call over a second after its BYE.
 * - A call attempt nobody answers (a SIP scanner's INVITE) was held until the end of the run: never reported live,
 *   its invite-timeout neither, and a flood of them grew memory without bound (up to the 200,000-call limit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface Event {
  type: string;
  kind?: string;
  state?: string;
  end?: string | null;
  time?: string;
  at: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The README's live command, on loopback and our port. */
function readmeFollowCommand(port: number): string {
  const line = readFileSync('README.md', 'utf8').split('\n').find((text) => /^tcpdump .*\| sipscope analyze - --follow --jsonl/.test(text));
  expect(line, 'the README shows a tcpdump | sipscope analyze - --follow command').toBeDefined();
  const command = line!.replace(/\s+#.*$/, '');
  return command.replace('-i any', '-i lo').replace(/port 5060/, `udp port ${port}`).replace('sipscope', `${process.execPath} bin/sipscope.js`);
}

function startFollow(command: string): { shell: ChildProcess; events: Event[]; closed: Promise<void> } {
  const shell = spawn('bash', ['-c', `${command} --fail-on info`], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  const events: Event[] = [];
  let pending = '';
  shell.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) events.push({ ...JSON.parse(line), at: Date.now() });
  });
  return { shell, events, closed: new Promise((resolve) => shell.on('close', () => resolve())) };
}

/** tcpdump and sipscope: the pipeline's process group (tcpdump ends on SIGINT and the stream with it). */
async function stop(run: { shell: ChildProcess; closed: Promise<void> }): Promise<void> {
  try {
    process.kill(-run.shell.pid!, 'SIGINT');
  } catch {
    // already gone
  }
  await Promise.race([run.closed, sleep(5000)]);
  try {
    process.kill(-run.shell.pid!, 'SIGKILL');
  } catch {
    // ended
  }
}

function runSipp(args: string[]): Promise<void> {
  return new Promise((resolve) => spawn('sipp', args, { stdio: 'ignore' }).on('close', () => resolve()));
}

describe('analyze - --follow behind the README tcpdump command', () => {
  it('findings within 250 ms of the response they are about', { timeout: 60_000 }, async () => {
    const uasPort = 27840;
    const run = startFollow(readmeFollowCommand(uasPort));
    const uas = spawn('sipp', ['-sf', 'test/interop/sipp/uas-503.xml', '-i', '127.0.0.1', '-p', String(uasPort), '-nostdin'], { stdio: 'ignore' });
    try {
      await sleep(2000);
      // three calls refused 503 (a server-error finding each, at the response), spaced as a quiet link's are
      await runSipp([`127.0.0.1:${uasPort}`, '-sn', 'uac', '-i', '127.0.0.1', '-p', String(uasPort + 1), '-m', '3', '-r', '1', '-nostdin', '-timeout', '20s']);
      await sleep(1500);
      const findings = run.events.filter((event) => event.type === 'finding');
      expect(findings.map((event) => event.kind)).toEqual(['server-error', 'server-error', 'server-error']);
      for (const finding of findings) expect(finding.at - Date.parse(finding.time!)).toBeLessThan(250);
    } finally {
      uas.kill();
      await stop(run);
    }
  });

  it('answered calls ended by BYE are reported within a second of it, the last one too', { timeout: 60_000 }, async () => {
    const uasPort = 27842;
    const command = readmeFollowCommand(uasPort);
    const run = startFollow(command);
    const uas = spawn('sipp', ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-nostdin'], { stdio: 'ignore' });
    try {
      await sleep(2000);
      await runSipp([`127.0.0.1:${uasPort}`, '-sn', 'uac', '-i', '127.0.0.1', '-p', String(uasPort + 1), '-m', '3', '-r', '1', '-d', '200', '-nostdin', '-timeout', '20s']);
      await sleep(1500);
      const calls = run.events.filter((event) => event.type === 'call');
      expect(calls.map((event) => event.state)).toEqual(['ended', 'ended', 'ended']);
      // `end` is the BYE; its 200 follows within a millisecond on loopback
      for (const call of calls) expect(call.at - Date.parse(call.end!)).toBeLessThan(1000);
    } finally {
      uas.kill();
      await stop(run);
    }
  });

  it('an INVITE nobody answers is reported, with its invite-timeout, 64*T1 after it while the run goes on', { timeout: 90_000 }, async () => {
    const silentPort = 27844;
    // the called side takes the INVITE and says nothing (a scanner's target that drops it)
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(silentPort, '127.0.0.1', () => resolve()));
    let invited = 0;
    silent.on('message', () => (invited ||= Date.now()));
    const run = startFollow(readmeFollowCommand(silentPort));
    await sleep(2000);
    // -nr: SIPp sends the INVITE once, so its transaction's last message is the INVITE itself
    const uac = spawn('sipp', [`127.0.0.1:${silentPort}`, '-sn', 'uac', '-i', '127.0.0.1', '-p', String(silentPort + 1), '-m', '1', '-nr', '-nostdin', '-timeout', '60s'], { stdio: 'ignore' });
    try {
      for (let waited = 0; waited < 50_000 && !run.events.some((event) => event.type === 'call'); waited += 200) await sleep(200);
      expect(invited).toBeGreaterThan(0);
      const call = run.events.find((event) => event.type === 'call');
      expect(call, 'the unanswered call is reported while the capture still runs').toMatchObject({ state: 'attempted' });
      expect(call!.at - invited).toBeGreaterThanOrEqual(31_500);
      expect(call!.at - invited).toBeLessThan(33_000);
      // a live run writes each line as it is known: the finding is the next line after the call's, and may come in
      // the pipe's next chunk (the bound: within one second)
      const findingDue = call!.at + 1000;
      while (Date.now() < findingDue && !run.events.some((event) => event.type === 'finding')) await sleep(50);
      expect(run.events.filter((event) => event.type === 'finding').map((event) => event.kind)).toEqual(['invite-timeout']);
      expect(run.events.some((event) => event.type === 'summary')).toBe(false);
    } finally {
      uac.kill();
      silent.close();
      await stop(run);
    }
  });
});
