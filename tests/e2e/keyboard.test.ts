import { describe, expect, it } from 'vitest';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import { signUpAndVerify, strongPassword, uniqueEmail, VERIFY_SUBJECT } from '#tests/helpers/test-server.ts';
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
    await press(page, 'Tab', page.getByLabel('Password', { exact: true }), 'the Password field');
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

    // Sign-in with only a password: Enter in the password field sends focus back up to the email.
    await page.goto(`${server.url}/login`);
    await expectHeadingFocused(page, 'Log in');
    const email = page.getByLabel('Email', { exact: true });
    const password = page.getByLabel('Password', { exact: true });
    await press(page, 'Tab', email, 'the Email field');
    await press(page, 'Tab', password, 'the Password field');
    await page.keyboard.type(strongPassword());
    await page.keyboard.press('Enter');
    await expectFocusedWithRing(email, 'the Email field in error');
    await page.getByText('Enter your email address.').waitFor();
    expect(await announcedErrors(email)).toEqual({ invalid: 'true', described: ['Enter your email address.'] });
    expect(await announcedErrors(password)).toEqual({ invalid: null, described: [] });

    // Corrected and sent again: the field error goes, and the server's answer is announced as an alert.
    await page.keyboard.type(uniqueEmail('nobody'));
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
    await press(page, 'Tab', page.getByLabel('Password', { exact: true }), 'the Password field');
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
});
