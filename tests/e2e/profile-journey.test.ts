import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signUpAndVerify, type TestServer } from '#tests/helpers/test-server.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();

async function logIn(page: Page, server: TestServer, email: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Your profile', exact: true }).waitFor();
}

describe.skipIf(!hasChromium)('profiles, avatars and preferences in Chromium', () => {
  const setup = useServerAndBrowser();

  it('shows a signed-out visitor the name, picture and published flyers of a profile', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const member = await signUpAndVerify(server, { name: 'Katherine Johnson' });
    const image = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#2a9d8f' } })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([image], { type: 'image/png' }), 'me.png');
    const upload = await fetch(`${server.url}/trpc/profile.uploadAvatar`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${member.session.accessToken}` },
      body: form,
    });
    expect(upload.status).toBe(200);
    const published = await member.client.trpc.flyers.create.mutate({
      title: 'Orbital mechanics club',
      body: 'Thursdays at six.',
    });
    await member.client.trpc.flyers.publish.mutate({ id: published.id });
    await member.client.trpc.flyers.create.mutate({ title: 'Unfinished draft', body: 'Not for anyone yet.' });

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/u/${member.session.user.id}`);
    await page.getByRole('heading', { name: 'Katherine Johnson', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Orbital mechanics club' }).waitFor();
    expect(await page.getByText('Thursdays at six.').count()).toBe(1);
    expect(await page.getByText('Unfinished draft').count()).toBe(0);
    const picture = page.locator('.profile-header img');
    expect(await picture.getAttribute('src')).toMatch(/^\/media\/avatars\/[a-f0-9]{64}\.webp$/);
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(512);
    expect(await page.getByRole('link', { name: 'Log in', exact: true }).count()).toBeGreaterThan(0);
    expect(await page.getByText(member.email).count()).toBe(0);
    await context.close();
  });

  it('shows an uploaded picture in the header at once, without a reload', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const member = await signUpAndVerify(server, { name: 'Dorothy Vaughan' });
    const file = path.join(server.dataDir, 'upload.jpg');
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#e76f51' } })
      .jpeg()
      .toFile(file);

    const context = await browser.newContext();
    const page = await context.newPage();
    await logIn(page, server, member.email, member.password);
    const headerLink = page.getByRole('link', { name: 'Your profile', exact: true });
    expect(await headerLink.locator('img').count()).toBe(0);

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Profile', level: 1 }).waitFor();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByRole('img', { name: 'Preview of your new picture' }).waitFor();
    await page.getByRole('button', { name: 'Upload picture' }).click();
    await page.getByText('Your new picture is saved.').waitFor();

    await headerLink.locator('img').waitFor();
    expect(await headerLink.locator('img').getAttribute('src')).toMatch(/^\/media\/avatars\/[a-f0-9]{64}\.webp$/);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await context.close();
  });

  it('keeps the dark theme across a reload and on another device', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const member = await signUpAndVerify(server);
    const context = await browser.newContext({ colorScheme: 'light' });
    const page = await context.newPage();
    await logIn(page, server, member.email, member.password);
    await page.goto(`${server.url}/settings/preferences`);
    await page.getByRole('radio', { name: /Dark/ }).check();
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await background()).toBe('rgb(15, 17, 23)');
    await page.getByText('Saved', { exact: true }).waitFor();

    await page.reload();
    await page.getByRole('radio', { name: /Dark/ }).waitFor();
    expect(await page.getByRole('radio', { name: /Dark/ }).isChecked()).toBe(true);
    expect(await background()).toBe('rgb(15, 17, 23)');

    const otherDevice = await browser.newContext({ colorScheme: 'light' });
    const other = await otherDevice.newPage();
    await logIn(other, server, member.email, member.password);
    await expect
      .poll(() => other.evaluate(() => getComputedStyle(document.body).backgroundColor))
      .toBe('rgb(15, 17, 23)');
    await otherDevice.close();
    await context.close();
  });
});
