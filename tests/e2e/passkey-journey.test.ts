import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST } from '#server/http/spa.ts';
import { startOpenIdProvider, type OpenIdProvider } from '#tests/helpers/openid-provider.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import { signUpAndVerify, startTestServer, uniqueEmail, type TestServer } from '#tests/helpers/test-server.ts';
import { audit } from './axe.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';

// API.md §13 in Chromium, with the DevTools protocol's virtual authenticator standing in for a
// phone or a laptop's fingerprint reader (a platform authenticator with user verification that
// keeps resident keys). The server's PUBLIC_URL is on `localhost`: Chromium refuses an IP address
// as the relying party id ("This is an invalid domain"), and the page is opened on that origin.

const hasChromium = chromiumAvailable();

type VirtualAuthenticator = { cdp: CDPSession; authenticatorId: string };
type Credential = { credentialId: string; isResidentCredential: boolean; rpId: string; signCount: number };

async function addAuthenticator(
  context: BrowserContext,
  page: Page,
  options: { isUserVerified?: boolean; synced?: boolean } = {},
): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: options.isUserVerified ?? true,
      // Answers every request as if the person touched the sensor (and picked the only passkey).
      automaticPresenceSimulation: true,
      // As a password manager that syncs its passkeys to the member's other devices (the BE and BS flags).
      defaultBackupEligibility: options.synced ?? false,
      defaultBackupState: options.synced ?? false,
    },
  });
  return { cdp, authenticatorId };
}

/**
 * Test instruments, before the page's own scripts: every navigator.credentials.get is recorded with
 * its mediation, and with the flag below set in sessionStorage the browser says it has no passkey
 * autofill (as browsers without conditional mediation do), so that only the button asks.
 */
async function instrument(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const record: string[] = [];
    (window as unknown as { credentialRequests: string[] }).credentialRequests = record;
    const get = navigator.credentials.get.bind(navigator.credentials);
    navigator.credentials.get = (options?: CredentialRequestOptions) => {
      record.push(options?.mediation ?? 'optional');
      return get(options);
    };
    if (sessionStorage.getItem('e2e:no-passkey-autofill'))
      PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);
  });
}

const credentialRequests = (page: Page) =>
  page.evaluate(() => (window as unknown as { credentialRequests: string[] }).credentialRequests);
const setAutofill = (page: Page, on: boolean) =>
  page.evaluate((off) => (off ? sessionStorage.setItem('e2e:no-passkey-autofill', '1') : sessionStorage.clear()), !on);

async function credentialsOf({ cdp, authenticatorId }: VirtualAuthenticator): Promise<Credential[]> {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  return credentials as Credential[];
}

describe.skipIf(!hasChromium)('passkeys in Chromium', () => {
  let op: OpenIdProvider;
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(CLIENT_DIST, 'index.html')))
      throw new Error('The SPA is not built: run `npm run build` (npm test does).');
    // A provider, for an account without a password (API.md §12).
    op = await startOpenIdProvider({});
    server = await startTestServer(
      {
        OIDC_PROVIDERS: JSON.stringify([
          {
            id: 'acme',
            name: 'Acme ID',
            issuer: op.issuer,
            clientId: 'e2e-acme',
            clientSecret: 'acme',
            trustEmail: true,
          },
        ]),
      },
      { publicHost: 'localhost' },
    );
    await op.addClient({
      client_id: 'e2e-acme',
      client_secret: 'acme',
      redirect_uris: [`${server.url}/auth/oauth/acme/callback`],
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await op?.close();
  });

  const signedInLink = (page: Page) => page.getByRole('link', { name: 'Your profile', exact: true });
  const logOut = async (page: Page) => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
  };

  it('adds a passkey in settings with the password, renames it, signs in with it by the button and by autofill, and deletes it', async () => {
    const member = await signUpAndVerify(server, { name: 'Ada Passkey' });
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    await instrument(page);
    const authenticator = await addAuthenticator(context, page, { synced: true });

    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await signedInLink(page).waitFor();

    await page.goto(`${server.url}/settings/security`);
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByText('No passkeys yet.').waitFor();
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    // A wrong password is said under the field, and nothing is made.
    await section.getByLabel('Current password').fill('not the password at all');
    await section.getByRole('button', { name: 'Continue' }).click();
    await section.getByText('This is not your current password.').waitFor();
    expect(await credentialsOf(authenticator)).toEqual([]);

    await section.getByLabel('Current password').fill(member.password);
    await section.getByRole('button', { name: 'Continue' }).click();
    await section.getByText(/^Passkey added as Passkey on .+\. You can rename it below\.$/).waitFor();
    const [listed] = await member.client.trpc.auth.passkeys.list.query();
    expect(listed).toMatchObject({ name: expect.stringMatching(/^Passkey on /), lastUsedAt: null, backedUp: true });
    await section.getByText(listed!.name, { exact: true }).waitFor();
    await section.getByText('Synced', { exact: true }).waitFor();
    await section.getByText('not used to sign in yet').waitFor();
    // A discoverable credential (resident key), for this site: what autofill and the button need.
    const credentials = await credentialsOf(authenticator);
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    // Rename inline: the field takes the focus, Save gives it back to the Rename button of the new name.
    await section.getByRole('button', { name: `Rename ${listed!.name}` }).click();
    const nameField = section.getByLabel('Passkey name');
    await expect.poll(() => nameField.evaluate((element) => element === document.activeElement)).toBe(true);
    await nameField.fill('');
    await section.getByRole('button', { name: 'Save' }).click();
    await section.getByText('Give the passkey a name.').waitFor();
    await nameField.fill('  Work laptop  ');
    await section.getByRole('button', { name: 'Save' }).click();
    await section.getByText('Your passkey is renamed to Work laptop.').waitFor();
    const renameButton = section.getByRole('button', { name: 'Rename Work laptop' });
    await expect.poll(() => renameButton.evaluate((element) => element === document.activeElement)).toBe(true);
    // Escape leaves the field as it was, with the focus back on the button.
    await renameButton.press('Enter');
    await nameField.fill('Not kept');
    await page.keyboard.press('Escape');
    await expect.poll(() => renameButton.evaluate((element) => element === document.activeElement)).toBe(true);
    expect((await member.client.trpc.auth.passkeys.list.query()).map((passkey) => passkey.name)).toEqual([
      'Work laptop',
    ]);
    await page.waitForLoadState('networkidle');
    expect(await audit(page, '/settings/security', 'a passkey listed')).toEqual([]);

    // Two-factor codes on: a passkey is both factors, so the code step never shows after it.
    const setup = await member.client.trpc.auth.mfa.setup.mutate();
    await member.client.trpc.auth.mfa.enable.mutate({ code: totpAt(setup.secret, new Date()) });

    // The button, in a browser without passkey autofill (else the autofill request below answers first).
    await setAutofill(page, false);
    await page.goto(`${server.url}/`);
    await logOut(page);
    await page.getByRole('link', { name: 'Log in', exact: true }).click();
    // What makes the browser offer passkeys among the Email field's suggestions (API.md §13).
    expect(await page.getByLabel('Email').getAttribute('autocomplete')).toBe('username webauthn');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await signedInLink(page).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.getByRole('heading', { name: 'Enter your code' }).count()).toBe(0);
    expect(await credentialRequests(page)).toEqual(['optional']);
    const [used] = await member.client.trpc.auth.passkeys.list.query();
    expect(used!.lastUsedAt).not.toBeNull();

    // Autofill: the Email field offers passkeys, and the page asks for one with conditional mediation
    // from its start. Chromium's virtual authenticator (automaticPresenceSimulation) answers such a
    // request by itself, without the field being focused or a suggestion picked, so the page signs in
    // with nothing typed or clicked: the picking itself, in the browser's own suggestions, is not covered.
    await setAutofill(page, true);
    await logOut(page);
    await page.goto(`${server.url}/login`);
    await signedInLink(page).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await credentialRequests(page)).toEqual(['conditional']);
    expect(await page.getByRole('heading', { name: 'Enter your code' }).count()).toBe(0);
    const [again] = await member.client.trpc.auth.passkeys.list.query();
    expect(Date.parse(again!.lastUsedAt!)).toBeGreaterThan(Date.parse(used!.lastUsedAt!));

    await page.goto(`${server.url}/settings/security`);
    await section.getByRole('button', { name: 'Delete Work laptop' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Work laptop?' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await section.getByText('Work laptop is deleted.').waitFor();
    await section.getByText('No passkeys yet.').waitFor();
    expect(await member.client.trpc.auth.passkeys.list.query()).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('explains a refused passkey on /login once, by autofill and by the button, and passes axe there', async () => {
    const member = await signUpAndVerify(server);
    const context = await browser.newContext();
    const page = await context.newPage();
    await instrument(page);
    const authenticator = await addAuthenticator(context, page);
    const signIns: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('auth.passkeys.signIn')) signIns.push(request.url());
    });
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await signedInLink(page).waitFor();
    await page.goto(`${server.url}/settings/security`);
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    await section.getByLabel('Current password').fill(member.password);
    await section.getByRole('button', { name: 'Continue' }).click();
    await section.getByText(/^Passkey added as/).waitFor();
    await page.goto(`${server.url}/`);
    await logOut(page);

    // Deleted from the account, the passkey stays on the device: the server refuses it.
    const [passkey] = await member.client.trpc.auth.passkeys.list.query();
    await member.client.trpc.auth.passkeys.delete.mutate({ id: passkey!.id });
    expect(await credentialsOf(authenticator)).toHaveLength(1);
    await page.goto(`${server.url}/login`);
    const refused = page.getByRole('alert').filter({ hasText: 'That passkey did not work' });
    await refused.waitFor();
    // The autofill request is not made again by itself (the virtual authenticator would answer it at once).
    await page.waitForTimeout(1000);
    expect(signIns).toHaveLength(1);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => signIns.length).toBe(2);
    await refused.waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await credentialRequests(page)).toEqual(['conditional', 'optional']);
    // Back in the Email field, the member may pick another passkey: the autofill request is made again.
    await page.getByLabel('Email').focus();
    await expect.poll(() => signIns.length).toBe(3);
    await refused.waitFor();
    expect(await credentialRequests(page)).toEqual(['conditional', 'optional', 'conditional']);
    await page.waitForLoadState('networkidle');
    expect(await audit(page, '/login', 'a refused passkey')).toEqual([]);
    await context.close();
  });

  it('says a cancelled passkey prompt in words, in settings and on /login', async () => {
    const member = await signUpAndVerify(server);
    const context = await browser.newContext();
    const page = await context.newPage();
    await instrument(page);
    // User verification that fails, as when the person closes the browser's prompt: NotAllowedError.
    const authenticator = await addAuthenticator(context, page, { isUserVerified: false });
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await signedInLink(page).waitFor();
    await page.goto(`${server.url}/settings/security`);
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    await section.getByLabel('Current password').fill(member.password);
    await section.getByRole('button', { name: 'Continue' }).click();
    await section.getByRole('status').filter({ hasText: 'Cancelled: no passkey was added.' }).waitFor();
    expect(await section.getByRole('alert').count()).toBe(0);
    expect(await credentialsOf(authenticator)).toEqual([]);
    expect(await member.client.trpc.auth.passkeys.list.query()).toEqual([]);
    // The form stays, with the password still in it, to try again.
    expect(await section.getByLabel('Current password').inputValue()).toBe(member.password);

    await setAutofill(page, false);
    await page.goto(`${server.url}/`);
    await logOut(page);
    await page.getByRole('link', { name: 'Log in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('status').filter({ hasText: 'Cancelled: no passkey was used.' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await context.close();
  });

  it('offers no passkey where the browser has no WebAuthn, and says so in settings', async () => {
    const member = await signUpAndVerify(server);
    const context = await browser.newContext();
    await context.addInitScript(() => {
      delete (window as { PublicKeyCredential?: unknown }).PublicKeyCredential;
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill(member.email);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).count()).toBe(0);
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await signedInLink(page).waitFor();
    await page.goto(`${server.url}/settings/security`);
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByText('This browser cannot make or use passkeys.').waitFor();
    await section.getByText('No passkeys yet.').waitFor();
    expect(await section.getByRole('button', { name: 'Add a passkey' }).count()).toBe(0);
    await context.close();
  });

  it('adds a passkey to an account without a password within 10 minutes of signing in, and keeps its last way in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await addAuthenticator(context, page);
    await page.goto(`${server.url}/signup`);
    op.nextLogin({ sub: `e2e-passkey-${Date.now()}`, email: uniqueEmail('e2e-passkey'), email_verified: true });
    await page.getByRole('link', { name: 'Continue with Acme ID' }).click();
    await signedInLink(page).waitFor();

    await page.goto(`${server.url}/settings/security`);
    const section = page.getByRole('region', { name: 'Passkeys' });
    await section.getByRole('button', { name: 'Add a passkey' }).click();
    // No password to ask for: the sign-in a moment ago stands in for it.
    expect(await section.getByLabel('Current password').count()).toBe(0);
    await section.getByRole('button', { name: 'Continue' }).click();
    const added = await section.getByText(/^Passkey added as Passkey on .+\./).textContent();
    const name = /^Passkey added as (.+)\. You can/.exec(added ?? '')![1]!;
    // Kept on this device only: no Synced badge.
    await section.getByText(name, { exact: true }).waitFor();
    expect(await section.getByText('Synced', { exact: true }).count()).toBe(0);

    await page.getByRole('button', { name: 'Unlink Acme ID' }).click();
    await page.getByRole('dialog', { name: 'Unlink Acme ID?' }).getByRole('button', { name: 'Unlink' }).click();
    await page.getByText('Acme ID is unlinked.').waitFor();
    // Now the passkey is the only way in: deleting it is refused, and the dialog says why.
    await section.getByRole('button', { name: `Delete ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${name}?` });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'This passkey is the only way left to sign in' }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await section.getByText(name, { exact: true }).waitFor();

    // Past 10 minutes, another passkey needs a fresh sign-in, and the page says how.
    server.shiftClock(11 * 60);
    try {
      await section.getByRole('button', { name: 'Add a passkey' }).click();
      await section.getByRole('button', { name: 'Continue' }).click();
      await section.getByText('a passkey can be added only within 10 minutes of signing in').waitFor();
      await section.getByRole('button', { name: 'Log out and sign in again' }).waitFor();
    } finally {
      server.shiftClock(0);
    }
    await context.close();
  });
});
