import { describe, expect, it } from 'vitest';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import { strongPassword, uniqueEmail, VERIFY_SUBJECT } from '#tests/helpers/test-server.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)('the sign-up journey in Chromium', () => {
  const setup = useServerAndBrowser();

  it('signs up, confirms by the mailed link, stays signed in across a reload, and logs out', async () => {
    const server = setup.server();
    const context = await setup.browser().newContext();
    const page = await context.newPage();
    const consoleProblems: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) consoleProblems.push(message.text());
    });
    page.on('pageerror', (error) => consoleProblems.push(error.message));

    const email = uniqueEmail('browser');
    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(strongPassword());
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await page.getByText(email).count()).toBeGreaterThan(0);

    const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT });
    const link = linkIn(mail, '/verify-email?token=');
    expect(link.origin).toBe(server.url);
    await page.goto(link.toString());

    const profileLink = page.getByRole('link', { name: 'Your profile', exact: true });
    await profileLink.waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Log in', exact: true }).count()).toBe(0);

    await page.reload();
    await profileLink.waitFor();

    await profileLink.click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/u\/[A-Za-z0-9_-]+$/);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Your profile', exact: true }).count()).toBe(0);

    expect(consoleProblems).toEqual([]);
    await context.close();
  });
});
