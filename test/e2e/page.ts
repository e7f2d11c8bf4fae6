/**
 * The status page in Chromium for the end-to-end suites: one browser page on the status server's address, with every
 * page error and console error collected (each suite's afterEach fails on them), screenshots at the two window sizes,
 * and navigation between views.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './chromium';

export const SHOTS = resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');
const SIZES = [
  { width: 1280, height: 720 },
  { width: 1024, height: 600 },
] as const;

export interface StatusPage {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Page and console errors seen so far. */
  readonly problems: string[];
  close(): Promise<void>;
}

/**
 * Opens the status page at `url` in a browser whose language is `locale` (English unless given: the suites that read
 * the page's English words run in English whatever the machine's language) and waits until it is live.
 */
export async function openStatusPage(url: string, locale = 'en-US'): Promise<StatusPage> {
  mkdirSync(SHOTS, { recursive: true });
  const problems: string[] = [];
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: SIZES[0], acceptDownloads: true, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  watchErrors(page, problems, '');
  await page.goto(url);
  await waitLive(page);
  return {
    browser,
    context,
    page,
    problems,
    async close() {
      await context.close();
      await browser.close();
    },
  };
}

/** A browser context in `locale` (its `navigator.languages` and Accept-Language) on the status page, with errors collected. */
export async function openInLocale(
  browser: Browser,
  url: string,
  locale: string,
  problems: string[],
  viewport: { width: number; height: number } = SIZES[0],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  watchErrors(page, problems, `${locale} `);
  await page.goto(url);
  await waitLive(page);
  return { context, page };
}

/** Waits until the page's event stream is connected. */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="link-state"][data-up="true"]').waitFor();
}

/** Collects the page's errors and console errors into `problems`, each prefixed with `who`. */
export function watchErrors(page: Page, problems: string[], who: string): void {
  page.on('pageerror', (e) => problems.push(`${who}page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${who}console error: ${m.text()}`);
  });
}

/** Screenshots of the page at both window sizes, into test-artifacts/screenshots. */
export async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SHOTS, `${name}-${size.width}x${size.height}.png`), fullPage: false });
  }
  await page.setViewportSize(SIZES[0]);
}

/** Opens a view from the navigation and waits for its heading (the view's name unless it says otherwise). */
export async function openView(page: Page, label: string, heading = label): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}
