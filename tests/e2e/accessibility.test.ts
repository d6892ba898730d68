import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { inviteToOrg, joinOrg } from '#tests/helpers/orgs.ts';
import { signUpAndVerify, type TestServer } from '#tests/helpers/test-server.ts';
import { audit, type Violation } from './axe.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();

const PUBLIC_ROUTES = [
  '/',
  '/signup',
  '/login',
  '/check-email',
  '/verify-email',
  '/forgot-password',
  '/reset-password?token=x',
  '/invite?token=x',
  '/confirm-email',
  '/no-such-page',
];
const MEMBER_ROUTES = [
  '/settings/profile',
  '/settings/account',
  '/settings/security',
  '/settings/privacy',
  '/settings/preferences',
  '/flyers',
  '/admin/users',
  '/admin/invitations',
  '/orgs',
  '/orgs/axe-org/members',
  '/orgs/axe-org/invitations',
  '/orgs/axe-org/notices',
  '/orgs/axe-org/settings',
  '/orgs/axe-org/log',
  '/orgs/not-mine/members',
];

async function settle(page: Page) {
  await page
    .locator('h1')
    .first()
    .waitFor()
    .catch((error: Error) => {
      throw new Error(`${page.url()} showed no heading: ${error.message}`);
    });
  // Let data views leave their loading state before judging them.
  await page.waitForLoadState('networkidle');
}

async function signIn(page: Page, server: TestServer, email: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Your profile', exact: true }).waitFor();
}

describe.skipIf(!hasChromium)('accessibility (axe-core, WCAG 2.0/2.1 A and AA)', () => {
  const setup = useServerAndBrowser();

  it('finds no violation on any route, in light and dark themes, at 390 and 1280 px', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const admin = await signUpAndVerify(server, { name: 'Axe Admin' });
    await server.app.deps.orm.em.fork().nativeUpdate(UserEntity, { id: admin.session.user.id }, { role: 'admin' });
    await admin.client.trpc.privacy.update.mutate({ allowEmailContact: true }).catch(() => undefined);
    const visitor = await signUpAndVerify(server, { name: 'Ada Lovelace' });
    const flyer = await visitor.client.trpc.flyers.create.mutate({
      title: 'Lessons',
      body: 'Analytical engines, Tuesdays.',
    });
    await visitor.client.trpc.flyers.publish.mutate({ id: flyer.id });
    // An organization with a member, a pending invitation, a notice and a log, so its pages show data.
    // The role change above ended the admin's token: a fresh sign-in for the seeding.
    const fresh = await admin.client.trpc.auth.login.mutate({ email: admin.email, password: admin.password });
    if (fresh.status !== 'signed_in') throw new Error('The admin was asked for a code.');
    admin.client.useSession(fresh.session);
    const org = await admin.client.trpc.orgs.create.mutate({ name: 'Axe Org', slug: 'axe-org' });
    await joinOrg(server, admin, org, visitor, 'member');
    // Its link, as mailed: /invite with a live organization invitation, for someone without an account.
    const { token } = await inviteToOrg(server, admin, org, 'pending@example.com', 'admin');
    const invite = `/invite?token=${encodeURIComponent(token)}`;
    await admin.client.trpc.notices.post.mutate({ orgId: org.id, title: 'Welcome', body: 'Coffee on Fridays.' });
    await visitor.client.trpc.orgs.create.mutate({ name: 'Not Mine', slug: 'not-mine' });

    const violations: Violation[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const width of [390, 1280]) {
        const variant = `${colorScheme} ${width}px`;
        const context: BrowserContext = await browser.newContext({
          colorScheme,
          viewport: { width, height: 900 },
          reducedMotion: 'reduce',
        });
        const page = await context.newPage();
        for (const route of [...PUBLIC_ROUTES, `/u/${visitor.session.user.id}`, invite]) {
          await page.goto(`${server.url}${route}`);
          await settle(page);
          if (route === invite) await page.getByRole('heading', { name: 'Join Axe Org', level: 1 }).waitFor();
          violations.push(...(await audit(page, route, `${variant}, signed out`)));
        }
        await signIn(page, server, admin.email, admin.password);
        // The invitation seen by someone else signed in: whose it is, and a way to switch accounts.
        for (const route of [...MEMBER_ROUTES, `/u/${visitor.session.user.id}`, invite, '/']) {
          await page.goto(`${server.url}${route}`);
          await settle(page);
          if (route === invite) await page.getByRole('heading', { name: 'Join Axe Org', level: 1 }).waitFor();
          violations.push(...(await audit(page, route, `${variant}, signed in`)));
        }
        // The header's organization switcher, open over the home page.
        await page.getByRole('button', { name: 'Organizations', exact: true }).click();
        await page
          .getByRole('navigation', { name: 'Account' })
          .getByRole('link', { name: /^Axe Org/ })
          .waitFor();
        violations.push(...(await audit(page, '/ (organization switcher open)', `${variant}, signed in`)));
        await context.close();
      }
    }
    expect(violations).toEqual([]);
  }, 300_000);
});
