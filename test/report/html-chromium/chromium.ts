/**
 * Real headless Chromium (Debian package `chromium`, /usr/bin/chromium) driven by playwright-core, for the HTML
 * report tests. playwright gives every launch a fresh temporary profile (its own --user-data-dir); the flags keep the
 * browser off the network. Also the page listeners that prove no script of a capture ran.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots and reports the tests leave for a human to look at (gitignored). */
export const TEST_OUTPUT = resolve(import.meta.dirname, '../../../test-output');

export function testOutput(name: string): string {
  mkdirSync(TEST_OUTPUT, { recursive: true });
  return join(TEST_OUTPUT, name);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** What happened in a page besides our report drawing itself. */
export interface PageEvents {
  console: string[];
  dialogs: string[];
  errors: string[];
  requests: string[];
  /** CSP violations seen by a `securitypolicyviolation` listener installed before any script of the page. */
  violations(): Promise<string[]>;
}

export async function watchPage(page: Page): Promise<PageEvents> {
  const events = { console: [] as string[], dialogs: [] as string[], errors: [] as string[], requests: [] as string[] };
  page.on('console', (message) => events.console.push(`${message.type()}: ${message.text()}`));
  page.on('dialog', (dialog) => {
    events.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => events.errors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) events.requests.push(request.url());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { cspViolations: string[] }).cspViolations = seen;
    globalThis.document.addEventListener('securitypolicyviolation', (event: { violatedDirective: string; blockedURI: string; sample: string }) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
    });
  });
  return {
    ...events,
    violations: () => page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations.slice()),
  };
}

/** Opens a report file and waits until its script has drawn it. */
export async function openReport(page: Page, file: string): Promise<void> {
  await page.goto(`file://${resolve(file)}`);
  await page.waitForSelector('html[data-ready-ms]', { timeout: 15_000 });
}
