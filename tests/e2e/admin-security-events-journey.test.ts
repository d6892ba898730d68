import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { expectReason, signUpAndVerify, type TestServer } from '#tests/helpers/test-server.ts';
import { audit, type Violation } from './axe.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();
const FORMULA_AGENT = '=HYPERLINK("https://evil.example","Open")';

async function signIn(page: Page, server: TestServer, email: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: 'Your profile', exact: true }).waitFor();
}

describe.skipIf(!hasChromium)('the security events page of the admin console in Chromium', () => {
  const setup = useServerAndBrowser();

  it('lets an admin filter every member’s security events and export the filtered list as CSV', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const admin = await signUpAndVerify(server, { name: 'Grace Admin' });
    await server.app.deps.orm.em.fork().nativeUpdate(UserEntity, { id: admin.session.user.id }, { role: 'admin' });
    const member = await signUpAndVerify(server, { name: 'Mel Member' });
    // Someone tries Mel's account from a client whose User-Agent is a spreadsheet formula.
    await expectReason(
      server
        .client({ userAgent: FORMULA_AGENT })
        .trpc.auth.login.mutate({ email: member.email, password: `${member.password}x` }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );

    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, server, admin.email, admin.password);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Security events' })
      .click();
    await page.getByRole('heading', { name: 'Security events', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Security events' });
    await table.waitFor();
    // Both members' events, each with its member.
    await table
      .getByRole('button', { name: `Only events of member ${member.session.user.id}` })
      .first()
      .waitFor();
    await table
      .getByRole('button', { name: `Only events of member ${admin.session.user.id}` })
      .first()
      .waitFor();

    await page.getByLabel('Event type').selectOption({ label: 'Failed sign-in attempt' });
    await page.getByLabel('User id').fill(member.session.user.id);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = table.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain('login.failed');
    expect(await rows.first().textContent()).toContain(FORMULA_AGENT);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('security-events.csv');
    const csv = await fs.readFile(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('id,type,at,ip,userAgent,userId,actorId');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`,login.failed,`);
    expect(lines[1]).toContain(`,${member.session.user.id},`);
    expect(lines[1]).toContain(`"'${FORMULA_AGENT.replaceAll('"', '""')}"`);
    expect(lines[2]).toBe('');
    await page.getByText('Downloaded security-events.csv.').waitFor();

    // The range reads the time zone the table shows (a new member's preference: UTC).
    const minute = (offsetMinutes: number) =>
      new Date(Date.now() + offsetMinutes * 60_000).toISOString().slice(0, 'yyyy-mm-ddThh:mm'.length);
    await page.getByLabel('From', { exact: true }).fill(minute(-10));
    await page.getByLabel('To', { exact: true }).fill(minute(10));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel('From', { exact: true }).fill(minute(2));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No events match these filters.').waitFor();

    // A range that ends before it starts is the form's to fix, not a request.
    await page.getByLabel('From', { exact: true }).fill('2030-01-02T10:00');
    await page.getByLabel('To', { exact: true }).fill('2030-01-01T10:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('The end must not be before the start.').waitFor();
    expect(await page.getByLabel('To', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('To', { exact: true }).fill('2030-01-03T10:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No events match these filters.').waitFor();

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await table.waitFor();
    expect(await rows.count()).toBeGreaterThan(4);
    await context.close();
  });

  it('shows the page without an axe violation in light and dark themes, at 390 and 1280 px', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const admin = await signUpAndVerify(server, { name: 'Axe Admin' });
    await server.app.deps.orm.em.fork().nativeUpdate(UserEntity, { id: admin.session.user.id }, { role: 'admin' });
    const violations: Violation[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const width of [390, 1280]) {
        const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
        const page = await context.newPage();
        await signIn(page, server, admin.email, admin.password);
        await page.goto(`${server.url}/admin/security-events`);
        await page.getByRole('table', { name: 'Security events' }).waitFor();
        await page.waitForLoadState('networkidle');
        violations.push(...(await audit(page, '/admin/security-events', `${colorScheme} ${width}px`)));
        // At phone width the page's content stays in the window: the wide table scrolls in its own region.
        const overflow = await page.evaluate(() => {
          const content = document.querySelector('.settings__content')!;
          const region = content.querySelector('[role="region"]')!;
          return {
            content: Math.max(
              content.getBoundingClientRect().right - window.innerWidth,
              content.scrollWidth - content.clientWidth,
            ),
            region: region.getBoundingClientRect().right - window.innerWidth,
          };
        });
        expect(overflow.content, `${colorScheme} ${width}px`).toBeLessThanOrEqual(0);
        expect(overflow.region, `${colorScheme} ${width}px`).toBeLessThanOrEqual(0);
        await page.getByLabel('IP address').fill('not an address');
        await page.getByRole('button', { name: 'Apply filters' }).click();
        await page.getByText('Enter an IP address').waitFor();
        violations.push(...(await audit(page, '/admin/security-events (bad filter)', `${colorScheme} ${width}px`)));
        await context.close();
      }
    }
    expect(violations).toEqual([]);
  }, 120_000);
});
