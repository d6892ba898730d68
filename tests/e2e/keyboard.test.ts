import { describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { describeOrgEvent } from '#shared/org-events.ts';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import { joinOrg } from '#tests/helpers/orgs.ts';
import {
  signUpAndVerify,
  strongPassword,
  uniqueEmail,
  VERIFY_SUBJECT,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();

// Only the keyboard here: page.keyboard presses and typing, never a click, fill or focus() call.

type FocusState = {
  isActive: boolean;
  focusVisible: boolean;
  outlineStyle: string;
  outlineWidth: number;
  tag: string;
  text: string;
};

/** Where focus is, and whether it is drawn: a keyboard user must see the focused control. */
function focusStateOf(target: Locator): Promise<FocusState> {
  return target.evaluate((element) => {
    const active = document.activeElement as HTMLElement | null;
    const style = active ? getComputedStyle(active) : null;
    return {
      isActive: element === active,
      focusVisible: active?.matches(':focus-visible') ?? false,
      outlineStyle: style?.outlineStyle ?? 'none',
      outlineWidth: style ? parseFloat(style.outlineWidth) : 0,
      tag: active?.tagName ?? 'none',
      text: (active?.getAttribute('aria-label') ?? active?.textContent ?? '').trim().slice(0, 60),
    };
  });
}

/** Asserts that `target` has the focus and shows a focus ring. */
async function expectFocusedWithRing(target: Locator, what: string) {
  await expect
    .poll(async () => (await focusStateOf(target)).isActive, { message: `focus should be on ${what}` })
    .toBe(true);
  const state = await focusStateOf(target);
  expect(state.focusVisible, `${what} matches :focus-visible`).toBe(true);
  expect(state.outlineStyle, `${what} draws an outline`).not.toBe('none');
  expect(state.outlineWidth, `${what} has a visible outline width`).toBeGreaterThan(0);
}

/** Presses a key (Tab or Shift+Tab) and expects focus to land on `target`, with its focus ring. */
async function press(page: Page, key: 'Tab' | 'Shift+Tab', target: Locator, what: string) {
  await page.keyboard.press(key);
  await expectFocusedWithRing(target, what);
}

/** Page headings take focus when a page opens (so screen readers announce it); they draw no ring by design. */
async function expectHeadingFocused(page: Page, name: string) {
  const heading = page.getByRole('heading', { name, level: 1 });
  await heading.waitFor();
  await expect
    .poll(() => heading.evaluate((element) => element === document.activeElement), {
      message: `the "${name}" heading has focus`,
    })
    .toBe(true);
}

/** The error texts that the field's aria-describedby points at, and whether the field says it is invalid. */
function announcedErrors(field: Locator): Promise<{ invalid: string | null; described: string[] }> {
  return field.evaluate((element) => ({
    invalid: element.getAttribute('aria-invalid'),
    described: (element.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id))
      .filter((node): node is HTMLElement => node !== null && node.classList.contains('field__error'))
      .map((node) => node.textContent?.trim() ?? ''),
  }));
}

/** Signs in from /login by keyboard and waits for the home page's heading to take the focus. */
async function logInByKeyboard(page: Page, server: TestServer, who: SignedUp, name: string) {
  await page.goto(`${server.url}/login`);
  await expectHeadingFocused(page, 'Log in');
  await press(page, 'Tab', page.getByLabel('Email', { exact: true }), 'the Email field');
  await page.keyboard.type(who.email);
  // Email first (API.md §15): Enter continues, and the password, asked next, takes the focus.
  await page.keyboard.press('Enter');
  await expectFocusedWithRing(page.getByLabel('Password', { exact: true }), 'the Password field');
  await page.keyboard.type(who.password);
  await page.keyboard.press('Enter');
  await expectHeadingFocused(page, `Welcome, ${name}`);
}

/** From the home page's heading back through the header to the organization switcher's button. */
async function backToSwitcher(page: Page): Promise<Locator> {
  const header = page.getByRole('navigation', { name: 'Account' });
  const steps: [Locator, string][] = [
    [header.getByRole('link', { name: 'Your profile', exact: true }), 'the Your profile link'],
    [header.getByRole('button', { name: 'Log out', exact: true }), 'the Log out button'],
    [header.getByRole('link', { name: 'Settings', exact: true }), 'the Settings link'],
    [header.getByRole('link', { name: 'Flyers', exact: true }), 'the Flyers link'],
  ];
  for (const [target, what] of steps) await press(page, 'Shift+Tab', target, what);
  const button = header.getByRole('button', { name: 'Organizations', exact: true });
  await press(page, 'Shift+Tab', button, 'the Organizations button');
  return button;
}

describe.skipIf(!hasChromium)('keyboard-only use in Chromium', () => {
  const setup = useServerAndBrowser();
  const newContext = async (options: BrowserContextOptions = {}) => {
    const context = await setup.browser().newContext(options);
    context.setDefaultTimeout(10_000);
    return context;
  };

  it('signs up, logs out and signs in again with Tab, Shift+Tab, typing and Enter only, with a visible focus ring on every control', async () => {
    const server = setup.server();
    const context = await newContext();
    const page = await context.newPage();
    const header = page.getByRole('navigation', { name: 'Account' });
    const email = uniqueEmail('keyboard');
    const password = strongPassword();

    await page.goto(`${server.url}/signup`);
    await expectHeadingFocused(page, 'Create your account');
    await press(page, 'Tab', page.getByLabel('Name'), 'the Name field');
    await page.keyboard.type('Ada Keyboard');
    await press(page, 'Tab', page.getByLabel('Email', { exact: true }), 'the Email field');
    await page.keyboard.type(email);
    await press(page, 'Tab', page.getByLabel('Password', { exact: true }), 'the Password field');
    await page.keyboard.type(password);
    await press(page, 'Tab', page.getByRole('button', { name: 'Show password' }), 'the Show password toggle');
    await press(
      page,
      'Tab',
      page.getByRole('button', { name: 'Suggest a passphrase' }),
      'the Suggest a passphrase button',
    );
    await press(page, 'Tab', page.getByRole('button', { name: 'Sign up', exact: true }), 'the Sign up button');
    const since = server.mail.mark();
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Check your email');

    const mail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
    await page.goto(linkIn(mail, '/verify-email?token=').toString());
    await expectHeadingFocused(page, 'Welcome, Ada Keyboard');

    // Back from the page heading into the header: the profile link comes last, Log out just before it.
    await press(
      page,
      'Shift+Tab',
      header.getByRole('link', { name: 'Your profile', exact: true }),
      'the Your profile link',
    );
    await press(page, 'Shift+Tab', header.getByRole('button', { name: 'Log out', exact: true }), 'the Log out button');
    await page.keyboard.press('Enter');
    await header.getByRole('link', { name: 'Log in', exact: true }).waitFor();
    // Focus is not lost to the page body when the focused button goes away.
    await expectHeadingFocused(page, 'Your account, kept safe');

    await press(
      page,
      'Shift+Tab',
      header.getByRole('link', { name: 'Sign up', exact: true }),
      'the header Sign up link',
    );
    await press(page, 'Shift+Tab', header.getByRole('link', { name: 'Log in', exact: true }), 'the header Log in link');
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Log in');
    expect(new URL(page.url()).pathname).toBe('/login');
    await press(page, 'Tab', page.getByLabel('Email', { exact: true }), 'the Email field');
    await page.keyboard.type(email);
    await page.keyboard.press('Enter');
    await expectFocusedWithRing(page.getByLabel('Password', { exact: true }), 'the Password field');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await header.getByRole('link', { name: 'Your profile', exact: true }).waitFor();
    await expectHeadingFocused(page, 'Welcome, Ada Keyboard');
    await context.close();
  });

  it('moves focus to the first invalid field on a failed submit and ties the error to it', async () => {
    const server = setup.server();
    const context = await newContext();
    const page = await context.newPage();

    // Sign-up submitted empty: the name is optional, so the email is the first field in error.
    await page.goto(`${server.url}/signup`);
    await expectHeadingFocused(page, 'Create your account');
    const signUpEmail = page.getByLabel('Email', { exact: true });
    const signUpPassword = page.getByLabel('Password', { exact: true });
    await press(page, 'Tab', page.getByLabel('Name'), 'the Name field');
    await press(page, 'Tab', signUpEmail, 'the Email field');
    await press(page, 'Tab', signUpPassword, 'the Password field');
    await press(page, 'Tab', page.getByRole('button', { name: 'Show password' }), 'the Show password toggle');
    await press(
      page,
      'Tab',
      page.getByRole('button', { name: 'Suggest a passphrase' }),
      'the Suggest a passphrase button',
    );
    await press(page, 'Tab', page.getByRole('button', { name: 'Sign up', exact: true }), 'the Sign up button');
    await page.keyboard.press('Enter');
    await expectFocusedWithRing(signUpEmail, 'the Email field in error');
    await page.getByText('Enter your email address.').waitFor();
    expect(await announcedErrors(signUpEmail)).toEqual({ invalid: 'true', described: ['Enter your email address.'] });
    expect(await announcedErrors(signUpPassword)).toEqual({ invalid: 'true', described: ['Choose a password.'] });
    expect(await announcedErrors(page.getByLabel('Name'))).toEqual({ invalid: null, described: [] });
    expect(new URL(page.url()).pathname).toBe('/signup');

    // Sign-in without an email: Enter keeps the focus on the email, which says what it needs.
    await page.goto(`${server.url}/login`);
    await expectHeadingFocused(page, 'Log in');
    const email = page.getByLabel('Email', { exact: true });
    const password = page.getByLabel('Password', { exact: true });
    await press(page, 'Tab', email, 'the Email field');
    await page.keyboard.press('Enter');
    await expectFocusedWithRing(email, 'the Email field in error');
    await page.getByText('Enter your email address.').waitFor();
    expect(await announcedErrors(email)).toEqual({ invalid: 'true', described: ['Enter your email address.'] });

    // Corrected and sent again: the field error goes, the password is asked, and the server's answer is
    // announced as an alert.
    await page.keyboard.type(uniqueEmail('nobody'));
    await page.keyboard.press('Enter');
    await expectFocusedWithRing(password, 'the Password field');
    expect(await announcedErrors(password)).toEqual({ invalid: null, described: [] });
    await page.keyboard.type(strongPassword());
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'The email or password is not right.' }).waitFor();
    expect(await announcedErrors(email)).toEqual({ invalid: null, described: [] });
    expect(await page.getByText('Enter your email address.').count()).toBe(0);
    await context.close();
  });

  it('deletes the account by keyboard: the form takes the focus when it opens, Cancel gives it back, and the confirmation needs Space on the checkbox', async () => {
    const server = setup.server();
    const member = await signUpAndVerify(server, { name: 'Kay Board' });
    const context = await newContext();
    const page = await context.newPage();
    const header = page.getByRole('navigation', { name: 'Account' });
    const settingsNav = page.getByRole('navigation', { name: 'Settings' });

    await page.goto(`${server.url}/login`);
    await expectHeadingFocused(page, 'Log in');
    await press(page, 'Tab', page.getByLabel('Email', { exact: true }), 'the Email field');
    await page.keyboard.type(member.email);
    await page.keyboard.press('Enter');
    await expectFocusedWithRing(page.getByLabel('Password', { exact: true }), 'the Password field');
    await page.keyboard.type(member.password);
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Welcome, Kay Board');

    await press(
      page,
      'Shift+Tab',
      header.getByRole('link', { name: 'Your profile', exact: true }),
      'the Your profile link',
    );
    await press(page, 'Shift+Tab', header.getByRole('button', { name: 'Log out', exact: true }), 'the Log out button');
    await press(page, 'Shift+Tab', header.getByRole('link', { name: 'Settings', exact: true }), 'the Settings link');
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Profile');
    await press(
      page,
      'Shift+Tab',
      settingsNav.getByRole('link', { name: 'Preferences', exact: true }),
      'the Preferences section link',
    );
    await press(
      page,
      'Shift+Tab',
      settingsNav.getByRole('link', { name: 'Privacy', exact: true }),
      'the Privacy section link',
    );
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Privacy');

    const contactSwitch = page.getByRole('switch', { name: 'Let members contact me by email' });
    await contactSwitch.waitFor();
    await press(page, 'Tab', contactSwitch, 'the contact switch');
    await press(
      page,
      'Tab',
      page.getByRole('button', { name: 'Download my data', exact: true }),
      'the Download my data button',
    );
    await press(page, 'Tab', page.getByRole('button', { name: 'Deactivate…', exact: true }), 'the Deactivate button');
    const openDelete = page.getByRole('button', { name: 'Delete my account…', exact: true });
    await press(page, 'Tab', openDelete, 'the Delete my account button');
    await page.keyboard.press('Enter');
    const password = page.getByLabel('Password', { exact: true });
    await expectFocusedWithRing(password, 'the Password field of the opened form');
    await press(page, 'Tab', page.getByRole('button', { name: 'Show password' }), 'the Show password toggle');
    const understood = page.getByRole('checkbox', {
      name: /I understand that my account and everything in it will be erased/,
    });
    await press(page, 'Tab', understood, 'the confirmation checkbox');
    // Until the box is ticked, the delete button is disabled and Tab passes it by.
    await press(page, 'Tab', page.getByRole('button', { name: 'Cancel', exact: true }), 'the Cancel button');
    await page.keyboard.press('Enter');
    await expectFocusedWithRing(openDelete, 'the Delete my account button again, after Cancel');

    await page.keyboard.press('Enter');
    await expectFocusedWithRing(password, 'the Password field of the reopened form');
    await page.keyboard.type(member.password);
    await press(page, 'Tab', page.getByRole('button', { name: 'Show password' }), 'the Show password toggle');
    await press(page, 'Tab', understood, 'the confirmation checkbox');
    await page.keyboard.press('Space');
    expect(await understood.isChecked()).toBe(true);
    await press(
      page,
      'Tab',
      page.getByRole('button', { name: 'Delete my account for good', exact: true }),
      'the Delete for good button',
    );
    await page.keyboard.press('Enter');
    await page.getByText('Your account is deleted.').waitFor();
    await header.getByRole('link', { name: 'Log in', exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await context.close();
  });

  it('opens the organization switcher from the keyboard: Enter opens it, the arrow keys and Tab move through its links, Escape closes it and gives the focus back to its button', async () => {
    const server = setup.server();
    const owner = await signUpAndVerify(server, { name: 'Sid Switcher' });
    await owner.client.trpc.orgs.create.mutate({ name: 'Kite Works', slug: 'kite-works' });
    await owner.client.trpc.orgs.create.mutate({ name: 'Lamp Lab', slug: 'lamp-lab' });
    const context = await newContext();
    const page = await context.newPage();
    const header = page.getByRole('navigation', { name: 'Account' });
    await logInByKeyboard(page, server, owner, 'Sid Switcher');

    const button = await backToSwitcher(page);
    const expanded = () => button.getAttribute('aria-expanded');
    const kite = header.getByRole('link', { name: /^Kite Works/ });
    const lamp = header.getByRole('link', { name: /^Lamp Lab/ });
    const all = header.getByRole('link', { name: 'All organizations', exact: true });
    expect(await expanded()).toBe('false');
    await page.keyboard.press('Enter');
    await kite.waitFor();
    expect(await expanded()).toBe('true');
    await expectFocusedWithRing(button, 'the Organizations button, once open');

    // Down from the button into the list, down and up along it, Home and End at its ends.
    await page.keyboard.press('ArrowDown');
    await expectFocusedWithRing(kite, 'the first organization, after ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expectFocusedWithRing(lamp, 'the second organization, after ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expectFocusedWithRing(all, 'the All organizations link, after ArrowDown');
    await page.keyboard.press('ArrowUp');
    await expectFocusedWithRing(lamp, 'the second organization, after ArrowUp');
    await page.keyboard.press('Home');
    await expectFocusedWithRing(kite, 'the first organization, after Home');
    await page.keyboard.press('End');
    await expectFocusedWithRing(all, 'the All organizations link, after End');

    await page.keyboard.press('Escape');
    await expectFocusedWithRing(button, 'the Organizations button, after Escape');
    expect(await expanded()).toBe('false');
    expect(await kite.isVisible()).toBe(false);

    // Tab walks the open list in order; tabbing out of it closes it.
    await page.keyboard.press('Space');
    await kite.waitFor();
    await press(page, 'Tab', kite, 'the first organization');
    await press(page, 'Tab', lamp, 'the second organization');
    await press(page, 'Tab', all, 'the All organizations link');
    await press(page, 'Tab', header.getByRole('link', { name: 'Flyers', exact: true }), 'the Flyers link');
    await expect.poll(expanded, { message: 'the switcher closes once the focus has left it' }).toBe('false');

    // ArrowDown on the closed button opens it at its first link; Enter on an organization goes to its members.
    await press(page, 'Shift+Tab', button, 'the Organizations button');
    await page.keyboard.press('ArrowDown');
    await expectFocusedWithRing(kite, 'the first organization, after ArrowDown on the closed button');
    await page.keyboard.press('ArrowDown');
    await expectFocusedWithRing(lamp, 'the second organization');
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Members');
    expect(new URL(page.url()).pathname).toBe('/orgs/lamp-lab/members');
    expect(await expanded()).toBe('false');
    await context.close();
  });

  it('changes a member’s role and removes them by keyboard: each confirmation keeps the focus inside, Escape cancels and gives the focus back to the button that opened it', async () => {
    const server = setup.server();
    const owner = await signUpAndVerify(server, { name: 'Mo Manager' });
    const member = await signUpAndVerify(server, { name: 'Nell Member' });
    const org = await owner.client.trpc.orgs.create.mutate({ name: 'Quay Crew', slug: 'quay-crew' });
    await joinOrg(server, owner, org, member, 'member');
    const context = await newContext();
    const page = await context.newPage();
    const members = page.getByRole('list', { name: 'Members' });
    await logInByKeyboard(page, server, owner, 'Mo Manager');
    await backToSwitcher(page);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Members');

    await press(page, 'Tab', page.getByLabel('Search members'), 'the Search members field');
    await press(page, 'Tab', members.getByRole('link', { name: 'Mo Manager' }), 'the own row’s name');
    await press(page, 'Tab', members.getByRole('link', { name: 'Nell Member' }), 'Nell’s name');
    const roleSelect = page.getByLabel('Role of Nell Member');
    await press(page, 'Tab', roleSelect, 'Nell’s role');
    await page.keyboard.press('ArrowUp');
    expect(await roleSelect.inputValue()).toBe('admin');
    const openRole = page.getByRole('button', { name: 'Change role: Nell Member' });
    await press(page, 'Tab', openRole, 'the Change role button');

    await page.keyboard.press('Enter');
    const roleDialog = page.getByRole('dialog', { name: 'Make Nell Member an admin?' });
    const cancelRole = roleDialog.getByRole('button', { name: 'Cancel', exact: true });
    const confirmRole = roleDialog.getByRole('button', { name: 'Change role', exact: true });
    await expectFocusedWithRing(cancelRole, 'the dialog’s Cancel button, as it opens');
    await press(page, 'Tab', confirmRole, 'the dialog’s Change role button');
    await press(page, 'Tab', cancelRole, 'the dialog’s Cancel button again: Tab stays in the dialog');
    await press(page, 'Shift+Tab', confirmRole, 'the dialog’s Change role button again: so does Shift+Tab');
    await page.keyboard.press('Escape');
    await roleDialog.waitFor({ state: 'hidden' });
    await expectFocusedWithRing(openRole, 'the Change role button, after Escape');
    expect((await owner.client.trpc.orgs.members.list.query({ orgId: org.id })).items.map((item) => item.role)).toEqual(
      ['owner', 'member'],
    );

    await page.keyboard.press('Enter');
    await expectFocusedWithRing(cancelRole, 'the dialog’s Cancel button, reopened');
    await press(page, 'Tab', confirmRole, 'the dialog’s Change role button');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Nell Member is now an admin.' }).waitFor();
    await roleDialog.waitFor({ state: 'hidden' });
    // The Change role button goes once the role is saved: the focus stays on the row, on its role.
    await expectFocusedWithRing(roleSelect, 'Nell’s role, once changed');

    const openRemove = page.getByRole('button', { name: 'Remove: Nell Member' });
    await press(page, 'Tab', openRemove, 'the Remove button');
    await page.keyboard.press('Enter');
    const removeDialog = page.getByRole('dialog', { name: 'Remove Nell Member from Quay Crew?' });
    const cancelRemove = removeDialog.getByRole('button', { name: 'Cancel', exact: true });
    const confirmRemove = removeDialog.getByRole('button', { name: 'Remove member', exact: true });
    await expectFocusedWithRing(cancelRemove, 'the removal’s Cancel button, as it opens');
    await press(page, 'Shift+Tab', confirmRemove, 'the Remove member button: Shift+Tab stays in the dialog');
    await press(page, 'Tab', cancelRemove, 'the removal’s Cancel button: so does Tab');
    await page.keyboard.press('Escape');
    await removeDialog.waitFor({ state: 'hidden' });
    await expectFocusedWithRing(openRemove, 'the Remove button, after Escape');

    await page.keyboard.press('Enter');
    await press(page, 'Tab', confirmRemove, 'the Remove member button');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Nell Member is no longer a member of Quay Crew.' }).waitFor();
    await expect.poll(() => members.getByRole('link', { name: 'Nell Member' }).count()).toBe(0);
    // The row and its button are gone: the focus goes back to the list, not to the page body.
    await expectFocusedWithRing(page.getByLabel('Search members'), 'the Search members field, after the removal');
    await context.close();
  });

  it('uses the organization pages by keyboard: posts a notice and cancels its deletion, sends an invitation, renames the organization and reads the activity log', async () => {
    const server = setup.server();
    const owner = await signUpAndVerify(server, { name: 'Opal Owner' });
    await owner.client.trpc.orgs.create.mutate({ name: 'Reed Room', slug: 'reed-room' });
    const context = await newContext();
    const page = await context.newPage();
    const orgNav = page.getByRole('navigation', { name: 'Organization' });
    const navLink = (name: string): [Locator, string] => [
      orgNav.getByRole('link', { name, exact: true }),
      `the ${name} link of the organization`,
    ];
    const walk = async (key: 'Tab' | 'Shift+Tab', steps: [Locator, string][]) => {
      for (const [target, what] of steps) await press(page, key, target, what);
    };
    await logInByKeyboard(page, server, owner, 'Opal Owner');
    await backToSwitcher(page);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Members');

    // The organization's sections come just before the page's content (an owner's last is single sign-on).
    await walk('Shift+Tab', [
      navLink('Single sign-on'),
      navLink('Activity log'),
      navLink('Settings'),
      navLink('Notices'),
    ]);
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Notices');
    const title = page.getByLabel('Title', { exact: true });
    const text = page.getByLabel('Text', { exact: true });
    const post = page.getByRole('button', { name: 'Post notice', exact: true });
    await press(page, 'Tab', title, 'the Title field');
    await page.keyboard.type('Keys on the hook');
    await press(page, 'Tab', text, 'the Text field');
    await page.keyboard.type('Spare keys hang by the door.');
    await press(page, 'Tab', post, 'the Post notice button');
    await page.keyboard.press('Enter');
    await page.getByRole('article', { name: 'Keys on the hook' }).waitFor();
    expect(await title.inputValue()).toBe('');
    const openDelete = page.getByRole('button', { name: 'Delete: Keys on the hook' });
    await press(page, 'Tab', openDelete, 'the notice’s Delete button');
    await page.keyboard.press('Enter');
    const deleteDialog = page.getByRole('dialog', { name: 'Delete this notice?' });
    await expectFocusedWithRing(deleteDialog.getByRole('button', { name: 'Cancel' }), 'the dialog’s Cancel button');
    await page.keyboard.press('Escape');
    await deleteDialog.waitFor({ state: 'hidden' });
    await expectFocusedWithRing(openDelete, 'the notice’s Delete button, after Escape');
    expect(await page.getByRole('article', { name: 'Keys on the hook' }).count()).toBe(1);

    await walk('Shift+Tab', [
      [post, 'the Post notice button'],
      [text, 'the Text field'],
      [title, 'the Title field'],
      navLink('Single sign-on'),
      navLink('Activity log'),
      navLink('Settings'),
      navLink('Notices'),
      navLink('Invitations'),
    ]);
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Invitations');
    const inviteOne = page.getByRole('region', { name: 'Invite someone' });
    const invitee = uniqueEmail('keyboard-invitee');
    const role = inviteOne.getByLabel('Role');
    const send = inviteOne.getByRole('button', { name: 'Send invitation', exact: true });
    await press(page, 'Tab', inviteOne.getByLabel('Email', { exact: true }), 'the Email field');
    await page.keyboard.type(invitee);
    await press(page, 'Tab', role, 'the Role select');
    await page.keyboard.press('ArrowUp');
    expect(await role.inputValue()).toBe('admin');
    await press(page, 'Tab', send, 'the Send invitation button');
    await page.keyboard.press('Enter');
    await page.getByText(`Invitation sent to ${invitee}.`).waitFor();
    const sent = page
      .getByRole('list', { name: 'Sent invitations' })
      .getByRole('listitem')
      .filter({ hasText: invitee });
    await sent.getByText('Pending').waitFor();
    await sent.getByText(/^Admin · sent/).waitFor();

    await walk('Shift+Tab', [
      [role, 'the Role select'],
      [inviteOne.getByLabel('Email', { exact: true }), 'the Email field'],
      navLink('Single sign-on'),
      navLink('Activity log'),
      navLink('Settings'),
    ]);
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Settings');
    const name = page.getByLabel('Name', { exact: true });
    await press(page, 'Tab', name, 'the Name field');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Reed Room Annex');
    // Enter in a field sends its form.
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await orgNav.getByText('Reed Room Annex', { exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/orgs/reed-room/settings');

    await walk('Shift+Tab', [navLink('Single sign-on'), navLink('Activity log')]);
    await page.keyboard.press('Enter');
    await expectHeadingFocused(page, 'Activity log');
    const activity = page.getByRole('list', { name: 'Activity' });
    await activity.getByText(describeOrgEvent('org.updated'), { exact: true }).waitFor();
    await activity.getByText(describeOrgEvent('member.invited'), { exact: true }).waitFor();
    await context.close();
  });
});
