import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { BLUE, near, pixelAt } from '#tests/helpers/images.ts';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import {
  signUpAndVerify,
  strongPassword,
  uniqueEmail,
  VERIFY_SUBJECT,
  type TestServer,
} from '#tests/helpers/test-server.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();

const WRONG_CREDENTIALS = 'The email or password is not right.';
/** Device B of the sessions journey: another computer, so its row in the sessions list has its own name. */
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

const profileLink = (page: Page) => page.getByRole('link', { name: 'Your profile', exact: true });
const headerLogInLink = (page: Page) =>
  page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log in', exact: true });

/** Fills the sign-in form and submits it; the caller waits for the outcome it expects. */
async function submitLogIn(page: Page, server: TestServer, email: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
}

async function logIn(page: Page, server: TestServer, email: string, password: string) {
  await submitLogIn(page, server, email, password);
  await profileLink(page).waitFor();
}

/** Opens a settings section from the header's Settings link and the settings navigation, as a person would. */
async function openSettings(page: Page, section: 'Profile' | 'Account' | 'Security' | 'Privacy') {
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: section, exact: true }).click();
  await page.getByRole('heading', { name: section, level: 1 }).waitFor();
}

describe.skipIf(!hasChromium)('account journeys in Chromium', () => {
  const setup = useServerAndBrowser();
  /** A fresh browser profile; a step that cannot happen fails within 10 s, naming the step, not at the test's timeout. */
  const newContext = async (options: BrowserContextOptions = {}) => {
    const context = await setup.browser().newContext(options);
    context.setDefaultTimeout(10_000);
    return context;
  };
  let tempDir = '';
  beforeAll(async () => {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-journeys-'));
  });
  afterAll(async () => {
    if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
  });

  it('signs up, confirms by mail, edits the name and picture, and a signed-out visitor sees both on the public profile', async () => {
    const server = setup.server();
    const email = uniqueEmail('journey');
    const picturePath = path.join(tempDir, 'portrait.png');
    await sharp({ create: { width: 800, height: 600, channels: 3, background: BLUE } })
      .png()
      .toFile(picturePath);

    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/signup`);
    await page.getByLabel('Name').fill('Mary Jackson');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(strongPassword());
    const since = server.mail.mark();
    await page.getByRole('button', { name: 'Sign up', exact: true }).click();
    await page.getByRole('heading', { name: 'Check your email', level: 1 }).waitFor();

    const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
    await page.goto(linkIn(mail, '/verify-email?token=').toString());
    await page.getByText('Your email is confirmed.').waitFor();
    await profileLink(page).waitFor();

    await openSettings(page, 'Profile');
    const nameField = page.getByLabel('Name', { exact: true });
    expect(await nameField.inputValue()).toBe('Mary Jackson');
    await nameField.fill('Mary Winston Jackson');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    await page.getByLabel('Choose a picture').setInputFiles(picturePath);
    await page.getByRole('img', { name: 'Preview of your new picture' }).waitFor();
    await page.getByRole('button', { name: 'Upload picture', exact: true }).click();
    await page.getByText('Your new picture is saved.').waitFor();
    // The Upload button is gone: keyboard focus lands back on the chooser, not on the page.
    await expect
      .poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type))
      .toBe('file');
    await profileLink(page).locator('img').waitFor();

    await profileLink(page).click();
    await page.getByRole('heading', { name: 'Mary Winston Jackson', level: 1 }).waitFor();
    const profileUrl = page.url();
    expect(new URL(profileUrl).pathname).toMatch(/^\/u\/[A-Za-z0-9_-]+$/);
    const ownPicture = await page.locator('.profile-header img').getAttribute('src');
    expect(ownPicture).toMatch(/^\/media\/avatars\/[a-f0-9]{64}\.webp$/);

    // Someone else, never signed in, opens the same address.
    const visitorContext = await newContext();
    const visitor = await visitorContext.newPage();
    await visitor.goto(profileUrl);
    await visitor.getByRole('heading', { name: 'Mary Winston Jackson', level: 1 }).waitFor();
    await headerLogInLink(visitor).waitFor();
    expect(await visitor.getByText('Mary Jackson', { exact: true }).count()).toBe(0);
    expect(await visitor.getByText(email).count()).toBe(0);
    // The avatar is decorative (alt="", the heading names the person), so it has no accessible name to find it by.
    const picture = visitor.locator('.profile-header img');
    expect(await picture.getAttribute('src')).toBe(ownPicture);
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(512);
    const served = Buffer.from(await (await server.fetch(ownPicture!)).arrayBuffer());
    expect(near(await pixelAt(served, 256, 256), BLUE)).toBe(true);

    await visitorContext.close();
    await context.close();
  });

  it('changes the email from the account page with the password and the link mailed to the new address', async () => {
    const server = setup.server();
    const member = await signUpAndVerify(server, { name: 'Annie Easley' });
    const newEmail = uniqueEmail('moved');
    const context = await newContext();
    const page = await context.newPage();
    await logIn(page, server, member.email, member.password);
    await openSettings(page, 'Account');

    const emailSection = page.getByRole('region', { name: 'Email address' });
    await emailSection.getByLabel('New email address', { exact: true }).fill(newEmail);
    await emailSection.getByLabel('Password', { exact: true }).fill(member.password);
    const since = server.mail.mark();
    await emailSection.getByRole('button', { name: 'Change email', exact: true }).click();
    await emailSection
      .getByRole('status')
      .filter({ hasText: `Check ${newEmail}` })
      .waitFor();
    // The form gave way to the message: focus moves to the message's button, not to the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Use another address');

    const confirmation = await server.mail.waitForMail({ to: newEmail, subject: 'Confirm your new email', since });
    const notice = await server.mail.waitForMail({ to: member.email, subject: 'email is about to change', since });
    expect(notice.text).toContain(newEmail);
    await page.goto(linkIn(confirmation, '/confirm-email?token=').toString());
    await page.getByRole('heading', { name: 'Email address changed', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Back to your account', exact: true }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await page.getByRole('definition').filter({ hasText: newEmail }).waitFor();
    expect(await page.getByText(member.email).count()).toBe(0);

    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await headerLogInLink(page).waitFor();
    await submitLogIn(page, server, member.email, member.password);
    await page.getByRole('alert').filter({ hasText: WRONG_CREDENTIALS }).waitFor();
    expect(await profileLink(page).count()).toBe(0);

    await logIn(page, server, newEmail, member.password);
    await context.close();
  });

  it('signs out another device from the sessions list, and that device finds itself signed out at its next request', async () => {
    const server = setup.server();
    const member = await signUpAndVerify(server, { name: 'Christine Darden' });
    const deviceA = await newContext();
    const deviceB = await newContext({ userAgent: WINDOWS_CHROME });
    const pageA = await deviceA.newPage();
    const pageB = await deviceB.newPage();
    await logIn(pageA, server, member.email, member.password);
    await logIn(pageB, server, member.email, member.password);
    await openSettings(pageB, 'Profile');

    await openSettings(pageA, 'Security');
    const sessions = pageA.getByRole('region', { name: 'Where you are signed in' });
    const signOutB = sessions.getByRole('button', { name: /^Sign out Chrome on Windows, signed in / });
    await signOutB.click();
    await expect.poll(() => signOutB.count()).toBe(0);
    // The pressed button went with B's row; the focus stays in the list instead of falling to the page.
    await expect
      .poll(() =>
        sessions
          .getByRole('heading', { name: 'Where you are signed in' })
          .evaluate((heading) => heading === document.activeElement),
      )
      .toBe(true);

    // Device B still shows its page; its next call to the server meets the revoked session.
    expect(await profileLink(pageB).count()).toBe(1);
    await pageB
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'Privacy', exact: true })
      .click();
    await pageB.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
    expect(new URL(pageB.url()).pathname).toBe('/login');
    await headerLogInLink(pageB).waitFor();
    expect(await profileLink(pageB).count()).toBe(0);

    // Device A is untouched.
    await pageA.reload();
    await sessions.getByText('This device').waitFor();
    expect(await profileLink(pageA).count()).toBe(1);

    // Signing in again on B goes back to the page it asked for.
    await pageB.getByLabel('Email', { exact: true }).fill(member.email);
    await pageB.getByRole('button', { name: 'Continue', exact: true }).click();
    await pageB.getByLabel('Password', { exact: true }).fill(member.password);
    await pageB.getByRole('button', { name: 'Log in', exact: true }).click();
    await pageB.getByRole('heading', { name: 'Privacy', level: 1 }).waitFor();
    expect(new URL(pageB.url()).pathname).toBe('/settings/privacy');

    await deviceA.close();
    await deviceB.close();
  });

  it('deletes the account from the privacy page: signed out, unable to sign in, and the profile is gone', async () => {
    const server = setup.server();
    const member = await signUpAndVerify(server, { name: 'Evelyn Boyd' });
    const profileUrl = `${server.url}/u/${member.session.user.id}`;
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(profileUrl);
    await page.getByRole('heading', { name: 'Evelyn Boyd', level: 1 }).waitFor();

    await logIn(page, server, member.email, member.password);
    await openSettings(page, 'Privacy');
    await page.getByRole('button', { name: 'Delete my account…', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    const deleteForGood = page.getByRole('button', { name: 'Delete my account for good', exact: true });
    expect(await deleteForGood.isDisabled()).toBe(true);
    await page
      .getByRole('checkbox', { name: /I understand that my account and everything in it will be erased/ })
      .check();
    await deleteForGood.click();

    await page.getByText('Your account is deleted.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await headerLogInLink(page).waitFor();
    expect(await profileLink(page).count()).toBe(0);

    await submitLogIn(page, server, member.email, member.password);
    await page.getByRole('alert').filter({ hasText: WRONG_CREDENTIALS }).waitFor();
    expect(await profileLink(page).count()).toBe(0);

    await page.goto(profileUrl);
    await page.getByRole('heading', { name: 'Profile not found', level: 1 }).waitFor();
    expect(await page.getByText('Evelyn Boyd').count()).toBe(0);
    await context.close();
  });
});
