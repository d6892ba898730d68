import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST } from '#server/http/spa.ts';
import { startOpenIdProvider, type OpenIdProvider } from '#tests/helpers/openid-provider.ts';
import { signUpAndVerify, startTestServer, uniqueEmail, type TestServer } from '#tests/helpers/test-server.ts';
import { audit } from './axe.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';

// API.md §12 in Chromium: the buttons, the round trip through a real OpenID Provider on 127.0.0.1
// (it completes its own login and consent for the account the test names), and the settings.

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)('sign-in with another provider in Chromium', () => {
  let op: OpenIdProvider;
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(CLIENT_DIST, 'index.html')))
      throw new Error('The SPA is not built: run `npm run build` (npm test does).');
    op = await startOpenIdProvider({});
    server = await startTestServer({
      OIDC_PROVIDERS: JSON.stringify([
        {
          id: 'acme',
          name: 'Acme ID',
          issuer: op.issuer,
          clientId: 'e2e-acme',
          clientSecret: 'acme',
          trustEmail: true,
        },
        { id: 'other', name: 'Other ID', issuer: op.issuer, clientId: 'e2e-other', clientSecret: 'other' },
      ]),
    });
    for (const id of ['acme', 'other']) {
      await op.addClient({
        client_id: `e2e-${id}`,
        client_secret: id,
        redirect_uris: [`${server.url}/auth/oauth/${id}/callback`],
      });
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await op?.close();
  });

  const signedInLink = (page: Page) => page.getByRole('link', { name: 'Your profile', exact: true });

  it('signs up with the provider, signs out, signs in with it again, and sets a password in settings', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    const email = uniqueEmail('e2e-provider');
    const account = { sub: `e2e-${Date.now()}`, email, email_verified: true, name: 'Grace Provider' };

    await page.goto(`${server.url}/signup`);
    op.nextLogin(account);
    await page.getByRole('link', { name: 'Continue with Acme ID' }).click();
    await signedInLink(page).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
    await page.goto(`${server.url}/login`);
    op.nextLogin(account);
    await page.getByRole('link', { name: 'Continue with Acme ID' }).click();
    await signedInLink(page).waitFor();

    // No password yet: the account page has no change-password form, and sends the member to set one.
    await page.goto(`${server.url}/settings/account`);
    await page.getByRole('link', { name: 'Set a password' }).waitFor();
    expect(await page.getByLabel('Current password').count()).toBe(0);
    await page.goto(`${server.url}/settings/security`);
    await page.getByRole('heading', { name: 'Linked accounts' }).waitFor();
    await page.getByRole('button', { name: 'Unlink Acme ID' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await audit(page, '/settings/security', 'account without a password')).toEqual([]);
    await page.getByLabel('New password').fill('correct horse battery staple violet 7');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await page.getByText('Your password is set').waitFor();
    // With a password, the account page offers to change it with the current one.
    await page.goto(`${server.url}/settings/account`);
    await page.getByLabel('Current password').first().waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('links a second provider from settings and unlinks it after confirming', async () => {
    const member = await signUpAndVerify(server);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await signedInLink(page).waitFor();

    await page.goto(`${server.url}/settings/security`);
    op.nextLogin({ sub: `e2e-link-${Date.now()}`, email: uniqueEmail('elsewhere') });
    await page.getByRole('button', { name: 'Link Other ID' }).click();
    await page.getByText('Other ID is linked').waitFor();
    expect(new URL(page.url()).pathname).toBe('/settings/security');
    const unlink = page.getByRole('button', { name: 'Unlink Other ID' });
    await unlink.waitFor();

    await unlink.click();
    const dialog = page.getByRole('dialog', { name: 'Unlink Other ID?' });
    await dialog.getByRole('button', { name: 'Unlink' }).click();
    await page.getByText('Other ID is unlinked').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Unlink Other ID' }).count()).toBe(0);
    expect(await member.client.trpc.auth.identities.list.query()).toEqual([]);
    await context.close();
  });

  it('explains a failed provider sign-in on /login in words, and passes axe with the provider buttons', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    op.deny();
    await page.getByRole('link', { name: 'Continue with Acme ID' }).click();
    await page.getByText('The sign-in was cancelled at the provider').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByRole('link', { name: 'Continue with Other ID' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await audit(page, '/login?error=access_denied', 'signed out')).toEqual([]);
    await context.close();
  });
});
