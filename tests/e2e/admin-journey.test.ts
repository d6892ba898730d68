import { describe, expect, it } from 'vitest';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import { signUpAndVerify, strongPassword, uniqueEmail } from '#tests/helpers/test-server.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)('the admin console in Chromium', () => {
  const setup = useServerAndBrowser();

  it('lets an admin invite a person, who accepts from the mail and lands signed in', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const admin = await signUpAndVerify(server, { name: 'Grace Admin' });
    // The first admin comes from the operations command; here, straight in the database.
    const em = server.app.deps.orm.em.fork();
    await em.nativeUpdate(UserEntity, { id: admin.session.user.id }, { role: 'admin' });

    const adminContext = await browser.newContext();
    const page = await adminContext.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('list', { name: 'Users' }).waitFor();
    await page.getByRole('link', { name: 'Invitations' }).click();
    // Until the page has changed, the users page's "Search by email or name" would take the address.
    await page.getByRole('heading', { name: 'Invite someone' }).waitFor();

    const invitee = uniqueEmail('invitee');
    await page.getByLabel('Email', { exact: true }).fill(invitee);
    await page.getByLabel('Role').selectOption('user');
    const since = server.mail.mark();
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText(`Invitation sent to ${invitee}.`).waitFor();
    await page.getByRole('list', { name: 'Sent invitations' }).getByText(invitee).waitFor();

    const mail = await server.mail.waitForMail({ to: invitee, subject: 'invited', since });
    const newcomer = await browser.newContext();
    const invitePage = await newcomer.newPage();
    await invitePage.goto(linkIn(mail, '/invite?token=').toString());
    await invitePage.getByLabel('Name').fill('New Colleague');
    await invitePage.getByLabel('Password', { exact: true }).fill(strongPassword());
    await invitePage.getByRole('button', { name: 'Join Latchkey' }).click();
    await invitePage.getByRole('link', { name: 'Your profile', exact: true }).waitFor();
    expect(await invitePage.getByRole('link', { name: 'Admin' }).count()).toBe(0);

    await page.reload();
    await page.getByRole('list', { name: 'Sent invitations' }).getByText('Accepted').waitFor();
    await adminContext.close();
    await newcomer.close();
  });
});
