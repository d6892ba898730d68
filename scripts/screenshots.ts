// Screenshots of the product for the README and docs/guide.md: `npm run screenshots`.
//
// Starts the real server in this process on a fresh temp database (mail goes to the development
// outbox, read back through GET /dev/mail), seeds a small community through the API with the
// server's clock set back so the dates read like weeks of real use, then drives headless Chromium
// through the pages and writes each one in the light and the dark theme to docs/screenshots/.
// Nothing random appears in the pictures except the two-factor set-up key and QR code, and on the
// single sign-on page the server's port, the connection's id in its URLs and the domain's TXT value.
//
// `npm run screenshots -- --only=org-sso,login-sso` replaces only those pictures (both themes, and
// the phone width where there is one), leaving the others as they are.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import type { AuthSession } from '#shared/schemas/auth.ts';
import { buildApp, type App } from '#server/app.ts';
import { loadConfig } from '#server/config.ts';
import { CLIENT_DIST } from '#server/http/spa.ts';
import { totpCode, totpStep } from '#server/modules/mfa/totp.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import type { AppRouter } from '#server/trpc/router.ts';
import { freePort } from '#tests/helpers/free-port.ts';
import { selfSignedCertificate } from '#tests/helpers/saml-idp.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT_DIR = path.join(ROOT, 'docs/screenshots');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

// Devices as the sessions list and the security log name them. Addresses are from the ranges
// reserved for documentation (RFC 5737); the server trusts X-Forwarded-For here (TRUST_PROXY).
const DEVICES = {
  browser: {
    ip: '192.0.2.10',
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  },
  firefoxWindows: {
    ip: '198.51.100.23',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  },
  safariIphone: {
    ip: '203.0.113.45',
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  },
  firefoxLinux: {
    ip: '198.51.100.80',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  },
  edgeWindows: {
    ip: '203.0.113.9',
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  },
  safariMac: {
    ip: '198.51.100.140',
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  },
} as const;
type Device = (typeof DEVICES)[keyof typeof DEVICES];

// Fixed passphrases (they pass the policy), so that nothing differs between runs.
const PEOPLE = {
  ada: { name: 'Ada Lovelace', email: 'ada@example.com', password: 'copper lantern drifts over seven harbours' },
  grace: { name: 'Grace Hopper', email: 'grace@example.com', password: 'violet tractor measures 41 clouds' },
  katherine: {
    name: 'Katherine Johnson',
    email: 'katherine@example.com',
    password: 'orbital pencil chases quiet comets',
  },
  hedy: { name: 'Hedy Lamarr', email: 'hedy@example.com', password: 'spread spectrum piano rolls hop along' },
  charles: {
    name: 'Charles Babbage',
    email: 'charles@example.com',
    password: 'difference engine gears turn slowly north',
  },
  radia: { name: 'Radia Perlman', email: 'radia@example.com', password: 'spanning trees grow over woven bridges' },
} as const;

const FLYERS = {
  reading: {
    title: 'Reading group: the Analytical Engine',
    body: 'Every other Thursday at 7 pm in the library annex. We are working through Menabrea’s Sketch of the Analytical Engine, notes and all. Bring a pencil; the tea is on me.',
  },
  loom: {
    title: 'Wanted: an afternoon with a Jacquard loom',
    body: 'I would love to borrow a loom for an afternoon to study how its punched cards drive the pattern. Happy to return the favour with help on your calculations.',
  },
  draft: {
    title: 'Poetical science (draft)',
    body: 'Some thoughts on imagination in mathematics, for the spring talk. Not ready yet.',
  },
};

const ORGS = {
  society: { name: 'Analytical Society', slug: 'analytical-society' },
  orbital: { name: 'Orbital Mechanics Circle', slug: 'orbital-mechanics' },
};

const NOTICES = {
  welcome: {
    title: 'Welcome to the Analytical Society',
    body: 'We meet on the first Monday of the month. Notes from every meeting go up here; say hello below.',
  },
  thursdays: {
    title: 'Reading group moves to Thursdays',
    body: 'From next week the reading group meets on Thursdays at 7 pm, same room. The annex is booked until June.',
  },
  walk: {
    title: 'Spanning-tree walk on Saturday',
    body: 'A walk across all seven bridges without crossing any twice. Spoiler: we will cross one twice. Meet at 10.',
  },
};

// The society's identity provider (addresses in the .example domain, RFC 2606): one domain verified
// by the administrator, one waiting for its TXT record.
const SSO = {
  name: 'Society Okta',
  entityId: 'https://analytical-society.okta.example/saml/metadata',
  ssoUrl: 'https://analytical-society.okta.example/app/latchkey/sso/saml',
  verified: 'analytical-society.example',
  pending: 'engines.analytical-society.example',
  employee: 'mary.somerville@analytical-society.example',
};

/** A certificate for the connection: the page shows only the IdP's entity id, never the certificate. */
function idpCertificate(): string {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return selfSignedCertificate(privateKey, publicKey, 'analytical-society.okta.example');
}

// ---------------------------------------------------------------------------------------------
// The server

type Server = { app: App; url: string; dataDir: string; setClock(msAgo: number): void };

async function startServer(): Promise<Server> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-screenshots-'));
  let lastError: unknown;
  // The probed port could be taken between probe and listen: try again with another one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // An explicit environment: nothing from the caller's (no RESEND_API_KEY: mail stays in the outbox).
    const config = loadConfig({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: url,
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${path.join(dataDir, 'app.db')}`,
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'warn',
    });
    const app = await buildApp(config);
    try {
      await app.listen({ port, host: '127.0.0.1' });
    } catch (error) {
      lastError = error;
      await app.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
      break;
    }
    const realNow = app.deps.now;
    return {
      app,
      url,
      dataDir,
      setClock(msAgo) {
        app.deps.now = msAgo === 0 ? realNow : () => new Date(realNow().getTime() - msAgo);
      },
    };
  }
  await fs.rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

type OutboxMail = { id: string; to: string; subject: string; text: string; link?: string };

async function outbox(server: Server): Promise<OutboxMail[]> {
  const response = await fetch(`${server.url}/dev/mail`, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /dev/mail answered ${response.status}`);
  return (await response.json()) as OutboxMail[];
}

/** Runs `action`, then waits for the first new mail to `to` whose subject contains `subject`; returns its link. */
async function linkFromMail(
  server: Server,
  to: string,
  subject: string,
  action: () => Promise<unknown>,
): Promise<string> {
  const before = new Set((await outbox(server)).map((mail) => mail.id));
  await action();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mail = (await outbox(server)).find(
      (item) => !before.has(item.id) && item.to === to && item.subject.includes(subject),
    );
    if (mail?.link) return mail.link;
    if (Date.now() > deadline) throw new Error(`No mail "${subject}" to ${to} arrived in the development outbox.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const tokenOf = (link: string) => new URL(link).searchParams.get('token') ?? '';

// ---------------------------------------------------------------------------------------------
// Seeding through the API, as browsers on other devices would

/** One device talking to the API: its cookie jar, its bearer token, its address and user agent. */
class ApiClient {
  readonly trpc: TRPCClient<AppRouter>;
  private readonly cookies = new Map<string, string>();
  private bearer: string | null = null;
  userId = '';

  constructor(
    private readonly server: Server,
    private readonly device: Device,
  ) {
    this.trpc = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${server.url}/trpc`,
          fetch: (input, init) => this.fetch(input as string, init as RequestInit),
        }),
      ],
    });
  }

  use(session: AuthSession): void {
    this.bearer = session.accessToken;
    this.userId = session.user.id;
  }

  /** A fresh access token for this device's session (the server's clock may have moved on). */
  async refresh(): Promise<void> {
    this.use(await this.trpc.auth.refresh.mutate());
  }

  async signIn(email: string, password: string): Promise<void> {
    const result = await this.trpc.auth.login.mutate({ email, password });
    if (result.status !== 'signed_in') throw new Error(`Expected ${email} to be signed in without a code.`);
    this.use(result.session);
  }

  async uploadAvatar(png: Buffer): Promise<void> {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'avatar.png');
    const response = await this.fetch(`${this.server.url}/trpc/profile.uploadAvatar`, { method: 'POST', body: form });
    if (!response.ok) throw new Error(`The avatar upload was refused: ${response.status} ${await response.text()}`);
  }

  private async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Origin', this.server.url);
    headers.set('User-Agent', this.device.userAgent);
    headers.set('X-Forwarded-For', this.device.ip);
    if (this.bearer) headers.set('Authorization', `Bearer ${this.bearer}`);
    if (this.cookies.size > 0)
      headers.set('Cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /max-age=0\b/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

/** Signs up through the API and follows the link in the confirmation mail: a signed-in client. */
async function signUp(
  server: Server,
  person: { name: string; email: string; password: string },
  device: Device,
): Promise<ApiClient> {
  const client = new ApiClient(server, device);
  const link = await linkFromMail(server, person.email, 'Confirm your email', () =>
    client.trpc.auth.register.mutate(person),
  );
  client.use(await client.trpc.auth.verifyEmail.mutate({ token: tokenOf(link) }));
  return client;
}

/** A gradient disc with initials: Ada's profile picture. */
async function avatarPicture(initials: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#4f5fe8"/>
      <stop offset="0.55" stop-color="#9a6bdc"/>
      <stop offset="1" stop-color="#f39bb5"/>
    </linearGradient>
    <radialGradient id="glow" cx="0.28" cy="0.22" r="0.65">
      <stop offset="0" stop-color="#ffffff" stop-opacity="0.5"/>
      <stop offset="1" stop-color="#ffffff" stop-opacity="0"/>
    </radialGradient>
  </defs>
  <rect width="512" height="512" fill="url(#sky)"/>
  <circle cx="140" cy="120" r="280" fill="url(#glow)"/>
  <circle cx="440" cy="450" r="160" fill="#ffffff" fill-opacity="0.10"/>
  <circle cx="70" cy="470" r="90" fill="#ffffff" fill-opacity="0.07"/>
  <text x="256" y="256" dy="0.36em" text-anchor="middle" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"
        font-size="190" font-weight="700" fill="#ffffff" fill-opacity="0.96">${initials}</text>
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

type Seeded = { adaId: string; adaMfaSecret: string };

/** `by` invites `invitee` into the organization named `name`; the invitee accepts with the mailed link's token. */
async function joinOrg(
  server: Server,
  by: ApiClient,
  orgId: string,
  name: string,
  invitee: { client: ApiClient; email: string },
  role: 'admin' | 'member',
) {
  const link = await linkFromMail(server, invitee.email, `invited you to ${name}`, () =>
    by.trpc.orgs.invitations.create.mutate({ orgId, email: invitee.email, role }),
  );
  await invitee.client.trpc.orgs.invitations.accept.mutate({ token: tokenOf(link) });
}

/**
 * A small community with some history. The server's clock is set back for each step, so dates and
 * "3 weeks ago" read like real use; tokens are refreshed whenever the clock moves.
 */
async function seed(server: Server): Promise<Seeded> {
  const at = (msAgo: number) => server.setClock(msAgo);
  const { ada, katherine, hedy, charles, radia } = PEOPLE;

  at(60 * DAY);
  const katherineApi = await signUp(server, katherine, DEVICES.firefoxLinux);
  // The first administrator, as `npm run admin -- promote` would make her; her next sign-in carries the role.
  await server.app.deps.orm.em.fork().nativeUpdate(UserEntity, { id: katherineApi.userId }, { role: 'admin' });

  at(40 * DAY + 3 * HOUR);
  const adaFirefox = await signUp(server, ada, DEVICES.firefoxWindows);
  await adaFirefox.uploadAvatar(await avatarPicture('AL'));
  await adaFirefox.trpc.preferences.update.mutate({ locale: 'en-GB', timeZone: 'Europe/London' });
  await adaFirefox.trpc.privacy.update.mutate({ allowEmailContact: true });

  at(32 * DAY + 5 * HOUR);
  await adaFirefox.refresh();
  const reading = await adaFirefox.trpc.flyers.create.mutate(FLYERS.reading);
  await adaFirefox.trpc.flyers.publish.mutate({ id: reading.id });
  const society = await adaFirefox.trpc.orgs.create.mutate(ORGS.society);
  await adaFirefox.trpc.notices.post.mutate({ orgId: society.id, ...NOTICES.welcome });

  at(20 * DAY + 2 * HOUR);
  await signUp(server, hedy, DEVICES.edgeWindows);

  at(9 * DAY + 6 * HOUR);
  await adaFirefox.refresh();
  const loom = await adaFirefox.trpc.flyers.create.mutate(FLYERS.loom);
  await adaFirefox.trpc.flyers.publish.mutate({ id: loom.id });
  await adaFirefox.trpc.flyers.create.mutate(FLYERS.draft);
  await adaFirefox.trpc.notices.post.mutate({ orgId: society.id, ...NOTICES.thursdays });

  at(6 * DAY + 4 * HOUR);
  await new ApiClient(server, DEVICES.safariIphone).signIn(ada.email, ada.password);

  at(5 * DAY + 7 * HOUR);
  await katherineApi.signIn(katherine.email, katherine.password);
  const radiaLink = await linkFromMail(server, radia.email, 'invited', () =>
    katherineApi.trpc.admin.invitations.create.mutate({ email: radia.email, role: 'user' }),
  );
  await adaFirefox.refresh();
  await joinOrg(
    server,
    adaFirefox,
    society.id,
    ORGS.society.name,
    { client: katherineApi, email: katherine.email },
    'admin',
  );
  // A second organization, in which Ada is a member: the switcher lists both.
  const orbital = await katherineApi.trpc.orgs.create.mutate(ORGS.orbital);
  await joinOrg(
    server,
    katherineApi,
    orbital.id,
    ORGS.orbital.name,
    { client: adaFirefox, email: ada.email },
    'member',
  );

  at(4 * DAY + 2 * HOUR);
  const radiaApi = new ApiClient(server, DEVICES.safariMac);
  radiaApi.use(
    await radiaApi.trpc.auth.acceptInvitation.mutate({
      token: tokenOf(radiaLink),
      password: radia.password,
      name: radia.name,
    }),
  );
  await adaFirefox.refresh();
  await joinOrg(server, adaFirefox, society.id, ORGS.society.name, { client: radiaApi, email: radia.email }, 'member');
  await radiaApi.trpc.notices.post.mutate({ orgId: society.id, ...NOTICES.walk });
  await katherineApi.refresh();
  const joan = await katherineApi.trpc.admin.invitations.create.mutate({ email: 'joan@example.com', role: 'user' });

  at(3 * DAY + 1 * HOUR);
  await new ApiClient(server, DEVICES.firefoxLinux).trpc.auth.register.mutate(charles);
  await katherineApi.refresh();
  await katherineApi.trpc.admin.invitations.revoke.mutate({ id: joan.id });

  at(2 * DAY + 3 * HOUR);
  await katherineApi.refresh();
  await katherineApi.trpc.admin.invitations.create.mutate({ email: 'alan@example.com', role: 'user' });
  await adaFirefox.refresh();
  await adaFirefox.trpc.orgs.invitations.create.mutate({
    orgId: society.id,
    email: 'mary.somerville@example.com',
    role: 'member',
  });

  at(1 * DAY + 5 * HOUR);
  await adaFirefox.refresh();
  await adaFirefox.trpc.orgs.sso.create.mutate({
    orgId: society.id,
    protocol: 'saml',
    name: SSO.name,
    domains: [SSO.verified, SSO.pending],
    defaultRole: 'member',
    config: { entityId: SSO.entityId, ssoUrl: SSO.ssoUrl, certificate: idpCertificate() },
  });
  await katherineApi.refresh();
  await katherineApi.trpc.admin.orgs.verifyDomain.mutate({ orgId: society.id, domain: SSO.verified });

  at(1 * DAY + 2 * HOUR);
  await adaFirefox.refresh();
  const { secret } = await adaFirefox.trpc.auth.mfa.setup.mutate();
  await adaFirefox.trpc.auth.mfa.enable.mutate({
    code: totpCode(decodeBase32IgnorePadding(secret), totpStep(server.app.deps.now())),
  });
  await katherineApi.refresh();
  const { items } = await katherineApi.trpc.admin.users.list.query({ query: hedy.email });
  await katherineApi.trpc.admin.users.setDisabled.mutate({ userId: items[0]!.id, disabled: true });
  await katherineApi.trpc.admin.invitations.create.mutate({ email: 'margaret@example.com', role: 'admin' });

  at(0);
  return { adaId: adaFirefox.userId, adaMfaSecret: secret };
}

// ---------------------------------------------------------------------------------------------
// The browser

const shots: string[] = [];

/** Waits until the page shows data, not spinners or skeletons, with its images and fonts loaded. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('.spinner, .skeleton, [aria-busy="true"]'));
  await page.waitForFunction(() => [...document.images].every((image) => image.complete && image.naturalWidth > 0));
  await page.evaluate(async () => {
    await document.fonts.ready;
    (document.activeElement as HTMLElement | null)?.blur();
  });
}

/** Full-page PNGs of the page as it is, in the light and the dark theme (prefers-color-scheme). */
async function shoot(page: Page, name: string, tmpDir: string): Promise<void> {
  await settle(page);
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await save(page, `${name}-${colorScheme}`, tmpDir);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** One PNG of the page as it is now, as `${file}.png`. */
async function save(page: Page, file: string, tmpDir: string, fullPage = true): Promise<void> {
  const raw = await page.screenshot({ fullPage, animations: 'disabled', caret: 'hide' });
  // Quantised to a palette: a third of the size, and text and flat colours look the same.
  const png = await sharp(raw).png({ palette: true, effort: 10, compressionLevel: 9 }).toBuffer();
  await fs.writeFile(path.join(tmpDir, `${file}.png`), png);
  shots.push(`${file}.png`);
  console.log(`  ${file}.png (${Math.round(png.length / 1024)} KB)`);
}

/** The same page at phone width as `${name}-mobile-*`, then back to the desktop size. */
async function shootMobile(page: Page, name: string, tmpDir: string): Promise<void> {
  await page.setViewportSize(MOBILE);
  await shoot(page, `${name}-mobile`, tmpDir);
  await page.setViewportSize(DESKTOP);
}

async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: DESKTOP,
    colorScheme: 'light',
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    userAgent: DEVICES.browser.userAgent,
    extraHTTPHeaders: { 'X-Forwarded-For': DEVICES.browser.ip },
  });
}

/** Fails the run on any script error or Content-Security-Policy violation in the page. */
function watch(page: Page, problems: string[]): void {
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) problems.push(`${page.url()}: ${message.text()}`);
  });
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true }).waitFor();

async function logIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Ada's organizations: the open switcher, the list, and each page of the one she owns, at both widths. */
async function shootOrganizations(page: Page, url: string, tmpDir: string): Promise<void> {
  const { slug } = ORGS.society;
  const both = async (name: string) => {
    await shoot(page, name, tmpDir);
    await shootMobile(page, name, tmpDir);
  };

  await page.goto(`${url}/orgs/${slug}/members`);
  await heading(page, 'Members');
  await page.getByRole('list', { name: 'Members' }).getByRole('link', { name: PEOPLE.radia.name }).waitFor();
  await page.getByRole('button', { name: 'Organizations', exact: true }).click();
  const switcher = page.getByRole('navigation', { name: 'Account' });
  await switcher.getByRole('link', { name: new RegExp(`^${ORGS.orbital.name}`) }).waitFor();
  // The panel is open only while the focus is in it: settle() would blur the button and close it.
  await page.waitForLoadState('networkidle');
  for (const [name, viewport] of [
    ['org-switcher', DESKTOP],
    ['org-switcher-mobile', MOBILE],
  ] as const) {
    await page.setViewportSize(viewport);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await save(page, `${name}-${colorScheme}`, tmpDir, false);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
  await page.keyboard.press('Escape');
  await both('org-members');

  await page.goto(`${url}/orgs`);
  await heading(page, 'Organizations');
  await page.getByRole('list', { name: 'Your organizations' }).waitFor();
  await both('orgs');

  await page.goto(`${url}/orgs/${slug}/invitations`);
  await heading(page, 'Invitations');
  await page.getByRole('list', { name: 'Sent invitations' }).waitFor();
  await both('org-invitations');

  await page.goto(`${url}/orgs/${slug}/notices`);
  await heading(page, 'Notices');
  await page.getByRole('heading', { name: NOTICES.walk.title }).waitFor();
  await both('org-notices');

  await page.goto(`${url}/orgs/${slug}/settings`);
  await heading(page, 'Settings');
  await both('org-settings');

  await page.goto(`${url}/orgs/${slug}/log`);
  await heading(page, 'Activity log');
  await page.getByRole('list', { name: 'Activity' }).waitFor();
  await both('org-log');

  await page.goto(`${url}/orgs/${slug}/sso`);
  await heading(page, 'Single sign-on');
  await page.getByRole('list', { name: 'Connections' }).getByRole('listitem', { name: SSO.name }).waitFor();
  await page.getByRole('list', { name: 'Domains' }).getByText('Not verified').waitFor();
  await both('org-sso');
}

async function browse(server: Server, browser: Browser, seeded: Seeded, tmpDir: string): Promise<void> {
  const { url } = server;
  const problems: string[] = [];
  const { ada, grace, katherine } = PEOPLE;

  // A visitor, who then signs up as Grace, then logs in as Ada (who has two-factor codes on).
  const visitor = await newContext(browser);
  const page = await visitor.newPage();
  watch(page, problems);

  await page.goto(url);
  await heading(page, 'Your account, kept safe');
  await shoot(page, 'home', tmpDir);
  await shootMobile(page, 'home', tmpDir);

  await page.goto(`${url}/u/${seeded.adaId}`);
  await heading(page, ada.name);
  await page.getByRole('heading', { name: FLYERS.loom.title }).waitFor();
  await shoot(page, 'profile', tmpDir);
  await shootMobile(page, 'profile', tmpDir);

  await page.goto(`${url}/signup`);
  await heading(page, 'Create your account');
  await page.getByLabel('Name').fill(grace.name);
  await page.getByLabel('Email').fill(grace.email);
  await page.getByLabel('Password', { exact: true }).fill(grace.password);
  await page.getByRole('button', { name: 'Show password' }).click();
  await page.getByText('good to go').waitFor();
  await shoot(page, 'signup', tmpDir);

  const graceLink = await linkFromMail(server, grace.email, 'Confirm your email', async () => {
    await page.getByRole('button', { name: 'Sign up' }).click();
    await heading(page, 'Check your email');
  });
  await shoot(page, 'check-email', tmpDir);

  await page.goto(graceLink);
  await page.getByText('Your email is confirmed').waitFor();
  await shoot(page, 'welcome', tmpDir);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('link', { name: 'Log in' }).first().waitFor();

  // Email first: an address at the society's verified domain is offered its single sign-on.
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(SSO.employee);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByRole('link', { name: `Continue with SSO (${SSO.name})` }).waitFor();
  await shoot(page, 'login-sso', tmpDir);
  await shootMobile(page, 'login-sso', tmpDir);

  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(ada.email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.getByLabel('Password', { exact: true }).fill(ada.password);
  await shoot(page, 'login', tmpDir);
  await page.getByRole('button', { name: 'Log in' }).click();
  await heading(page, 'Enter your code');
  await shoot(page, 'login-code', tmpDir);
  await page
    .getByLabel('Code', { exact: true })
    .fill(totpCode(decodeBase32IgnorePadding(seeded.adaMfaSecret), totpStep(new Date())));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('link', { name: 'Your profile', exact: true }).waitFor();

  await page.goto(`${url}/settings/profile`);
  await heading(page, 'Profile');
  await shoot(page, 'settings-profile', tmpDir);

  await page.goto(`${url}/settings/account`);
  await heading(page, 'Account');
  await shoot(page, 'settings-account', tmpDir);

  await page.goto(`${url}/settings/security`);
  await heading(page, 'Security');
  await page.getByText('This device').waitFor();
  await page.getByText('Two-factor codes turned on').waitFor();
  await shoot(page, 'settings-security', tmpDir);
  await shootMobile(page, 'settings-security', tmpDir);

  await page.goto(`${url}/settings/privacy`);
  await heading(page, 'Privacy');
  await page.getByRole('switch', { name: 'Let members contact me by email' }).waitFor();
  await shoot(page, 'settings-privacy', tmpDir);

  await page.goto(`${url}/settings/preferences`);
  await heading(page, 'Preferences');
  await page.getByText('Dates will look like this').waitFor();
  await shoot(page, 'settings-preferences', tmpDir);

  await page.goto(`${url}/flyers`);
  await heading(page, 'Your flyers');
  await page.getByRole('heading', { name: FLYERS.draft.title }).waitFor();
  await shoot(page, 'flyers', tmpDir);

  await shootOrganizations(page, url, tmpDir);
  await visitor.close();

  // The administrator, promoted in the database, signs in afresh and gets the admin pages.
  const adminContext = await newContext(browser);
  const admin = await adminContext.newPage();
  watch(admin, problems);
  await logIn(admin, url, katherine.email, katherine.password);
  await admin.getByRole('link', { name: 'Admin' }).waitFor();

  await admin.goto(`${url}/admin/users`);
  await heading(admin, 'Users');
  await admin.getByRole('list', { name: 'Users' }).waitFor();
  await shoot(admin, 'admin-users', tmpDir);
  await shootMobile(admin, 'admin-users', tmpDir);

  await admin.goto(`${url}/admin/invitations`);
  await heading(admin, 'Invitations');
  await admin.getByRole('list', { name: 'Sent invitations' }).waitFor();
  await shoot(admin, 'admin-invitations', tmpDir);

  await admin.goto(`${url}/settings/security`);
  await heading(admin, 'Security');
  await admin.getByRole('button', { name: 'Turn on two-factor codes' }).click();
  await admin.getByLabel('Set-up key').waitFor();
  await shoot(admin, 'two-factor-setup', tmpDir);
  await admin.getByRole('button', { name: 'Cancel' }).click();
  await adminContext.close();

  if (problems.length > 0) throw new Error(`The pages reported problems:\n  ${problems.join('\n  ')}`);
}

// ---------------------------------------------------------------------------------------------

/** The names given with --only=a,b (a page's name, as in `org-sso`), or null for every screenshot. */
function onlyNames(): Set<string> | null {
  const option = process.argv.find((arg) => arg.startsWith('--only='));
  return option ? new Set(option.slice('--only='.length).split(',').filter(Boolean)) : null;
}

async function main(): Promise<void> {
  const started = Date.now();
  if (!existsSync(path.join(CLIENT_DIST, 'index.html'))) {
    console.log('The web app is not built: running `npx vite build` first.');
    const build = spawnSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('`npx vite build` failed.');
  }
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH} (install the Debian package "chromium", or set CHROMIUM_PATH).`,
    );

  const server = await startServer();
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-shots-'));
  let browser: Browser | undefined;
  try {
    console.log(`Server on ${server.url}; seeding…`);
    const seeded = await seed(server);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    console.log('Taking screenshots:');
    await browse(server, browser, seeded, tmpDir);

    // Only a complete run replaces the pictures in docs/screenshots/ (all of them, or those of --only).
    const only = onlyNames();
    const chosen = (file: string) => !only || only.has(file.replace(/(-mobile)?-(light|dark)\.png$/, ''));
    if (only && !shots.some(chosen)) throw new Error(`--only names no screenshot: ${[...only].join(', ')}`);
    await fs.mkdir(OUT_DIR, { recursive: true });
    for (const file of await fs.readdir(OUT_DIR))
      if (file.endsWith('.png') && chosen(file)) await fs.rm(path.join(OUT_DIR, file));
    const written = shots.filter(chosen);
    for (const file of written) await fs.copyFile(path.join(tmpDir, file), path.join(OUT_DIR, file));
    console.log(
      `Wrote ${written.length} screenshots to ${path.relative(ROOT, OUT_DIR)}/ in ${Math.round((Date.now() - started) / 1000)} s.`,
    );
  } finally {
    await browser?.close();
    await server.app.close();
    await fs.rm(server.dataDir, { recursive: true, force: true });
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
}
