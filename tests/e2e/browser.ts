import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** DESIGN.md: without Chromium, browser tests are skipped loudly, except in CI where that fails. */
export function chromiumAvailable(): boolean {
  if (fs.existsSync(CHROMIUM_PATH)) return true;
  const line = `Chromium not found at ${CHROMIUM_PATH}: browser tests cannot run (install the Debian package "chromium").`;
  if (process.env.CI === 'true') throw new Error(line);
  console.warn(`\n!!! ${line} SKIPPING browser tests.\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
