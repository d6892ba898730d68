import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CLIENT_DIST } from '#server/http/spa.ts';
import { startTestServer, type TestServer } from '#tests/helpers/test-server.ts';

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
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Registers, in the calling describe block, a server on a fresh database serving the built SPA
 * and a Chromium instance; returns accessors valid inside the tests.
 */
export function useServerAndBrowser(): { server: () => TestServer; browser: () => Browser } {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(CLIENT_DIST, 'index.html')))
      throw new Error('The SPA is not built: run `npm run build` (npm test does).');
    server = await startTestServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return { server: () => server!, browser: () => browser! };
}
