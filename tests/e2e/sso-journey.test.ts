import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { SsoConnectionEntity } from '#server/modules/sso/sso-connection.entity.ts';
import { startDnsServer, type DnsServer } from '#tests/helpers/dns-server.ts';
import { startSamlIdp, type SamlIdp } from '#tests/helpers/saml-idp.ts';
import { orgWithOwner, uniqueDomain } from '#tests/helpers/sso.ts';
import { inviteToOrg } from '#tests/helpers/orgs.ts';
import { signUpAndVerify, startTestServer, strongPassword, type TestServer } from '#tests/helpers/test-server.ts';
import { audit, type Violation } from './axe.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';
import { fillLogInForm } from './log-in.ts';

const hasChromium = chromiumAvailable();
const VARIANTS = (['light', 'dark'] as const).flatMap((colorScheme) =>
  [390, 1280].map((width) => ({ colorScheme, width, variant: `${colorScheme} ${width}px` })),
);

const profileLink = (page: Page) => page.getByRole('link', { name: 'Your profile', exact: true });
const connections = (page: Page) => page.getByRole('list', { name: 'Connections' });
const domainItem = (page: Page, domain: string) =>
  page.getByRole('list', { name: 'Domains' }).getByRole('listitem', { name: domain });
const copyable = (scope: ReturnType<Page['locator']>, label: string) =>
  scope
    .locator('.copyable__item')
    .filter({ has: scope.page().getByText(label, { exact: true }) })
    .locator('code');

describe.skipIf(!hasChromium)('enterprise SSO in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let dns: DnsServer;
  let idp: SamlIdp;
  beforeAll(async () => {
    dns = await startDnsServer();
    idp = await startSamlIdp({ autoSubmit: true });
    server = await startTestServer({ DNS_SERVERS: dns.address });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await idp?.close();
    await dns?.close();
  });
  /** A step that cannot happen fails within 10 s, naming the step, not at the test's timeout. */
  const newContext = async (options: BrowserContextOptions = {}) => {
    const context = await browser.newContext(options);
    context.setDefaultTimeout(10_000);
    return context;
  };
  /** A browser of its own, signed in with a password through /login. */
  const signedInPage = async (who: { email: string; password: string }) => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await fillLogInForm(page, who.email, who.password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await profileLink(page).waitFor();
    return { context, page };
  };

  it('an owner connects a SAML IdP and verifies the domain on /orgs/:slug/sso; a new employee types their email on /login, continues with SSO through the IdP and lands in the organization signed in', async () => {
    const { owner, org, domain } = await orgWithOwner(server, uniqueDomain('acme'));
    const { context, page } = await signedInPage(owner);

    await page.goto(`${server.url}/orgs/${org.slug}/members`);
    await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Single sign-on' }).click();
    await page.getByRole('heading', { name: 'Single sign-on', level: 1 }).waitFor();
    await page.getByText('No connections yet.').waitFor();

    const form = page.getByRole('region', { name: 'Add a connection' });
    // The server's own checks show by their fields.
    await form.getByRole('button', { name: 'Add connection' }).click();
    await form.getByText('Give the connection a name').waitFor();
    await form.getByText('Paste the identity provider’s metadata XML.').waitFor();
    await form.getByLabel('Connection name').fill('Acme IdP');
    await form.getByRole('radio', { name: /SAML 2\.0/ }).check();
    await form.getByLabel('IdP metadata XML').fill('<not metadata');
    // A second domain stays unverified: the page then shows both states.
    const pending = uniqueDomain('pending');
    await form.getByLabel('Email domains').fill(`${domain}, ${pending}`);
    await form.getByRole('button', { name: 'Add connection' }).click();
    await form.getByText('The metadata is not well-formed XML.').waitFor();
    expect(await form.getByLabel('IdP metadata XML').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('IdP metadata XML').fill(idp.metadataXml);
    await form.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText('Acme IdP is added.').waitFor();

    const card = connections(page).getByRole('listitem', { name: 'Acme IdP' });
    const [connection] = await owner.client.trpc.orgs.sso.list.query({ orgId: org.id });
    expect(await copyable(card, 'ACS URL').textContent()).toBe(`${server.url}/auth/saml/${connection!.id}/acs`);
    expect(await copyable(card, 'SP metadata URL').textContent()).toBe(
      `${server.url}/auth/saml/${connection!.id}/metadata`,
    );
    await card.getByRole('button', { name: 'Copy ACS URL' }).waitFor();
    expect(await card.getByRole('link', { name: /Test sign-in/ }).getAttribute('href')).toBe(connection!.startUrl);

    // Not published yet: the lookup says so beside the domain.
    const item = domainItem(page, domain);
    await item.getByText('Not verified').waitFor();
    await item.getByRole('button', { name: `Verify ${domain}` }).click();
    await item.getByText('We did not find the TXT record').waitFor();
    const recordName = await copyable(item, 'TXT record name').textContent();
    const recordValue = await copyable(item, 'TXT record value').textContent();
    expect(recordName).toBe(`_latchkey-challenge.${domain}`);
    dns.setTxt(recordName!, [recordValue!]);
    await item.getByRole('button', { name: `Verify ${domain}` }).click();
    await item.getByText('Verified', { exact: true }).waitFor();

    // The page in both themes and at both widths, with a connection, a verified domain, and one not
    // verified yet with its TXT record and the lookup's answer.
    const violations: Violation[] = [];
    for (const { colorScheme, width, variant } of VARIANTS) {
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize({ width, height: 900 });
      await page.reload();
      await domainItem(page, domain).getByText('Verified', { exact: true }).waitFor();
      await domainItem(page, pending)
        .getByRole('button', { name: `Verify ${pending}` })
        .click();
      await domainItem(page, pending).getByText('We did not find the TXT record').waitFor();
      violations.push(...(await audit(page, '/orgs/:slug/sso', variant)));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow at ${variant}`).toBeLessThanOrEqual(0);
    }
    expect(violations).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // A new employee, never seen before.
    const email = `nia.newcomer@${domain}`;
    idp.setUser({ email, name: 'Nia Newcomer' });
    const employeeContext = await newContext();
    const employee = await employeeContext.newPage();
    await employee.goto(`${server.url}/login`);
    await employee.getByLabel('Email', { exact: true }).fill(email);
    await employee.getByRole('button', { name: 'Continue', exact: true }).click();
    const sso = employee.getByRole('link', { name: 'Continue with SSO (Acme IdP)' });
    await sso.waitFor();
    await employee.getByText(`${domain} signs in through Acme IdP.`).waitFor();
    // Owners keep their password: it is still offered.
    await employee.getByLabel('Password', { exact: true }).waitFor();
    await sso.click();
    await employee.waitForURL(`${server.url}/orgs/${org.slug}/members`);
    await profileLink(employee).waitFor();
    await employee.getByRole('list', { name: 'Members' }).getByText('Nia Newcomer').waitFor();
    const members = await owner.client.trpc.orgs.members.list.query({ orgId: org.id });
    expect(members.items.find((member) => member.email === email)?.role).toBe('member');
    await employeeContext.close();

    // SSO required: a password for that domain is refused, and the page offers SSO instead.
    await page.reload();
    await connections(page)
      .getByRole('listitem', { name: 'Acme IdP' })
      .getByRole('switch', { name: 'SSO required' })
      .check();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const otherContext = await newContext();
    const other = await otherContext.newPage();
    await other.goto(`${server.url}/login`);
    await fillLogInForm(other, `someone@${domain}`, strongPassword());
    await other.getByRole('button', { name: 'Log in', exact: true }).click();
    await other.getByText('Your organization signs you in through SSO').waitFor();
    await other.getByText('Your organization signs you in through Acme IdP.').waitFor();
    expect(await other.getByRole('link', { name: 'Continue with SSO', exact: true }).getAttribute('href')).toBe(
      `/auth/sso/${connection!.id}/start`,
    );
    await otherContext.close();

    // The domain not verified is given up, after a confirmation: the connection no longer lists it.
    await domainItem(page, pending)
      .getByRole('button', { name: `Remove ${pending}` })
      .click();
    const dialog = page.getByRole('dialog', { name: `Remove ${pending}?` });
    await dialog.getByRole('button', { name: 'Remove domain' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await domainItem(page, pending).waitFor({ state: 'detached' });
    const [after] = await owner.client.trpc.orgs.sso.list.query({ orgId: org.id });
    expect(after?.domains).toEqual([domain]);
    await context.close();
  }, 120_000);

  it('an owner adds an OpenID Connect connection with the redirect URL to copy, edits it keeping its secret, and deletes it after a confirmation; an admin is told the page is for owners', async () => {
    const { owner, org } = await orgWithOwner(server, uniqueDomain('oidc'));
    const admin = await signUpAndVerify(server, { name: 'Ada Admin' });
    await inviteToOrg(server, owner, org, admin.email, 'admin').then(({ token }) =>
      admin.client.trpc.orgs.invitations.accept.mutate({ token }),
    );
    const { context, page } = await signedInPage(owner);
    await page.goto(`${server.url}/orgs/${org.slug}/sso`);

    const form = page.getByRole('region', { name: 'Add a connection' });
    await form.getByRole('radio', { name: /OpenID Connect/ }).check();
    await form.getByLabel('Connection name').fill('Okta');
    await form.getByLabel('Issuer URL').fill('http://example.com');
    await form.getByLabel('Client ID').fill('latchkey');
    await form.getByLabel('Email domains').fill('oidc-one.test, not a domain');
    await form.getByRole('button', { name: 'Add connection' }).click();
    await form.getByText('Enter an https:// address.').waitFor();
    await form.getByText('Enter the client secret.').waitFor();
    await form.getByText('not: Enter a domain, like example.com.').waitFor();
    // The focus goes to the first field in error.
    expect(await form.getByLabel('Issuer URL').evaluate((element) => element === document.activeElement)).toBe(true);
    await form.getByLabel('Issuer URL').fill('https://acme.okta.example');
    await form.getByLabel('Client secret').fill('s3cret-value');
    await form.getByLabel('Email domains').fill('oidc-one.test\noidc-two.test');
    await form.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText('Okta is added.').waitFor();
    const card = connections(page).getByRole('listitem', { name: 'Okta' });
    const [connection] = await owner.client.trpc.orgs.sso.list.query({ orgId: org.id });
    expect(await copyable(card, 'Redirect URL').textContent()).toBe(
      `${server.url}/auth/sso/${connection!.id}/callback`,
    );
    await card.getByText('oidc-one.test, oidc-two.test').waitFor();
    await domainItem(page, 'oidc-two.test').getByText('Not verified').waitFor();

    const sealedSecret = async () =>
      (await server.app.deps.orm.em.fork().findOneOrFail(SsoConnectionEntity, { id: connection!.id })).sealedSecret;
    const secretBefore = await sealedSecret();
    await card.getByRole('button', { name: 'Edit: Okta' }).click();
    expect(await card.getByLabel('Issuer URL').inputValue()).toBe('https://acme.okta.example');
    await card.getByLabel('Connection name').fill('Acme Okta');
    await card.getByLabel('Role for new members').selectOption('admin');
    await card.getByRole('button', { name: 'Save connection' }).click();
    const renamed = connections(page).getByRole('listitem', { name: 'Acme Okta' });
    await renamed.getByText('Admin', { exact: true }).waitFor();
    const [updated] = await owner.client.trpc.orgs.sso.list.query({ orgId: org.id });
    expect(updated).toMatchObject({ name: 'Acme Okta', defaultRole: 'admin', oidc: { clientId: 'latchkey' } });
    // The secret left empty is kept as it was.
    expect(await sealedSecret()).toBe(secretBefore);

    await renamed.getByRole('button', { name: 'Delete: Acme Okta' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Acme Okta?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await owner.client.trpc.orgs.sso.list.query({ orgId: org.id })).toHaveLength(1);
    await renamed.getByRole('button', { name: 'Delete: Acme Okta' }).click();
    await dialog.getByRole('button', { name: 'Delete connection' }).click();
    await page.getByText('Acme Okta is deleted.').waitFor();
    await page.getByText('No connections yet.').waitFor();
    // Its domains stay the organization's, said to serve no connection now.
    await domainItem(page, 'oidc-two.test')
      .getByText('No connection lists this domain now', { exact: false })
      .waitFor();
    expect(await owner.client.trpc.orgs.sso.list.query({ orgId: org.id })).toEqual([]);
    await context.close();

    // An admin has no Single sign-on link, and the address says the page is for owners.
    const { context: adminContext, page: adminPage } = await signedInPage(admin);
    await adminPage.goto(`${server.url}/orgs/${org.slug}/sso`);
    await adminPage.getByText(`This page of ${org.name} is for its owners.`, { exact: false }).waitFor();
    const orgNav = adminPage.getByRole('navigation', { name: 'Organization' });
    await orgNav.getByRole('link', { name: 'Activity log' }).waitFor();
    expect(await orgNav.getByRole('link', { name: 'Single sign-on' }).count()).toBe(0);
    await adminContext.close();
  }, 60_000);

  it('/login asks for the email first, says in words when single sign-on failed, and passes axe in both themes at both widths', async () => {
    const { owner, org, domain } = await orgWithOwner(server, uniqueDomain('axe'));
    const connection = await owner.client.trpc.orgs.sso.create.mutate({
      orgId: org.id,
      protocol: 'saml',
      name: 'Axe IdP',
      domains: [domain],
      defaultRole: 'member',
      config: { metadataXml: idp.metadataXml },
    });
    const challenge = await owner.client.trpc.orgs.sso.domainChallenge.mutate({ orgId: org.id, domain });
    dns.setTxt(challenge.recordName, [challenge.recordValue]);
    await owner.client.trpc.orgs.sso.verifyDomain.mutate({ orgId: org.id, domain });

    const violations: Violation[] = [];
    for (const { colorScheme, width, variant } of VARIANTS) {
      const context = await newContext({ colorScheme, viewport: { width, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/login?error=sso_failed`);
      await page.getByText('Single sign-on failed', { exact: false }).waitFor();
      violations.push(...(await audit(page, '/login?error=sso_failed', variant)));

      await page.goto(`${server.url}/login`);
      await page.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
      // The email first: no password until the domain is known.
      expect(await page.getByLabel('Password', { exact: true }).count()).toBe(0);
      expect(await page.getByLabel('Email', { exact: true }).getAttribute('autocomplete')).toBe('username webauthn');
      violations.push(...(await audit(page, '/login (email step)', variant)));

      await page.getByLabel('Email', { exact: true }).fill(`ada@${domain}`);
      await page.getByLabel('Email', { exact: true }).press('Enter');
      const sso = page.getByRole('link', { name: 'Continue with SSO (Axe IdP)' });
      await sso.waitFor();
      // The focus goes to the way forward.
      expect(await sso.evaluate((element) => element === document.activeElement)).toBe(true);
      expect(await sso.getAttribute('href')).toBe(`/auth/sso/${connection.id}/start`);
      violations.push(...(await audit(page, '/login (SSO offered)', variant)));

      // Another address: the offer goes as it is typed; no connection, so the password is asked and has the focus.
      await page.getByLabel('Email', { exact: true }).fill(`ada@not-${domain}`);
      await expect.poll(() => sso.count()).toBe(0);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      const password = page.getByLabel('Password', { exact: true });
      await expect.poll(() => password.evaluate((element) => element === document.activeElement)).toBe(true);
      await context.close();
    }
    expect(violations).toEqual([]);
  }, 120_000);
});
