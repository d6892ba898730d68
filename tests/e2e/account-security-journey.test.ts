import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { describe, expect, it } from 'vitest';
import { linkIn } from '#tests/helpers/mail-capture.ts';
import { signUpAndVerify, strongPassword } from '#tests/helpers/test-server.ts';
import { chromiumAvailable, useServerAndBrowser } from './browser.ts';

const hasChromium = chromiumAvailable();

/** The code of a later 30-second step: accepted within the one-step drift, never one already used. */
function nextTotp(secretBase32: string, stepsAhead: number): string {
  const step = Math.floor(Date.now() / 1000 / 30) + stepsAhead;
  return generateHOTP(decodeBase32IgnorePadding(secretBase32.replace(/\s/g, '')), BigInt(step), 6);
}

describe.skipIf(!hasChromium)('account security in Chromium', () => {
  const setup = useServerAndBrowser();

  it('resets a forgotten password from the mailed link and signs in with the new one', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const member = await signUpAndVerify(server, { name: 'Margaret Hamilton' });
    const context = await browser.newContext();
    const page = await context.newPage();

    await page.goto(`${server.url}/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(member.email);
    const since = server.mail.mark();
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText(`If ${member.email} belongs to an account`).waitFor();

    const mail = await server.mail.waitForMail({ to: member.email, subject: 'Reset your', since });
    await page.goto(linkIn(mail, '/reset-password?token=').toString());
    const newPassword = strongPassword();
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    await page.getByRole('link', { name: 'Log in', exact: true }).last().click();
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('The email or password is not right.').waitFor();

    await page.getByLabel('Password', { exact: true }).fill(newPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Your profile', exact: true }).waitFor();
    await context.close();
  });

  it('turns on two-factor codes, then asks for a code at the next sign-in', async () => {
    const [server, browser] = [setup.server(), setup.browser()];
    const member = await signUpAndVerify(server);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: 'Your profile', exact: true }).waitFor();

    await page.goto(`${server.url}/settings/security`);
    await page.getByRole('button', { name: 'Turn on two-factor codes' }).click();
    await page.getByRole('img', { name: 'Image to scan with your authenticator app' }).waitFor();
    const secret = await page.getByLabel('Set-up key').innerText();
    await page.getByLabel('Code', { exact: true }).fill(nextTotp(secret, 0));
    await page.getByRole('button', { name: 'Turn on', exact: true }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('On', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.getByLabel('Code', { exact: true }).fill(nextTotp(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('link', { name: 'Your profile', exact: true }).waitFor();
    await context.close();
  });
});
