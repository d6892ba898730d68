import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { signUpAndVerify } from '#tests/helpers/test-server.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();

// Every route of API.md §9 (tokens are dummies: the pages must still render their error states).
const ROUTES = [
  '/',
  '/signup',
  '/login',
  '/check-email',
  '/verify-email?token=not-a-token',
  '/forgot-password',
  '/reset-password?token=not-a-token',
  '/invite?token=not-a-token',
  '/confirm-email?token=not-a-token',
  '/settings/profile',
  '/settings/account',
  '/settings/security',
  '/settings/privacy',
  '/settings/preferences',
  '/flyers',
  '/admin/users',
  '/admin/invitations',
  '/no-such-page',
];

/**
 * A page whose CSP violations and uncaught errors (with `everyConsoleError`, any console error too)
 * are collected in `problems`, each with the address it happened on.
 */
async function watchedPage(browser: Browser, { everyConsoleError = false } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (
      (everyConsoleError && message.type() === 'error') ||
      /Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(message.text())
    )
      problems.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  // securitypolicyviolation events catch what the console may word differently.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return { context, page, problems };
}

describe.skipIf(!hasChromium)('the Content-Security-Policy in Chromium', () => {
  const setup = useServerAndBrowser();

  it('lets every route of the built SPA run without a single violation, signed out and signed in as an admin', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const admin = await signUpAndVerify(server, { name: 'Policy Checker' });
    await server.app.deps.orm.em.fork().nativeUpdate(UserEntity, { id: admin.session.user.id }, { role: 'admin' });

    const { context, page, problems: violations } = await watchedPage(browser);

    const visitAll = async () => {
      for (const route of ROUTES) {
        await page.goto(`${server.url}${route}`);
        await page.locator('h1').first().waitFor();
      }
    };
    await visitAll();
    await page.goto(`${server.url}/u/${admin.session.user.id}`);
    await page.locator('h1').first().waitFor();

    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Your profile', exact: true }).waitFor();
    await visitAll();

    expect(violations).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!hasChromium)('the API reference at /docs/api in Chromium', () => {
  const setup = useServerAndBrowser();

  it('renders the OpenAPI document with its own files only, without a single violation', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const { context, page, problems } = await watchedPage(browser, { everyConsoleError: true });
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url)) foreign.push(request.url());
    });

    await page.goto(`${server.url}/docs/api`);
    // The document's title and its operations, by tag, as swagger-ui lays them out.
    await page
      .getByRole('heading', { name: /Latchkey/ })
      .first()
      .waitFor();
    await page.getByText('/auth/me', { exact: true }).first().waitFor();
    await page.getByText('/auth/login', { exact: true }).first().waitFor();

    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });
});
