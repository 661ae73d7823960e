// Debian's chromium, driven by playwright-core, started the same way by every browser test.
import { afterAll, beforeAll } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const screenshots = 'test-output/screenshots';

/** Fails (never skips) when chromium is missing: CI installs it, and playwright must not download one. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (\`apt-get install -y chromium\`; CI installs it). playwright must not download browsers.`);
  }
  mkdirSync(screenshots, { recursive: true });
  // launch() gives the browser a fresh, temporary user-data dir of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** Chromium for the tests of the enclosing describe block: launched before the first, closed after the last. */
export function useChromium(): { readonly browser: Browser } {
  const state = {} as { browser: Browser };
  beforeAll(async () => {
    state.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await state.browser?.close();
  });
  return state;
}

export interface WatchedPage {
  page: Page;
  /** Requests to anywhere whose URL does not start with the page's home. */
  outside: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
}

/** A new page that records each request leaving `home` (`file:`, an origin) and each error it reports. */
export async function watchedPage(browser: Browser, home: string, viewport: { width: number; height: number }): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport });
  const outside: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(home)) outside.push(r.url());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { page, outside, errors };
}
