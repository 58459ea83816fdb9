/**
 * `sipscope report` opened in real headless Chromium: the page draws itself under its own CSP, shows the findings
 * and damaged calls `analyze` finds, the damaged call's ladder has its 403 arrow in red, a clicked message shows its
 * text (credentials redacted). Screenshots of the timeline and of a ladder are left in test-output/.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVOCATION_TCP, REVOCATION_UDP, runCli } from '../../cli/analysis-cli-helpers.js';
import { ethernet, ipv4, pcap, sipRequest, udp } from '../../capture/capture-bytes.js';
import { reportMessageTexts } from '../html/report-file.js';
import { launchChromium, openReport, testOutput, watchPage, type PageEvents } from './chromium.js';

interface AnalyzeJson {
  findings: Array<{ kind: string; callId?: string; packets: number[] }>;
  revocations: Array<{ damagedCalls: string[] }>;
}

const dir = mkdtempSync(join(tmpdir(), 'sipscope-report-'));
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function analyzeJson(capture: string): Promise<AnalyzeJson> {
  const run = await runCli(['analyze', capture, '--json', '--fail-on', 'info']);
  return JSON.parse(run.out) as AnalyzeJson;
}

async function writeReport(capture: string, name: string, extra: string[] = []): Promise<string> {
  const output = join(dir, name);
  const run = await runCli(['report', capture, '-o', output, ...extra]);
  expect(run.err).toBe('');
  expect(run.code).toBe(0);
  return output;
}

async function opened(file: string): Promise<{ page: Page; events: PageEvents }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const events = await watchPage(page);
  await openReport(page, file);
  return { page, events };
}

async function expectQuiet(page: Page, events: PageEvents): Promise<void> {
  expect(await events.violations()).toEqual([]);
  expect(events.errors).toEqual([]);
  expect(events.console).toEqual([]);
  expect(events.dialogs).toEqual([]);
  expect(events.requests).toEqual([]);
  expect(await page.locator('script').count()).toBe(3); // two JSON data blocks and the report's own script
}

describe.each([
  ['revocation-udp', REVOCATION_UDP],
  ['revocation-tcp', REVOCATION_TCP],
])('sipscope report of %s in Chromium', (name, capture) => {
  it('holds the findings and names exactly the damaged calls that analyze names', async () => {
    const expected = await analyzeJson(capture);
    const damaged = [...new Set(expected.revocations.flatMap((revocation) => revocation.damagedCalls))].sort();
    expect(damaged.length).toBeGreaterThan(0);
    const { page, events } = await opened(await writeReport(capture, `${name}.html`));
    expect(await page.getAttribute('#findings-total', 'data-count')).toBe(String(expected.findings.length));
    expect(await page.getAttribute('#findings-table-status', 'data-count')).toBe(String(expected.findings.length));
    expect(await page.locator('#findings-table tbody tr').count()).toBe(expected.findings.length);
    const listed = await page.locator('#revocations-table [data-damaged-call]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-damaged-call')));
    expect([...listed].sort()).toEqual(damaged);
    const drawn = await page.locator('#timeline-chart g.damaged-call').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-call-id')));
    expect([...drawn].sort()).toEqual(damaged);
    const forbiddenFindings = expected.findings.filter((finding) => finding.kind === 'reinvite-forbidden').map((finding) => finding.callId).sort();
    expect(forbiddenFindings).toEqual(damaged);
    await expectQuiet(page, events);
    await page.close();
  });

  it("draws a damaged call's ladder with the 403 arrow in red; clicking a message opens its text, credentials redacted", async () => {
    const expected = await analyzeJson(capture);
    const finding = expected.findings.find((candidate) => candidate.kind === 'reinvite-forbidden')!;
    const { page, events } = await opened(await writeReport(capture, `${name}-ladder.html`));
    // from the findings table: the row's Call-ID link opens that call's ladder
    await page.locator('#findings-table a.call-link', { hasText: finding.callId! }).first().click();
    const box = page.locator(`#ladders details[open][data-call-id="${finding.callId}"]`);
    await expect.poll(() => box.count()).toBe(1);
    const forbidden = box.locator('g.msg.status-403');
    await expect.poll(() => forbidden.count()).toBeGreaterThan(0);
    const packets = await forbidden.evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-packet'))));
    expect(packets.filter((packet) => !finding.packets.includes(packet))).toEqual([]);
    const stroke = await forbidden.first().locator('.arrow').evaluate((node) => getComputedStyle(node).stroke);
    expect(stroke).toBe('rgb(204, 0, 0)');
    const ordinary = await box.locator('g.msg:not(.status-403):not(.status-error) .arrow').first().evaluate((node) => getComputedStyle(node).stroke);
    expect(ordinary).not.toBe('rgb(204, 0, 0)');
    expect(await box.locator('svg.ladder text.endpoint').count()).toBeGreaterThanOrEqual(2);

    await forbidden.first().click();
    const text = box.locator('.message-panel pre.message-text');
    await expect.poll(() => text.isVisible()).toBe(true);
    expect(await text.textContent()).toMatch(/^SIP\/2\.0 403 Forbidden\r?\n/);

    const authorized = box.locator('g.msg', { hasText: 'INVITE' });
    let checked = 0;
    for (let index = 0; index < (await authorized.count()) && checked === 0; index++) {
      await authorized.nth(index).click();
      const shown = (await text.textContent()) ?? '';
      if (/^(Proxy-)?Authorization:/im.test(shown)) {
        expect(shown).toMatch(/response="<redacted>"/);
        expect(shown).not.toMatch(/response="[0-9a-f]{32}"/);
        checked++;
      }
    }
    expect(checked).toBe(1);
    await page.locator('#timeline .chart-box').screenshot({ path: testOutput(`${name}-timeline.png`) });
    await box.locator('.ladder-box').screenshot({ path: testOutput(`${name}-ladder.png`) });
    await expectQuiet(page, events);
    await page.close();
  });
});

describe('sipscope report --user in Chromium', () => {
  it("says whose calls, durations and drain window it shows, and that the message counts are everyone's", async () => {
    const alice = JSON.parse((await runCli(['analyze', REVOCATION_UDP, '--json', '--user', 'alice'])).out) as { summary: { calls: number }; durations: { drainWindowMs: number } };
    const { page, events } = await opened(await writeReport(REVOCATION_UDP, 'alice.html', ['--user', 'alice']));
    const summary = (await page.locator('#summary').textContent()) ?? '';
    expect(summary).toContain(`calls of user alice${alice.summary.calls}`);
    expect(summary).toContain("calls, findings, revocations and durations are alice's; packets, messages, requests and responses are everyone's");
    const legend = (await page.locator('#durations p.legend').textContent()) ?? '';
    expect(legend).toMatch(/^3 answered calls of user alice ended by BYE; /);
    expect(legend).toContain(`Drain window (p99): ${(alice.durations.drainWindowMs / 1000).toFixed(3)} s.`);
    await expectQuiet(page, events);
    await page.close();
  });
});

/** tshark's fields of the frames `filter` shows, one array per frame. */
function tsharkRows(capture: string, filter: string, fields: string[]): string[][] {
  const text = execFileSync('tshark', ['-r', capture, '-Y', filter, '-T', 'fields', ...fields.flatMap((field) => ['-e', field])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return text.split('\n').filter(Boolean).map((line) => line.split('\t'));
}

/** As tshark reads it: the frames of the 200s answering an initial INVITE (no To tag), each with its Call-ID. */
function initialAnswers(capture: string): Array<{ frame: number; callId: string }> {
  const initial = new Set(tsharkRows(capture, 'sip.Method == "INVITE" && !sip.to.tag', ['sip.Call-ID', 'sip.CSeq.seq']).map(([callId, cseq]) => `${callId} ${cseq}`));
  return tsharkRows(capture, 'sip.Status-Code == 200 && sip.CSeq.method == "INVITE"', ['frame.number', 'sip.Call-ID', 'sip.CSeq.seq'])
    .filter(([, callId, cseq]) => initial.has(`${callId} ${cseq}`))
    .map(([frame, callId]) => ({ frame: Number(frame), callId }));
}

describe('sipscope report durations in Chromium', () => {
  it('the histogram counts the calls the statistics count: not a call ended by BYE whose 2xx the capture missed', async () => {
    // revocation-udp.pcap without the 200s (both hops) that answered bob's call 1-14642's INVITE: its BYE is still there
    const unanswered = '1-14642@127.0.0.21';
    const removed = initialAnswers(REVOCATION_UDP).filter((answer) => answer.callId === unanswered).map((answer) => answer.frame);
    expect(removed).toHaveLength(2);
    const capture = join(dir, 'answer-missed.pcap');
    execFileSync('editcap', [REVOCATION_UDP, capture, ...removed.map(String)]);
    const calls = JSON.parse((await runCli(['analyze', capture, '--json', '--fail-on', 'info'])).out).calls as Array<{ callId: string; state: string }>;
    expect(calls.find((call) => call.callId === unanswered)?.state).toBe('ended');
    // tshark: the calls with a BYE whose initial INVITE got a 200
    const answered = new Set(initialAnswers(capture).map((answer) => answer.callId));
    const expected = new Set(tsharkRows(capture, 'sip.Method == "BYE"', ['sip.Call-ID']).map(([callId]) => callId).filter((callId) => answered.has(callId))).size;
    expect(expected).toBe(4);
    const { page, events } = await opened(await writeReport(capture, 'answer-missed.html'));
    const legend = (await page.locator('#durations p.legend').textContent()) ?? '';
    expect(legend).toMatch(new RegExp(`^${expected} answered calls ended by BYE; `));
    const bins = await page.locator('#duration-chart rect.bar title').allTextContents();
    const binned = bins.reduce((sum, title) => sum + Number(/: (\d+) calls$/.exec(title)![1]), 0);
    expect(binned).toBe(expected);
    await expectQuiet(page, events);
    await page.close();
  });
});

describe('sipscope report ladders in Chromium', () => {
  it.each(['1-385@127.0.0.45', '1-388@127.0.0.46'])('marks the retransmissions of %s as flow does (retransmission storm)', async (callId) => {
    const capture = 'fixtures/captures/recorded/trouble-udp.pcap';
    const flow = await runCli(['flow', capture, '--call-id', callId]);
    const labelLines = flow.out.split('\n').filter((line) => /^#\d+/.test(line));
    const expectedPackets = labelLines.map((line) => Number(/^#(\d+)/.exec(line)![1]));
    const expectedRetransmissions = labelLines.filter((line) => line.includes('(retransmission)')).map((line) => Number(/^#(\d+)/.exec(line)![1]));
    expect(expectedRetransmissions.length).toBeGreaterThanOrEqual(7);
    const { page, events } = await opened(await writeReport(capture, 'trouble.html'));
    await page.locator(`#ladders-findings details[data-call-id="${callId}"] > summary`).click();
    const box = page.locator(`#ladders-findings details[data-call-id="${callId}"]`);
    await expect.poll(() => box.locator('g.msg').count()).toBe(expectedPackets.length);
    const packets = (selector: string) => box.locator(selector).evaluateAll((nodes) => nodes.map((node) => Number(node.getAttribute('data-packet'))));
    expect(await packets('g.msg')).toEqual(expectedPackets);
    expect(await packets('g.msg.retransmission')).toEqual(expectedRetransmissions);
    const dashes = await box.locator('g.msg.retransmission .arrow').first().evaluate((node) => getComputedStyle(node).strokeDasharray);
    expect(dashes).not.toBe('none');
    expect(await box.locator('g.msg.retransmission text.arrow-label').first().textContent()).toContain('retransmission');
    await expectQuiet(page, events);
    await page.close();
  });
});

describe('sipscope report tables in Chromium', () => {
  it('sorts and filters the findings table and opens a call from the calls table', async () => {
    const { page } = await opened(await writeReport(REVOCATION_UDP, 'tables.html'));
    const kinds = () => page.locator('#findings-table tbody tr td:nth-child(2)').allTextContents();
    await page.locator('#findings-table th button', { hasText: 'kind' }).click();
    const ascending = await kinds();
    expect(ascending).toEqual([...ascending].sort());
    await page.locator('#findings-table th button', { hasText: 'kind' }).click();
    expect(await kinds()).toEqual([...ascending].reverse());
    await page.selectOption('#findings-kind', 'register-forbidden');
    expect(await kinds()).toEqual(['register-forbidden']);
    await page.selectOption('#findings-kind', '');
    await page.fill('#findings-filter', 'CSeq 7');
    await expect.poll(() => page.getAttribute('#findings-table-status', 'data-count')).toBe('1');

    const bobCall = page.locator('#calls-table tbody tr', { hasText: 'bob' }).first().locator('a.call-link');
    const callId = (await bobCall.textContent())!;
    await bobCall.click();
    const box = page.locator(`#ladders-other details[open][data-call-id="${callId}"]`);
    await expect.poll(() => box.locator('g.msg').count()).toBeGreaterThan(4);
    expect(await box.locator('g.msg.status-403').count()).toBe(0);
    await page.close();
  });

  it('a capture without SIP gives a page that draws and says so', async () => {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, pcap([]));
    const { page, events } = await opened(await writeReport(empty, 'empty.html'));
    expect(await page.locator('#timeline').textContent()).toContain('No SIP message');
    expect(await page.getAttribute('#findings-total', 'data-count')).toBe('0');
    await expectQuiet(page, events);
    await page.close();
  });

  it('lists the decoding problems in the summary (a frame cut by the snaplen)', async () => {
    const cut = join(dir, 'cut.pcap');
    const frame = ethernet(ipv4(udp(sipRequest('cut-1'))));
    writeFileSync(cut, pcap([{ timeUs: 1_700_000_000_000_000, bytes: frame.subarray(0, 60), originalLength: frame.length }]));
    const analyzed = JSON.parse((await runCli(['analyze', cut, '--json'])).out) as { summary: { decodeErrors: number } };
    expect(analyzed.summary.decodeErrors).toBe(1);
    const output = join(dir, 'cut.html');
    expect((await runCli(['report', cut, '-o', output])).code).toBe(0);
    const { page, events } = await opened(output);
    expect(await page.locator('#decode-errors').textContent()).toBe('1');
    await page.locator('#decode-issues > summary').click();
    const items = await page.locator('#decode-issues li').allTextContents();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatch(/cut\.pcap, packet 1, offset 24: [a-z-]+: /);
    await expectQuiet(page, events);
    await page.close();
  });

  it('a capture of the wire and of its HEP copies: the summary counts the messages once and says how many copies were set aside', async () => {
    const capture = 'fixtures/captures/recorded/hep3-kamailio.pcap';
    const analyzed = JSON.parse((await runCli(['analyze', capture, '--json'])).out) as { summary: { sipMessages: number; mirrorCopies: number } };
    expect(analyzed.summary.mirrorCopies).toBeGreaterThan(0);
    const { page, events } = await opened(await writeReport(capture, 'hep3.html'));
    const row = (label: string) => page.locator('table.kv tr', { has: page.locator('th', { hasText: new RegExp(`^${label}$`) }) }).locator('td').textContent();
    expect(await row('SIP messages')).toBe(String(analyzed.summary.sipMessages));
    expect(await row('HEP mirror copies set aside')).toBe(String(analyzed.summary.mirrorCopies));
    await expectQuiet(page, events);
    await page.close();
  });

  it('a call whose detail is not embedded (--max-calls 0) is listed in the calls table without a ladder link', async () => {
    const { page } = await opened(await writeReport(REVOCATION_UDP, 'max0.html', ['--max-calls', '0']));
    const plain = page.locator('#calls-table tbody tr', { hasText: 'bob' }).first();
    expect(await plain.locator('a.call-link').count()).toBe(0);
    expect(await page.locator('#calls-table a.call-link').count()).toBe(3); // alice's damaged calls keep theirs
    await page.close();
  });
});

describe('report file', () => {
  it('redacts the digest response unless --show-secrets', async () => {
    const redacted = reportMessageTexts(await writeReport(REVOCATION_UDP, 'redacted.html')).join('\n');
    const shown = reportMessageTexts(await writeReport(REVOCATION_UDP, 'secrets.html', ['--show-secrets'])).join('\n');
    const digest = /response="[0-9a-f]{32}"/;
    expect(shown).toMatch(digest);
    expect(redacted).not.toMatch(digest);
    expect(redacted).toContain('response="<redacted>"');
    expect(redacted.match(/^(Proxy-)?Authorization:/gim)?.length).toBe(shown.match(/^(Proxy-)?Authorization:/gim)?.length);
  });
});
