import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import { inviteToOrg } from '#tests/helpers/orgs.ts';
import { signUpAndVerify, strongPassword, uniqueEmail, type TestServer } from '#tests/helpers/test-server.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();

const profileLink = (page: Page) => page.getByRole('link', { name: 'Your profile', exact: true });
const orgNav = (page: Page) => page.getByRole('navigation', { name: 'Organization' });
const membersList = (page: Page) => page.getByRole('list', { name: 'Members' });

async function logIn(page: Page, server: TestServer, email: string, password: string) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await profileLink(page).waitFor();
}

/** Opens the header's switcher and follows one of its links, as a person would. */
async function switchTo(page: Page, link: string) {
  await page.getByRole('button', { name: 'Organizations', exact: true }).click();
  await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: link }).click();
}

describe.skipIf(!hasChromium)('organizations in Chromium', () => {
  const setup = useServerAndBrowser();
  /** A step that cannot happen fails within 10 s, naming the step, not at the test's timeout. */
  const newContext = async (options: BrowserContextOptions = {}) => {
    const context = await setup.browser().newContext(options);
    context.setDefaultTimeout(10_000);
    return context;
  };
  let tempDir = '';
  beforeAll(async () => {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-orgs-journey-'));
  });
  afterAll(async () => {
    if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
  });

  it('an owner creates an organization and invites a newcomer, who signs up from the mail and lands in it; the owner makes them an admin, then removes them', async () => {
    const server = setup.server();
    const owner = await signUpAndVerify(server, { name: 'Olive Owner' });
    const ownerContext = await newContext();
    const page = await ownerContext.newPage();
    await logIn(page, server, owner.email, owner.password);

    await switchTo(page, 'All organizations');
    await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
    await page.getByRole('main').getByText('You are not in any organization yet.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Acme Rockets');
    // The address follows the name until it is edited.
    expect(await page.getByRole('textbox', { name: 'Address' }).inputValue()).toBe('acme-rockets');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/orgs/acme-rockets/members');
    await membersList(page).getByText('Olive Owner').waitFor();
    await membersList(page).getByText('Owner', { exact: true }).waitFor();

    await orgNav(page).getByRole('link', { name: 'Invitations' }).click();
    await page.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
    const invitee = uniqueEmail('newcomer');
    await page.getByLabel('Email', { exact: true }).fill(invitee);
    await page.getByRole('region', { name: 'Invite someone' }).getByLabel('Role').selectOption('member');
    const since = server.mail.mark();
    await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
    await page.getByText(`Invitation sent to ${invitee}.`).waitFor();
    const sent = page
      .getByRole('list', { name: 'Sent invitations' })
      .getByRole('listitem')
      .filter({ hasText: invitee });
    await sent.getByText('Pending').waitFor();

    const mail = await server.mail.waitForMail({ to: invitee, subject: 'invited you to Acme Rockets', since });
    const newcomerContext = await newContext();
    const newcomer = await newcomerContext.newPage();
    await newcomer.goto(linkIn(mail, '/invite?token=').toString());
    await newcomer.getByRole('heading', { name: 'Join Acme Rockets', level: 1 }).waitFor();
    await newcomer.getByText(invitee).waitFor();
    await newcomer.getByLabel('Name').fill('Nia Newcomer');
    await newcomer.getByLabel('Password', { exact: true }).fill(strongPassword());
    await newcomer.getByRole('button', { name: 'Join Acme Rockets' }).click();
    await newcomer.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    expect(new URL(newcomer.url()).pathname).toBe('/orgs/acme-rockets/members');
    await newcomer.getByText('Welcome to Acme Rockets!', { exact: false }).waitFor();
    await profileLink(newcomer).waitFor();
    // A member sees no admin pages, and no role controls.
    await orgNav(newcomer).getByRole('link', { name: 'Notices' }).waitFor();
    expect(await orgNav(newcomer).getByRole('link', { name: 'Invitations' }).count()).toBe(0);
    expect(await orgNav(newcomer).getByRole('link', { name: 'Activity log' }).count()).toBe(0);
    expect(await newcomer.getByRole('combobox').count()).toBe(0);

    await page.reload();
    await sent.getByText('Accepted').waitFor();
    await orgNav(page).getByRole('link', { name: 'Members' }).click();
    const row = membersList(page).getByRole('listitem').filter({ hasText: 'Nia Newcomer' });
    await row.getByText(invitee).waitFor();
    await page.getByLabel('Role of Nia Newcomer').selectOption('admin');
    await page.getByRole('button', { name: 'Change role: Nia Newcomer' }).click();
    const roleDialog = page.getByRole('dialog', { name: 'Make Nia Newcomer an admin?' });
    // Cancelling changes nothing: the newcomer is still a member after a reload.
    await roleDialog.getByRole('button', { name: 'Cancel' }).click();
    await roleDialog.waitFor({ state: 'hidden' });
    await newcomer.reload();
    await membersList(newcomer).waitFor();
    expect(await orgNav(newcomer).getByRole('link', { name: 'Activity log' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Change role: Nia Newcomer' }).click();
    await roleDialog.getByRole('button', { name: 'Change role', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Nia Newcomer is now an admin.' }).waitFor();
    expect(await page.getByLabel('Role of Nia Newcomer').inputValue()).toBe('admin');
    // The new admin gets the admin pages on their next load.
    await newcomer.reload();
    await orgNav(newcomer).getByRole('link', { name: 'Activity log' }).click();
    await newcomer.getByRole('heading', { name: 'Activity log', level: 1 }).waitFor();
    await newcomer.getByText('Role changed').waitFor();

    await page.getByRole('button', { name: 'Remove: Nia Newcomer' }).click();
    const removeDialog = page.getByRole('dialog', { name: 'Remove Nia Newcomer from Acme Rockets?' });
    await removeDialog.getByRole('button', { name: 'Remove member' }).click();
    await page.getByRole('status').filter({ hasText: 'Nia Newcomer is no longer a member of Acme Rockets.' }).waitFor();
    await expect.poll(() => row.count()).toBe(0);

    // Removed, the newcomer finds the organization gone, as if it had never existed.
    await newcomer.goto(`${server.url}/orgs/acme-rockets/members`);
    await newcomer.getByRole('heading', { name: 'Organization not found', level: 1 }).waitFor();
    await newcomer.getByRole('button', { name: 'Organizations', exact: true }).click();
    await newcomer
      .getByRole('navigation', { name: 'Account' })
      .getByText('You are not in any organization yet.')
      .waitFor();
    await ownerContext.close();
    await newcomerContext.close();
  });

  it('invites a team from a CSV file with an outcome per address; an existing member signs in from the link to join, and someone else signed in is told whose invitation it is', async () => {
    const server = setup.server();
    const owner = await signUpAndVerify(server, { name: 'Tess Team' });
    const org = await owner.client.trpc.orgs.create.mutate({ name: 'Team Kite', slug: 'team-kite' });
    const existing = await signUpAndVerify(server, { name: 'Eli Existing' });
    const stranger = await signUpAndVerify(server, { name: 'Sam Stranger' });
    const fresh = [uniqueEmail('csv-a'), uniqueEmail('csv-b')];
    const csvPath = path.join(tempDir, 'team.csv');
    await fs.writeFile(
      csvPath,
      ['name,email', `"Kite, Alice",${fresh[0]}`, `Bob,${fresh[1]}`, `Me,${owner.email}`, 'Typo,not@valid@x'].join(
        '\n',
      ),
    );

    const ownerContext = await newContext();
    const page = await ownerContext.newPage();
    await logIn(page, server, owner.email, owner.password);
    await switchTo(page, 'Team Kite');
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    await orgNav(page).getByRole('link', { name: 'Invitations' }).click();
    const many = page.getByRole('region', { name: 'Invite many at once' });
    await many.getByLabel('Choose a CSV file').setInputFiles(csvPath);
    await many.getByText('4 addresses from team.csv').waitFor();
    expect((await many.getByLabel('Addresses').inputValue()).split('\n')).toEqual([
      fresh[0],
      fresh[1],
      owner.email,
      'not@valid@x',
    ]);
    await many.getByRole('button', { name: 'Send invitations' }).click();
    const results = many.getByRole('table');
    const outcome = (email: string) => results.getByRole('row').filter({ hasText: email });
    await outcome(fresh[0]!).getByText('Invited').waitFor();
    await outcome(fresh[1]!).getByText('Invited').waitFor();
    await outcome(owner.email).getByText('Already a member').waitFor();
    await outcome('not@valid@x').getByText('Not a valid address').waitFor();
    await page.getByRole('list', { name: 'Sent invitations' }).getByText(fresh[1]!).waitFor();

    // An address that has an account: the link asks them to sign in, and brings them back to join.
    const { mail } = await inviteToOrg(server, owner, org, existing.email);
    const link = linkIn(mail, '/invite?token=').toString();
    const otherContext = await newContext();
    const other = await otherContext.newPage();
    await logIn(other, server, stranger.email, stranger.password);
    await other.goto(link);
    await other.getByText(`This invitation is for ${existing.email}`, { exact: false }).waitFor();
    expect(await other.getByRole('button', { name: 'Join Team Kite' }).count()).toBe(0);
    await other.getByRole('button', { name: 'Sign out' }).click();
    await other.getByRole('link', { name: 'Sign in to join' }).click();
    await other.getByLabel('Email', { exact: true }).fill(existing.email);
    await other.getByRole('button', { name: 'Continue', exact: true }).click();
    await other.getByLabel('Password', { exact: true }).fill(existing.password);
    await other.getByRole('button', { name: 'Log in', exact: true }).click();
    await other.getByRole('button', { name: 'Join Team Kite' }).click();
    await other.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    expect(new URL(other.url()).pathname).toBe('/orgs/team-kite/members');
    await membersList(other).getByText('Eli Existing').waitFor();

    // The same link again: used, and said so.
    await other.goto(link);
    await other.getByRole('heading', { name: 'This invitation cannot be used', level: 1 }).waitFor();
    await ownerContext.close();
    await otherContext.close();
  });

  it('renames an organization and changes its address, refuses a taken one on its field, and the last owner cannot leave', async () => {
    const server = setup.server();
    const owner = await signUpAndVerify(server, { name: 'Rita Rename' });
    await owner.client.trpc.orgs.create.mutate({ name: 'Old Name', slug: 'old-name' });
    await owner.client.trpc.orgs.create.mutate({ name: 'Taken', slug: 'taken-slug' });
    const context = await newContext();
    const page = await context.newPage();
    await logIn(page, server, owner.email, owner.password);
    await page.goto(`${server.url}/orgs/old-name/settings`);
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();

    const address = page.getByRole('textbox', { name: 'Address' });
    await address.fill('taken-slug');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('This address is taken: choose another.').waitFor();
    expect(await address.getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Name', { exact: true }).fill('New Name');
    await address.fill('new-name');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/orgs/new-name/settings');
    await orgNav(page).getByText('New Name').waitFor();
    await page.goto(`${server.url}/orgs/old-name/members`);
    await page.getByRole('heading', { name: 'Organization not found', level: 1 }).waitFor();

    await page.goto(`${server.url}/orgs/new-name/settings`);
    await page.getByRole('button', { name: 'Leave organization…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Leave New Name?' });
    await dialog.getByRole('button', { name: 'Leave organization' }).click();
    await dialog.getByText('This is the last owner of the organization', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Delete organization…' }).click();
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByRole('heading', { name: 'Organizations', level: 1 }).waitFor();
    await page.getByText('New Name is deleted.').waitFor();
    const list = page.getByRole('list', { name: 'Your organizations' });
    await list.getByRole('link', { name: 'Taken', exact: true }).waitFor();
    expect(await list.getByRole('link', { name: 'New Name' }).count()).toBe(0);
    await context.close();
  });
});
