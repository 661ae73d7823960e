// Debian's chromium, driven by playwright-core, started the same way by every browser test.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
