import type { Page } from 'playwright-core';

/**
 * The email-first /login form (API.md §15): the address, Continue (which looks its domain up for an
 * SSO connection), then the password once it is asked. The page must already be /login.
 */
export async function fillLogInForm(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
}
