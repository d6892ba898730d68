import { randomBytes } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SsoConnection } from '#shared/schemas/sso.ts';
import { signUpAdmin } from '#tests/helpers/admin.ts';
import { CookieJar } from '#tests/helpers/cookie-jar.ts';
import { startDnsServer, type DnsServer } from '#tests/helpers/dns-server.ts';
import { callCallback, type CallbackResult } from '#tests/helpers/provider-flow.ts';
import { sessionOf, setsSession } from '#tests/helpers/provider-session.ts';
import { startSamlIdp, type ResponseOptions, type SamlIdp } from '#tests/helpers/saml-idp.ts';
import {
  orgWithOwner,
  postToAcs,
  samlConnection,
  samlSignIn,
  startSaml,
  type SamlStart,
  verifyDomainByDns,
  type SsoOrg,
} from '#tests/helpers/sso.ts';
import { totpAt } from '#tests/helpers/totp.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  VERIFY_SUBJECT,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §15, SAML 2.0 over real HTTP against a real (local) IdP whose signatures are real.

const SSO_FAILED = '/login?error=sso_failed';
const MINUTE = 60_000;

let dns: DnsServer;
let idp: SamlIdp;
let server: TestServer;
let admin: SignedUp;
/** One organization with a verified domain and a SAML connection, for the attacks. */
let shared: SsoOrg;
let connection: SsoConnection;

beforeAll(async () => {
  dns = await startDnsServer();
  // The IdP's page needs someone signed in; each test says who the response names.
  idp = await startSamlIdp({ user: { email: 'someone@idp.example' } });
  server = await startTestServer({ DNS_SERVERS: dns.address });
  admin = await signUpAdmin(server);
  shared = await orgWithOwner(server);
  connection = await samlConnection(dns, idp, shared);
});
afterAll(async () => {
  await server?.close();
  await idp?.close();
  await dns?.close();
});

const employee = (setup: SsoOrg = shared, label = 'employee') =>
  `${label}-${randomBytes(4).toString('hex')}@${setup.domain}`;

const requestOf = (start: SamlStart) => idp.requests.find((entry) => entry.id === start.requestId)!;
const ipOf = (start: SamlStart) => start.headers['X-Forwarded-For']!;

/** The `sso.failed` events an administrator sees from this address. */
async function failuresFrom(ip: string) {
  const page = await admin.client.trpc.admin.securityEvents.query({ type: 'sso.failed', ip });
  return page.items;
}

/** A refused sign-in: back to /login with sso_failed, no session, one sso.failed event from the browser's address. */
async function expectRefused(result: CallbackResult, start: SamlStart) {
  expect({ status: result.status, location: result.location }).toEqual({ status: 302, location: SSO_FAILED });
  expect(setsSession(result)).toBe(false);
  expect(await failuresFrom(ipOf(start))).toHaveLength(1);
}

/** A browser starts a sign-in; the IdP answers as `email` with `overrides`; the answer is posted to the ACS. */
async function attempt(overrides: ResponseOptions = {}, connectionId = connection.id) {
  const start = await startSaml(server, idp, connectionId);
  const samlResponse = idp.respond(requestOf(start), { email: employee(), ...overrides });
  const result = await postToAcs(idp, start, samlResponse);
  return { start, samlResponse, result };
}

describe('SAML sign-in', () => {
  test('a new employee signs in through the IdP: a confirmed account, a member with the default role, landing in the organization', async () => {
    const setup = await orgWithOwner(server);
    const connection = await samlConnection(dns, idp, setup);
    const email = `new.hire@${setup.domain}`;
    idp.setUser({ email, name: 'New Hire' });
    const result = await samlSignIn(server, idp, connection.id);
    expect(result.location).toBe(`/orgs/${setup.org.slug}/members`);
    expect(setsSession(result)).toBe(true);
    const { client, session } = await sessionOf(server, result);
    expect(session.user).toMatchObject({
      email,
      emailVerified: true,
      hasPassword: false,
      profile: { name: 'New Hire' },
    });
    expect(await client.trpc.orgs.mine.query()).toEqual([{ org: setup.org, role: 'member' }]);

    // The sign-in names the connection, and the organization's log says who joined.
    const exported = await client.trpc.privacy.exportData.query();
    expect(exported.securityEvents.find((event) => event.type === 'session.started')?.provider).toBe(
      `sso:${connection.id}`,
    );
    const log = await setup.owner.client.trpc.orgs.log.query({ orgId: setup.org.id });
    expect(log.items.find((event) => event.type === 'member.joined')).toMatchObject({
      actor: { userId: session.user.id },
      subject: { userId: session.user.id },
      role: 'member',
    });

    // A second sign-in is the same account, still one membership.
    const again = await sessionOf(server, await samlSignIn(server, idp, connection.id));
    expect(again.session.user.id).toBe(session.user.id);
    expect(await again.client.trpc.orgs.mine.query()).toEqual([{ org: setup.org, role: 'member' }]);
  });

  test.each(['response', 'assertion', 'both'] as const)('a response with the %s signed is accepted', async (sign) => {
    const email = employee();
    const { result } = await attempt({ email, sign });
    expect(result.status).toBe(302);
    expect(result.location).toBe(`/orgs/${shared.org.slug}/members`);
    const { session } = await sessionOf(server, result);
    expect(session.user.email).toBe(email);
  });

  test('the connection’s default role is the new member’s role', async () => {
    const setup = await orgWithOwner(server);
    const adminConnection = await samlConnection(dns, idp, setup, { defaultRole: 'admin' });
    const start = await startSaml(server, idp, adminConnection.id);
    const result = await postToAcs(idp, start, idp.respond(requestOf(start), { email: employee(setup) }));
    const { client } = await sessionOf(server, result);
    expect(await client.trpc.orgs.mine.query()).toEqual([{ org: setup.org, role: 'admin' }]);
  });

  test('an existing confirmed account with that email is linked and joins, not duplicated; its password still works', async () => {
    const account = await signUpAndVerify(server, { email: employee(shared, 'existing') });
    const { result } = await attempt({ email: account.email });
    const { client, session } = await sessionOf(server, result);
    expect(session.user.id).toBe(account.session.user.id);
    expect(await client.trpc.orgs.mine.query()).toEqual([{ org: shared.org, role: 'member' }]);
    expect((await client.trpc.auth.identities.list.query()).map((identity) => identity.provider)).toEqual([
      `sso:${connection.id}`,
    ]);
    const login = await server.client().trpc.auth.login.mutate({ email: account.email, password: account.password });
    expect(login.status).toBe('signed_in');
    if (login.status === 'signed_in') expect(login.session.user.id).toBe(account.session.user.id);
  });

  test('the IdP’s address in another case is the same account', async () => {
    const account = await signUpAndVerify(server, { email: employee(shared, 'mixed') });
    const { result } = await attempt({ email: account.email.toUpperCase() });
    const { session } = await sessionOf(server, result);
    expect(session.user.id).toBe(account.session.user.id);
  });

  test('an unconfirmed account with that email is confirmed by the sign-in, and the password set by whoever registered it no longer works', async () => {
    const email = employee(shared, 'unconfirmed');
    const password = strongPassword();
    const since = server.mail.mark();
    await server.client().trpc.auth.register.mutate({ email, password });
    await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
    const { result } = await attempt({ email });
    const { session } = await sessionOf(server, result);
    expect(session.user).toMatchObject({ email, emailVerified: true, hasPassword: false });
    await expectReason(
      server.client().trpc.auth.login.mutate({ email, password }),
      'UNAUTHORIZED',
      'INVALID_CREDENTIALS',
    );
  });

  test('a member with two-factor codes on is sent to /login?mfa= and signed in only with a code', async () => {
    const member = await signUpAndVerify(server, { email: employee(shared, 'mfa') });
    const { secret } = await member.client.trpc.auth.mfa.setup.mutate();
    await member.client.trpc.auth.mfa.enable.mutate({ code: totpAt(secret, new Date()) });
    const { result } = await attempt({ email: member.email });
    expect(result.location).toMatch(/^\/login\?mfa=[\w-]+$/);
    expect(setsSession(result)).toBe(false);
    const mfaToken = new URLSearchParams(result.location!.split('?')[1]).get('mfa')!;
    await expectReason(
      server.client().trpc.auth.verifyMfa.mutate({ mfaToken, code: '000000' }),
      'BAD_REQUEST',
      'INVALID_MFA_CODE',
    );
    const session = await server.client().trpc.auth.verifyMfa.mutate({ mfaToken, code: totpAt(secret, new Date(), 1) });
    expect(session.user.id).toBe(member.session.user.id);
  });

  test('a very long or unruly name from the IdP is tidied, not refused', async () => {
    const { result } = await attempt({ name: `\u202Eevil\u0007 ${'N'.repeat(5000)}` });
    const { session } = await sessionOf(server, result);
    expect(session.user.profile.name).toMatch(/^evil N+$/);
    expect([...session.user.profile.name].length).toBeLessThanOrEqual(60);
  });

  test('returnTo is honoured when it is a path of this site, and ignored otherwise', async () => {
    const start = await startSaml(server, idp, connection.id, { returnTo: '/settings/profile?tab=1' });
    const result = await postToAcs(idp, start, idp.respond(requestOf(start), { email: employee() }));
    expect(result.location).toBe('/settings/profile?tab=1');
    expect(setsSession(result)).toBe(true);

    for (const returnTo of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const away = await startSaml(server, idp, connection.id, { returnTo });
      const landed = await postToAcs(idp, away, idp.respond(requestOf(away), { email: employee() }));
      expect(landed.status).toBe(302);
      expect(landed.location, returnTo).toMatch(/^\/(?!\/|\\)/);
      expect(landed.headers.get('location')).not.toContain('evil.example');
    }
  });

  test('the generic start /auth/sso/<id>/start leads a SAML connection to the IdP too', async () => {
    const start = await startSaml(server, idp, connection.id, { path: 'sso' });
    const result = await postToAcs(idp, start, idp.respond(requestOf(start), { email: employee() }));
    expect(setsSession(result)).toBe(true);
  });
});

describe('SAML attacks: each ends at /login?error=sso_failed, with no session and an sso.failed event', () => {
  test('a response and assertion both unsigned', async () => {
    const { result, start } = await attempt({ sign: 'none' });
    await expectRefused(result, start);
  });

  test.each(['response', 'assertion', 'both'] as const)('the %s signed by another certificate', async (sign) => {
    const { result, start } = await attempt({ sign, signWith: 'other' });
    await expectRefused(result, start);
  });

  test.each(['sibling', 'extensions', 'moved-signature'] as const)(
    'signature wrapping (%s): a signed assertion for one employee, an unsigned one for another',
    async (wrap) => {
      const victim = await signUpAndVerify(server, { email: employee(shared, 'victim') });
      const { result, start } = await attempt({ wrap, wrapEmail: victim.email });
      await expectRefused(result, start);
    },
  );

  test('an audience other than our entity id', async () => {
    const { result, start } = await attempt({ audience: 'https://other-sp.example/metadata' });
    await expectRefused(result, start);
  });

  test('a recipient other than our ACS', async () => {
    const { result, start } = await attempt({ recipient: 'https://other-sp.example/acs' });
    await expectRefused(result, start);
  });

  test('a destination other than our ACS', async () => {
    const { result, start } = await attempt({ destination: 'https://other-sp.example/acs' });
    await expectRefused(result, start);
  });

  test('expired beyond the 2 minutes of skew is refused; expired within it is accepted', async () => {
    const late = await attempt({
      notBefore: new Date(Date.now() - 10 * MINUTE),
      notOnOrAfter: new Date(Date.now() - 3 * MINUTE),
    });
    await expectRefused(late.result, late.start);
    const within = await attempt({
      notBefore: new Date(Date.now() - 10 * MINUTE),
      notOnOrAfter: new Date(Date.now() - MINUTE),
    });
    expect(within.result.location).toBe(`/orgs/${shared.org.slug}/members`);
    expect(setsSession(within.result)).toBe(true);
  });

  test('not yet valid beyond the skew is refused; within it is accepted', async () => {
    const early = await attempt({ notBefore: new Date(Date.now() + 3 * MINUTE) });
    await expectRefused(early.result, early.start);
    const within = await attempt({ notBefore: new Date(Date.now() + MINUTE) });
    expect(setsSession(within.result)).toBe(true);
  });

  test('InResponseTo naming no request we sent', async () => {
    const { result, start } = await attempt({ inResponseTo: `_${randomBytes(16).toString('hex')}` });
    await expectRefused(result, start);
  });

  test('InResponseTo replayed: a second, freshly signed response to a request already answered', async () => {
    const first = await attempt();
    expect(setsSession(first.result)).toBe(true);
    const second = await postToAcs(idp, first.start, idp.respond(requestOf(first.start), { email: employee() }));
    expect({ status: second.status, location: second.location }).toEqual({ status: 302, location: SSO_FAILED });
    expect(setsSession(second)).toBe(false);
    expect(await failuresFrom(ipOf(first.start))).toHaveLength(1);
  });

  test('the same response posted twice: the second is refused', async () => {
    const first = await attempt();
    expect(setsSession(first.result)).toBe(true);
    const again = await postToAcs(idp, first.start, first.samlResponse);
    expect({ status: again.status, location: again.location }).toEqual({ status: 302, location: SSO_FAILED });
    expect(setsSession(again)).toBe(false);
    expect(await failuresFrom(ipOf(first.start))).toHaveLength(1);
  });

  test('the same assertion id in a new response to a new request is refused', async () => {
    const assertionId = `_${randomBytes(16).toString('hex')}`;
    const first = await attempt({ assertionId });
    expect(setsSession(first.result)).toBe(true);
    const second = await attempt({ assertionId });
    await expectRefused(second.result, second.start);
  });

  test('IdP-initiated: no InResponseTo at all', async () => {
    const { result, start } = await attempt({ omitInResponseTo: true });
    await expectRefused(result, start);
  });

  test('a status other than Success', async () => {
    const { result, start } = await attempt({ status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' });
    await expectRefused(result, start);
  });

  test('a response posted by another browser: without the flow cookie, or with its own flow’s cookie', async () => {
    const start = await startSaml(server, idp, connection.id);
    const samlResponse = idp.respond(requestOf(start), { email: employee() });

    const bare = { ...start, jar: new CookieJar() };
    await expectRefused(await postToAcs(idp, bare, samlResponse), bare);

    const other = await startSaml(server, idp, connection.id);
    const stolen = { ...other, relayState: start.relayState };
    await expectRefused(await postToAcs(idp, stolen, samlResponse), other);

    // The browser that started it can still finish: the refusals took nothing from it.
    expect(setsSession(await postToAcs(idp, start, samlResponse))).toBe(true);
  });

  test('an email outside the connection’s domains, or in a listed domain the organization has not verified', async () => {
    const outside = await attempt({ email: `someone-${randomBytes(3).toString('hex')}@elsewhere.test` });
    await expectRefused(outside.result, outside.start);

    const setup = await orgWithOwner(server);
    const unverified = `unverified-${randomBytes(3).toString('hex')}.test`;
    const both = await setup.owner.client.trpc.orgs.sso.create.mutate({
      orgId: setup.org.id,
      protocol: 'saml',
      name: 'Two domains',
      domains: [setup.domain, unverified],
      defaultRole: 'member',
      config: { metadataXml: idp.metadataXml },
    });
    const challenge = await setup.owner.client.trpc.orgs.sso.domainChallenge.mutate({
      orgId: setup.org.id,
      domain: setup.domain,
    });
    dns.setTxt(challenge.recordName, [challenge.recordValue]);
    await setup.owner.client.trpc.orgs.sso.verifyDomain.mutate({ orgId: setup.org.id, domain: setup.domain });
    const start = await startSaml(server, idp, both.id);
    const result = await postToAcs(idp, start, idp.respond(requestOf(start), { email: `x@${unverified}` }));
    await expectRefused(result, start);
  });

  test('a response for connection A posted to connection B’s ACS (same IdP, same certificate)', async () => {
    const setupB = await orgWithOwner(server);
    const connectionB = await samlConnection(dns, idp, setupB);
    const startA = await startSaml(server, idp, connection.id);
    // The browser has a flow at B too, so only the response itself can be wrong.
    const startB = await startSaml(server, idp, connectionB.id, { jar: startA.jar });
    const forA = idp.respond(requestOf(startA), { email: employee(setupB) });
    const result = await postToAcs(idp, { ...startB, headers: startA.headers }, forA);
    expect({ status: result.status, location: result.location }).toEqual({ status: 302, location: SSO_FAILED });
    expect(setsSession(result)).toBe(false);
    expect(await failuresFrom(ipOf(startA))).toHaveLength(1);
  });

  test('garbage in SAMLResponse, or none: sso_failed, never a 500', async () => {
    const bodies: Record<string, string>[] = [
      { SAMLResponse: 'not base64 at all!!!' },
      { SAMLResponse: Buffer.from('hello, world').toString('base64') },
      {
        SAMLResponse: Buffer.from('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"').toString(
          'base64',
        ),
      },
      { SAMLResponse: Buffer.from('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>').toString('base64') },
      { SAMLResponse: '' },
      {},
    ];
    for (const fields of bodies) {
      const start = await startSaml(server, idp, connection.id);
      const form = new URLSearchParams({ ...fields, RelayState: start.relayState });
      const result = await callCallback(
        { method: 'POST', url: start.acsUrl, form, chain: [new URL(idp.ssoUrl)] },
        { jar: start.jar, headers: start.headers },
      );
      expect({ status: result.status, location: result.location }, JSON.stringify(fields)).toEqual({
        status: 302,
        location: SSO_FAILED,
      });
      expect(setsSession(result)).toBe(false);
      expect(await failuresFrom(ipOf(start))).toHaveLength(1);
    }
    // Not a form at all.
    const start = await startSaml(server, idp, connection.id);
    const json = await fetch(start.acsUrl, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json', 'X-Forwarded-For': ipOf(start) },
      body: '{"SAMLResponse": 12',
    });
    expect(json.status).toBeLessThan(500);
  });

  test('an issuer other than the connection’s IdP, even signed by its certificate', async () => {
    const { result, start } = await attempt({ issuer: 'https://other-idp.example/metadata' });
    await expectRefused(result, start);
  });

  test('a response to a request older than 10 minutes is refused; one of 9 minutes is accepted', async () => {
    try {
      const old = await startSaml(server, idp, connection.id);
      const recent = await startSaml(server, idp, connection.id);
      server.shiftClock(11 * 60);
      const late = await postToAcs(idp, old, idp.respond(requestOf(old), { email: employee() }));
      await expectRefused(late, old);
      server.shiftClock(9 * 60);
      const inTime = await postToAcs(idp, recent, idp.respond(requestOf(recent), { email: employee() }));
      expect(setsSession(inTime)).toBe(true);
    } finally {
      server.shiftClock(0);
    }
  });

  test('another organization’s connection cannot sign in addresses of a domain it has not verified, though it lists it', async () => {
    const victim = await signUpAndVerify(server, { email: employee(shared, 'ceo') });
    // Org B lists shared's verified domain on a connection to an IdP B controls.
    const rival = await orgWithOwner(server);
    const rivalConnection = await rival.owner.client.trpc.orgs.sso.create.mutate({
      orgId: rival.org.id,
      protocol: 'saml',
      name: 'Rival IdP',
      domains: [shared.domain, rival.domain],
      defaultRole: 'member',
      config: { metadataXml: idp.metadataXml },
    });
    // Its own domain verified, so its connection can start at all.
    await verifyDomainByDns(dns, rival);
    const { result, start } = await attempt({ email: victim.email }, rivalConnection.id);
    await expectRefused(result, start);
    // Nor can it make the domain its own, or take discovery.
    const challenge = await rival.owner.client.trpc.orgs.sso.domainChallenge.mutate({
      orgId: rival.org.id,
      domain: shared.domain,
    });
    dns.setTxt(challenge.recordName, [challenge.recordValue]);
    await expectReason(
      rival.owner.client.trpc.orgs.sso.verifyDomain.mutate({ orgId: rival.org.id, domain: shared.domain }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(await server.client().trpc.auth.sso.discover.mutate({ email: victim.email })).toEqual({
      connectionId: connection.id,
      name: connection.name,
    });
  });

  test('an address that is not an address, though it ends in the verified domain', async () => {
    const outcomes: { email: string; location: string | null; session: boolean; failures: number }[] = [];
    // The account would carry an address no other procedure accepts (EmailSchema), and mail to it goes nowhere.
    for (const email of [
      `x@evil.example@${shared.domain}`,
      `@${shared.domain}`,
      `"a b"@${shared.domain}`,
      `${'a'.repeat(300)}@${shared.domain}`,
    ]) {
      const { result, start } = await attempt({ email, nameId: 'opaque-subject' });
      outcomes.push({
        email,
        location: result.location,
        session: setsSession(result),
        failures: (await failuresFrom(ipOf(start))).length,
      });
    }
    expect(outcomes).toEqual(
      outcomes.map(({ email }) => ({ email, location: SSO_FAILED, session: false, failures: 1 })),
    );
  });

  test('a disabled account is not signed in through SSO', async () => {
    const member = await signUpAndVerify(server, { email: employee(shared, 'disabled') });
    await admin.client.trpc.admin.users.setDisabled.mutate({ userId: member.session.user.id, disabled: true });
    const { result } = await attempt({ email: member.email });
    expect(result.location).toBe('/login?error=ACCOUNT_DISABLED');
    expect(setsSession(result)).toBe(false);
  });

  test('two concurrent posts of the same response: exactly one session', async () => {
    const start = await startSaml(server, idp, connection.id);
    const samlResponse = idp.respond(requestOf(start), { email: employee() });
    const results = await Promise.all([postToAcs(idp, start, samlResponse), postToAcs(idp, start, samlResponse)]);
    expect(results.map((result) => result.status)).toEqual([302, 302]);
    expect(results.filter(setsSession)).toHaveLength(1);
    expect(results.filter((result) => result.location === SSO_FAILED)).toHaveLength(1);
  });
});

describe('SP metadata', () => {
  test('is XML naming its own URL as entity id and our ACS (HTTP-POST)', async () => {
    const url = `${server.url}/auth/saml/${connection.id}/metadata`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/xml/);
    const document = new DOMParser().parseFromString(await response.text(), 'text/xml');
    const root = document.documentElement!;
    expect(root.localName).toBe('EntityDescriptor');
    expect(root.getAttribute('entityID')).toBe(url);
    const md = 'urn:oasis:names:tc:SAML:2.0:metadata';
    expect(root.getElementsByTagNameNS(md, 'SPSSODescriptor')).toHaveLength(1);
    const acs = Array.from(root.getElementsByTagNameNS(md, 'AssertionConsumerService'));
    expect(acs.map((element) => [element.getAttribute('Binding'), element.getAttribute('Location')])).toEqual([
      ['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', `${server.url}/auth/saml/${connection.id}/acs`],
    ]);
    // The same URLs as the owners are shown.
    expect(connection.saml).toMatchObject({
      spEntityId: url,
      metadataUrl: url,
      acsUrl: `${server.url}/auth/saml/${connection.id}/acs`,
    });
  });

  test('of an unknown connection is 404', async () => {
    expect((await fetch(`${server.url}/auth/saml/nope${randomBytes(4).toString('hex')}/metadata`)).status).toBe(404);
  });
});
