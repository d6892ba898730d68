import { randomBytes } from 'node:crypto';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SsoConnection } from '#shared/schemas/sso.ts';
import { IdentityEntity } from '#server/modules/identities/identity.entity.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { signUpAdmin } from '#tests/helpers/admin.ts';
import { startDnsServer, type DnsServer } from '#tests/helpers/dns-server.ts';
import { startOpenIdProvider, type OpenIdAccount, type OpenIdProvider } from '#tests/helpers/openid-provider.ts';
import { runProviderFlow, type CallbackResult } from '#tests/helpers/provider-flow.ts';
import { sessionOf, setsSession } from '#tests/helpers/provider-session.ts';
import { startSamlIdp, type SamlIdp } from '#tests/helpers/saml-idp.ts';
import {
  orgWithOwner,
  postToAcs,
  samlConnection,
  samlSignIn,
  startSaml,
  verifyDomainByDns,
  type SamlStart,
  type SsoOrg,
  uniqueDomain,
} from '#tests/helpers/sso.ts';
import {
  expectReason,
  logCollector,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  testIp,
  type AppClientError,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// Regression tests for the SSO hardening after a security review (API.md §15, commit 4443c59).

const SSO_FAILED = '/login?error=sso_failed';

let dns: DnsServer;
let idp: SamlIdp;
let op: OpenIdProvider;
let server: TestServer;
let admin: SignedUp;
let shared: SsoOrg;
let connection: SsoConnection;
const log = logCollector();

beforeAll(async () => {
  dns = await startDnsServer();
  idp = await startSamlIdp({ user: { email: 'someone@idp.example' } });
  op = await startOpenIdProvider({});
  server = await startTestServer(
    {
      DNS_SERVERS: dns.address,
      // A §12 provider that never vouches for addresses (no trustEmail).
      OIDC_PROVIDERS: JSON.stringify([
        { id: 'loose', name: 'Loose ID', issuer: op.issuer, clientId: 'latchkey-loose', clientSecret: 'loose-secret' },
      ]),
    },
    { logStream: log.stream },
  );
  await op.addClient({
    client_id: 'latchkey-loose',
    client_secret: 'loose-secret',
    redirect_uris: [`${server.url}/auth/oauth/loose/callback`],
  });
  admin = await signUpAdmin(server);
  shared = await orgWithOwner(server);
  connection = await samlConnection(dns, idp, shared);
});
afterAll(async () => {
  await server?.close();
  await op?.close();
  await idp?.close();
  await dns?.close();
});

const hex = () => randomBytes(4).toString('hex');
const employee = (setup: SsoOrg = shared, label = 'employee') => `${label}-${hex()}@${setup.domain}`;
const requestOf = (start: SamlStart) => idp.requests.find((entry) => entry.id === start.requestId)!;
const ipOf = (start: SamlStart) => start.headers['X-Forwarded-For']!;

/** The `sso.failed` events an administrator sees from this address. */
async function failuresFrom(ip: string) {
  return (await admin.client.trpc.admin.securityEvents.query({ type: 'sso.failed', ip })).items;
}

/** A refused sign-in: back to /login with sso_failed, no session, one sso.failed event from the browser's address. */
async function expectRefused(result: CallbackResult, ip: string, location = SSO_FAILED) {
  expect({ status: result.status, location: result.location }).toEqual({ status: 302, location });
  expect(setsSession(result)).toBe(false);
  expect(await failuresFrom(ip)).toHaveLength(1);
}

/** A sign-in through the unvouched §12 provider, from an address of its own. */
function looseSignIn(account: OpenIdAccount): Promise<CallbackResult> {
  op.nextLogin(account);
  return runProviderFlow({
    latchkeyUrl: server.url,
    providerId: 'loose',
    query: { intent: 'signin', returnTo: '/' },
    headers: { 'X-Forwarded-For': testIp() },
  });
}

/** A base64 SAMLResponse with its (unsigned) Response element's InResponseTo set to `id`. */
function withResponseInResponseTo(samlResponse: string, id: string): string {
  const xml = Buffer.from(samlResponse, 'base64')
    .toString('utf8')
    .replace(/<samlp:Response ([^>]*?) InResponseTo="[^"]*"/, '<samlp:Response $1')
    .replace('<samlp:Response ', `<samlp:Response InResponseTo="${id}" `);
  return Buffer.from(xml, 'utf8').toString('base64');
}

function createOidc(setup: SsoOrg) {
  return setup.owner.client.trpc.orgs.sso.create.mutate({
    orgId: setup.org.id,
    protocol: 'oidc',
    name: 'Corporate ID',
    domains: [setup.domain],
    defaultRole: 'member',
    config: { issuer: op.issuer, clientId: `latchkey-${hex()}`, clientSecret: `secret-${hex()}` },
  });
}

async function startAnswer(path: string) {
  const response = await server.fetch(path, { redirect: 'manual', headers: { 'X-Forwarded-For': testIp() } });
  return { status: response.status, location: response.headers.get('location') };
}

describe('claiming an unconfirmed account', () => {
  test('an attacker’s unvouched provider sign-up for victim@<verified domain> keeps no way into the account the victim then takes over through SSO', async () => {
    const victim = employee(shared, 'victim');
    const attacker = { sub: `attacker-${hex()}`, email: victim, email_verified: true };
    const first = await looseSignIn(attacker);
    expect(first.location).toBe('/check-email');
    expect(setsSession(first)).toBe(false);

    const sso = await samlSignIn(server, idp, connection.id, { email: victim });
    const { client, session } = await sessionOf(server, sso);
    expect(session.user).toMatchObject({ email: victim, emailVerified: true });
    expect((await client.trpc.auth.identities.list.query()).map((identity) => identity.provider)).toEqual([
      `sso:${connection.id}`,
    ]);

    // The attacker's provider account is no longer linked: the address is taken and the provider does not vouch.
    const again = await looseSignIn(attacker);
    expect(again.location).toMatch(/^\/login\?link=[\w-]+$/);
    expect(setsSession(again)).toBe(false);
  });
});

describe('bearer confirmation', () => {
  test('an unsolicited assertion (no InResponseTo of its own) with this browser’s request id on the unsigned Response is refused', async () => {
    const start = await startSaml(server, idp, connection.id);
    const signed = idp.respond(requestOf(start), { email: employee(), sign: 'assertion', omitInResponseTo: true });
    const result = await postToAcs(idp, start, withResponseInResponseTo(signed, start.requestId));
    await expectRefused(result, ipOf(start));
  });

  test('a confirmation for our ACS but naming another request is refused, even after one for elsewhere with no request', async () => {
    const other = await startSaml(server, idp, connection.id);
    const outcomes = [];
    for (const confirmationsBefore of [[], [{ recipient: 'https://elsewhere.example/acs' }]]) {
      const start = await startSaml(server, idp, connection.id);
      // Signed for the other browser's request; the unsigned Response names this browser's.
      const signed = idp.respond(requestOf(start), {
        email: employee(),
        sign: 'assertion',
        inResponseTo: other.requestId,
        confirmationsBefore,
      });
      const result = await postToAcs(idp, start, withResponseInResponseTo(signed, start.requestId));
      outcomes.push({
        confirmationsBefore,
        location: result.location,
        session: setsSession(result),
        failures: (await failuresFrom(ipOf(start))).length,
      });
    }
    expect(outcomes).toEqual(
      outcomes.map(({ confirmationsBefore }) => ({
        confirmationsBefore,
        location: SSO_FAILED,
        session: false,
        failures: 1,
      })),
    );
  });
});

describe('a connection without a verified domain', () => {
  test('sends nobody to its IdP, SAML or OpenID Connect', async () => {
    const setup = await orgWithOwner(server);
    const saml = await setup.owner.client.trpc.orgs.sso.create.mutate({
      orgId: setup.org.id,
      protocol: 'saml',
      name: 'Unverified SAML',
      domains: [setup.domain],
      defaultRole: 'member',
      config: { metadataXml: idp.metadataXml },
    });
    const oidc = await createOidc(await orgWithOwner(server));
    const answers = [];
    for (const id of [saml.id, oidc.id])
      for (const path of [`/auth/sso/${id}/start`, `/auth/saml/${id}/start`]) {
        // The generic start forwards a SAML connection to its own start: follow that hop.
        let answer = await startAnswer(path);
        if (answer.location?.startsWith(`/auth/saml/${id}/start`)) answer = await startAnswer(answer.location);
        answers.push({ path, ...answer });
      }
    expect(answers).toEqual(answers.map(({ path }) => ({ path, status: 302, location: SSO_FAILED })));
  });
});

describe('where a connection may point, in production', () => {
  let production: TestServer;
  let owner: SsoOrg;
  beforeAll(async () => {
    production = await startTestServer({ NODE_ENV: 'production', PWNED_PASSWORDS: 'off' });
    owner = await orgWithOwner(production);
  });
  afterAll(async () => {
    await production?.close();
  });

  const createBoth = (url: string) => [
    owner.owner.client.trpc.orgs.sso.create.mutate({
      orgId: owner.org.id,
      protocol: 'oidc',
      name: 'OIDC',
      domains: [uniqueDomain()],
      defaultRole: 'member',
      config: { issuer: url, clientId: 'client', clientSecret: 'secret' },
    }),
    owner.owner.client.trpc.orgs.sso.create.mutate({
      orgId: owner.org.id,
      protocol: 'saml',
      name: 'SAML',
      domains: [uniqueDomain()],
      defaultRole: 'member',
      config: { entityId: 'https://idp.example.com/entity', ssoUrl: url, certificate: idp.certificatePem },
    }),
  ];

  test.each([
    'http://127.0.0.1:8080/idp',
    'https://10.0.0.5/idp',
    'https://169.254.169.254/',
    'https://[::1]/',
    'https://localhost/',
  ])('%s is refused as an issuer and a sign-on URL', async (url) => {
    // Both calls are in flight at once: each gets its handler now, or the second's refusal would
    // go unhandled while the first is awaited.
    const errors = await Promise.all(createBoth(url).map((call) => expectReason(call, 'BAD_REQUEST', 'INVALID_INPUT')));
    for (const [index, error] of errors.entries())
      expect(error.data?.fieldErrors?.config?.[0], `${url} ${index ? 'saml' : 'oidc'}`).toEqual(expect.any(String));
  });

  test('https://idp.example.com/ is accepted', async () => {
    const created = await Promise.all(createBoth('https://idp.example.com/'));
    expect(created.map((entry) => entry.protocol)).toEqual(['oidc', 'saml']);
    for (const entry of created)
      await owner.owner.client.trpc.orgs.sso.delete.mutate({ orgId: owner.org.id, connectionId: entry.id });
  });
});

describe('refusals', () => {
  test('an identity whose account’s address moved to another domain no longer signs in', async () => {
    const email = employee(shared, 'mover');
    const nameId = `subject-${hex()}`;
    const first = await samlSignIn(server, idp, connection.id, { email, nameId });
    const { session } = await sessionOf(server, first);
    const moved = `mover-${hex()}@elsewhere-${hex()}.test`;
    await server.app.deps.orm.em
      .fork()
      .nativeUpdate(UserEntity, { id: session.user.id }, { email: moved, emailNormalized: moved });
    const again = await samlSignIn(server, idp, connection.id, { email, nameId });
    await expectRefused(again, ipOf(again.start));
  });

  test('a disabled account is refused before anything is written: no membership, no identity, one sso.failed', async () => {
    const member = await signUpAndVerify(server, { email: employee(shared, 'disabled') });
    await admin.client.trpc.admin.users.setDisabled.mutate({ userId: member.session.user.id, disabled: true });
    const result = await samlSignIn(server, idp, connection.id, { email: member.email });
    await expectRefused(result, ipOf(result.start), '/login?error=ACCOUNT_DISABLED');
    const members = await shared.owner.client.trpc.orgs.members.list.query({ orgId: shared.org.id });
    expect(members.items.map((entry) => entry.userId)).not.toContain(member.session.user.id);
    expect(await server.app.deps.orm.em.fork().count(IdentityEntity, { user: member.session.user.id })).toBe(0);
  });

  test('an OpenID Connect connection’s callback with an unknown state: sso_failed and an sso.failed event', async () => {
    const setup = await orgWithOwner(server);
    const oidc = await createOidc(setup);
    await verifyDomainByDns(dns, setup);
    for (const query of ['state=bogus&code=x', 'code=x']) {
      const ip = testIp();
      const response = await server.fetch(`/auth/sso/${oidc.id}/callback?${query}`, {
        redirect: 'manual',
        headers: { 'X-Forwarded-For': ip },
      });
      expect({ query, status: response.status, location: response.headers.get('location') }).toEqual({
        query,
        status: 302,
        location: SSO_FAILED,
      });
      expect(await failuresFrom(ip), query).toHaveLength(1);
    }
  });

  test('an ACS post too large or not a form: sso_failed and an sso.failed event, never an error answer', async () => {
    const posts = [
      { type: 'application/x-www-form-urlencoded', body: `SAMLResponse=${'A'.repeat(300 * 1024)}` },
      { type: 'application/json', body: '{"SAMLResponse": 12' },
    ];
    for (const { type, body } of posts) {
      const start = await startSaml(server, idp, connection.id);
      const response = await fetch(start.acsUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': type, 'X-Forwarded-For': ipOf(start) },
        body,
      });
      expect({ type, status: response.status, location: response.headers.get('location') }).toEqual({
        type,
        status: 302,
        location: SSO_FAILED,
      });
      expect(
        response.headers
          .getSetCookie()
          .some((cookie) => cookie.startsWith('refresh_token=') && !cookie.startsWith('refresh_token=;')),
      ).toBe(false);
      expect(await failuresFrom(ipOf(start)), type).toHaveLength(1);
    }
  });

  test('a NameID of 300 characters: sso_failed, refused as such (no failed write), no session', async () => {
    const start = await startSaml(server, idp, connection.id);
    const result = await postToAcs(
      idp,
      start,
      idp.respond(requestOf(start), { email: employee(), nameId: 'n'.repeat(300) }),
    );
    await expectRefused(result, ipOf(start));
    const refusals = log.lines().filter((line) => line.connection === connection.id && typeof line.reason === 'string');
    expect(refusals.at(-1)?.reason).toBe('the NameID is too long');
  });
});

describe('limits', () => {
  test('40 SSO sign-ins from one address within a minute all succeed', async () => {
    const ip = testIp();
    const began = Date.now();
    const outcomes: string[] = [];
    for (let index = 0; index < 40; index++) {
      try {
        const result = await samlSignIn(server, idp, connection.id, { email: employee(shared, 'office') }, { ip });
        outcomes.push(setsSession(result) ? 'signed in' : `${result.location}`);
      } catch (error) {
        outcomes.push(String(error));
      }
    }
    expect(outcomes).toEqual(outcomes.map(() => 'signed in'));
    expect(Date.now() - began).toBeLessThan(60_000);
  });

  test('with SSO required, a non-owner’s right password counts towards the throttle as a wrong one does; the owner still signs in', async () => {
    const setup = await orgWithOwner(server);
    const required = await samlConnection(dns, idp, setup);
    await setup.owner.client.trpc.orgs.sso.update.mutate({
      orgId: setup.org.id,
      connectionId: required.id,
      required: true,
    });
    const member = await signUpAndVerify(server, { email: employee(setup, 'member') });
    const reasonOf = async (password: string) => {
      try {
        const result = await server.client().trpc.auth.login.mutate({ email: member.email, password });
        return result.status;
      } catch (error) {
        if (!(error instanceof TRPCClientError)) throw error;
        return (error as AppClientError).data?.reason;
      }
    };
    const reasons: (string | undefined)[] = [];
    for (let attempt = 0; attempt < 9; attempt++) reasons.push(await reasonOf(strongPassword()));
    reasons.push(await reasonOf(member.password)); // the 10th: right
    reasons.push(await reasonOf(member.password)); // throttled, as after 10 wrong ones
    expect(reasons).toEqual([...Array<string>(10).fill('SSO_REQUIRED'), 'RATE_LIMITED']);

    const owner = await server
      .client()
      .trpc.auth.login.mutate({ email: setup.owner.email, password: setup.owner.password });
    expect(owner.status).toBe('signed_in');
  });
});

describe('domains', () => {
  test('a public mail domain can never be verified, even by a system admin', async () => {
    const setup = await orgWithOwner(server);
    const error = await expectReason(
      admin.client.trpc.admin.orgs.verifyDomain.mutate({ orgId: setup.org.id, domain: 'gmail.com' }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.domain?.[0]).toEqual(expect.any(String));
    expect(await server.client().trpc.auth.sso.discover.mutate({ email: 'someone@gmail.com' })).toBeNull();
  });
});
