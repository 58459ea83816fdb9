/**
 * A hostile capture (markup and script in display names, User-Agent, Server, Call-ID, Subject, SDP and the
 * credential username; a `</script>` inside a header) gives a report in which none of it runs: no dialog, no console
 * output, no CSP violation (nothing even tried to run), no element made from it; and its text is shown as text.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/analysis-cli-helpers.js';
import { launchChromium, openReport, testOutput, watchPage, type PageEvents } from './chromium.js';
import { HOSTILE, HOSTILE_DIGEST_RESPONSE, writeHostileCapture } from './hostile-capture.js';

const dir = mkdtempSync(join(tmpdir(), 'sipscope-hostile-'));
const capture = join(dir, 'hostile.pcap');
const report = join(dir, 'hostile.html');
let browser: Browser;
let page: Page;
let events: PageEvents;

beforeAll(async () => {
  writeHostileCapture(capture);
  const run = await runCli(['report', capture, '-o', report]);
  expect(run.code).toBe(0);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  events = await watchPage(page);
  await openReport(page, report);
});
afterAll(async () => {
  await browser?.close();
});

describe('sipscope report of a hostile capture, in Chromium', () => {
  it('the analysis sees the call: one reinvite-forbidden finding on the hostile Call-ID', async () => {
    const analyzed = await runCli(['analyze', capture, '--json']);
    const findings = (JSON.parse(analyzed.out) as { findings: Array<{ kind: string; callId: string }> }).findings;
    expect(findings.map((finding) => [finding.kind, finding.callId])).toEqual([['reinvite-forbidden', HOSTILE.callId]]);
    expect(await page.getAttribute('#findings-total', 'data-count')).toBe('1');
  });

  it('shows the hostile strings as text, in the tables, the timeline and the ladder', async () => {
    const box = page.locator('#ladders-findings details').first();
    expect(await box.getAttribute('data-call-id')).toBe(HOSTILE.callId);
    await box.locator('summary').click();
    await expect.poll(() => box.locator('g.msg').count()).toBe(8);
    // the endpoint labels of the ladder show the User-Agent and Server as visible text
    expect(await box.locator('svg.ladder text.agent').evaluateAll((nodes) => nodes.map((node) => node.firstChild?.textContent))).toEqual([HOSTILE.userAgent, HOSTILE.server]);
    expect(await box.locator('svg.ladder text.agent').first().isVisible()).toBe(true);
    expect(await page.locator('#calls-table a.call-link').first().textContent()).toBe(HOSTILE.callId);
    const body = (await page.locator('body').textContent()) ?? '';
    expect(body).toContain(HOSTILE.callId);
    expect(body).toContain(HOSTILE.userAgent);
    expect(body).toContain(HOSTILE.server);
    // the credential username is a lane label of the timeline (SVG text, its full value in the <title>)
    expect(await page.locator('#timeline-chart g.lane').first().getAttribute('data-username')).toBe(HOSTILE.username);
    await box.locator('g.msg').first().click();
    const text = (await box.locator('.message-panel pre').textContent()) ?? '';
    expect(text).toContain(`From: "${HOSTILE.displayName}"`);
    expect(text).toContain(`Subject: ${HOSTILE.subject}`);
    expect(text).toContain(`s=${HOSTILE.sdp}`);
    expect(text).toContain('response="<redacted>"');
    expect(text).not.toContain(HOSTILE_DIGEST_RESPONSE);
    await page.locator('#ladders-findings .ladder-box').first().screenshot({ path: testOutput('hostile-ladder.png') });
  });

  it('runs none of it: no dialog, console output, page error, request or CSP violation; no element made from it', async () => {
    // hover and click over everything the capture named, as a reader would
    for (const selector of ['#timeline-chart g.lane text', '#findings-table td', '#calls-table td', 'g.msg']) {
      const nodes = page.locator(selector);
      for (let index = 0; index < Math.min(await nodes.count(), 10); index++) await nodes.nth(index).hover();
    }
    expect(events.dialogs).toEqual([]);
    expect(events.console).toEqual([]);
    expect(events.errors).toEqual([]);
    expect(events.requests).toEqual([]);
    expect(await events.violations()).toEqual([]);
    expect(await page.locator('img, iframe, b, svg script, object, embed').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(3);
    expect(await page.evaluate(() => [...globalThis.document.querySelectorAll('*')].filter((node) => [...node.attributes].some((attribute) => attribute.name.startsWith('on'))).length)).toBe(0);
  });

  it('the CSP listener would have seen an injected script: the policy blocks inline script that is not the report', async () => {
    await page.evaluate(() => {
      const script = globalThis.document.createElement('script');
      script.textContent = 'console.log("injected ran")';
      globalThis.document.body.appendChild(script);
    });
    await expect.poll(() => events.violations()).toHaveLength(1);
    expect((await events.violations())[0]).toMatch(/^script-src/);
    // Chromium reports the refusal on the console; the injected script itself never ran
    expect(events.console.filter((line) => line.includes('injected ran'))).toEqual([]);
    expect(events.console.some((line) => line.startsWith('error:') && line.includes('Content Security Policy'))).toBe(true);
  });

  it('keeps `</script>` from ending a data block: the file holds capture text only escaped or compressed', () => {
    const html = readFileSync(report, 'utf8');
    expect(html.match(/<\/script>/gi)).toHaveLength(3);
    expect(html).not.toContain(HOSTILE.subject);
    expect(html).not.toContain(HOSTILE.callId);
    expect(html).toContain('\\u003cimg/src/onerror=alert(3)\\u003e@evil');
    const details = /<script type="application\/octet-stream" id="report-details">([^<]*)<\/script>/.exec(html)![1];
    expect(details.trim()).toMatch(/^[A-Za-z0-9+/=\n]+$/);
  });
});
