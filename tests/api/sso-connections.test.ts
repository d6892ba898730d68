import { randomBytes, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SsoConnection } from '#shared/schemas/sso.ts';
import { signUpAdmin } from '#tests/helpers/admin.ts';
import { startDnsServer, type DnsServer } from '#tests/helpers/dns-server.ts';
import { startOpenIdProvider, type OpenIdAccount, type OpenIdProvider } from '#tests/helpers/openid-provider.ts';
import { joinOrg } from '#tests/helpers/orgs.ts';
import { runProviderFlow, type CallbackResult } from '#tests/helpers/provider-flow.ts';
import { sessionOf, setsSession } from '#tests/helpers/provider-session.ts';
import { startSamlIdp, type SamlIdp } from '#tests/helpers/saml-idp.ts';
import {
  orgWithOwner,
  samlConnection,
  samlSignIn,
  uniqueDomain,
  verifyDomainByDns,
  type SsoOrg,
} from '#tests/helpers/sso.ts';
import {
  expectReason,
  signUpAndVerify,
  startTestServer,
  strongPassword,
  testIp,
  trpcError,
  uniqueEmail,
  type SignedUp,
  type TestServer,
} from '#tests/helpers/test-server.ts';

// API.md §15: connections, domains, discovery, SSO_REQUIRED and OpenID Connect connections, over real HTTP.

const SSO_FAILED = '/login?error=sso_failed';

let dns: DnsServer;
let idp: SamlIdp;
let op: OpenIdProvider;
let server: TestServer;
let admin: SignedUp;

beforeAll(async () => {
  dns = await startDnsServer();
  idp = await startSamlIdp();
  op = await startOpenIdProvider({});
  server = await startTestServer({ DNS_SERVERS: dns.address });
  admin = await signUpAdmin(server);
});
afterAll(async () => {
  await server?.close();
  await op?.close();
  await idp?.close();
  await dns?.close();
});

const secret = () => `oidc-secret-${randomBytes(12).toString('hex')}`;
const other = () => `x-${randomBytes(4).toString('hex')}`;

function createSaml(setup: SsoOrg, extra: { domains?: string[]; name?: string; config?: object } = {}) {
  return setup.owner.client.trpc.orgs.sso.create.mutate({
    orgId: setup.org.id,
    protocol: 'saml',
    name: extra.name ?? 'Okta',
    domains: extra.domains ?? [setup.domain],
    defaultRole: 'member',
    config: (extra.config ?? { metadataXml: idp.metadataXml }) as { metadataXml: string },
  });
}

function createOidc(setup: SsoOrg, clientSecret: string, clientId = `latchkey-${other()}`) {
  return setup.owner.client.trpc.orgs.sso.create.mutate({
    orgId: setup.org.id,
    protocol: 'oidc',
    name: 'Corporate ID',
    domains: [setup.domain],
    defaultRole: 'member',
    config: { issuer: op.issuer, clientId, clientSecret },
  });
}

/** A start URL's answer, as the browser's "Continue with SSO" gets it. */
async function startAnswer(connectionId: string) {
  const response = await server.fetch(`/auth/sso/${connectionId}/start`, {
    redirect: 'manual',
    headers: { 'X-Forwarded-For': testIp() },
  });
  return { status: response.status, location: response.headers.get('location') };
}

describe('connections', () => {
  test('a SAML connection from the IdP’s metadata: created, listed, updated, deleted', async () => {
    const setup = await orgWithOwner(server);
    const trpc = setup.owner.client.trpc;
    const created = await createSaml(setup, { name: '  Okta  ' });
    const acsUrl = `${server.url}/auth/saml/${created.id}/acs`;
    const metadataUrl = `${server.url}/auth/saml/${created.id}/metadata`;
    expect(created).toMatchObject({
      protocol: 'saml',
      name: 'Okta',
      domains: [setup.domain],
      defaultRole: 'member',
      required: false,
      startUrl: `${server.url}/auth/sso/${created.id}/start`,
      oidc: null,
      saml: {
        idpEntityId: idp.entityId,
        ssoUrl: idp.ssoUrl,
        certificates: [{ fingerprint256: new X509Certificate(idp.certificatePem).fingerprint256 }],
        spEntityId: metadataUrl,
        metadataUrl,
        acsUrl,
      },
    });
    expect(await trpc.orgs.sso.list.query({ orgId: setup.org.id })).toEqual([created]);

    const updated = await trpc.orgs.sso.update.mutate({
      orgId: setup.org.id,
      connectionId: created.id,
      name: 'Okta (new tenant)',
      defaultRole: 'admin',
      config: {
        entityId: 'https://idp.example/entity',
        ssoUrl: 'https://idp.example/sso',
        certificate: idp.otherCertificatePem,
      },
    });
    expect(updated).toMatchObject({
      id: created.id,
      name: 'Okta (new tenant)',
      defaultRole: 'admin',
      saml: {
        idpEntityId: 'https://idp.example/entity',
        ssoUrl: 'https://idp.example/sso',
        certificates: [{ fingerprint256: new X509Certificate(idp.otherCertificatePem).fingerprint256 }],
      },
    });
    expect(await trpc.orgs.sso.list.query({ orgId: setup.org.id })).toEqual([updated]);
    const log = await trpc.orgs.log.query({ orgId: setup.org.id });
    expect(log.items.map((event) => event.type)).toEqual(
      expect.arrayContaining(['sso.connection_created', 'sso.connection_updated']),
    );

    expect(await trpc.orgs.sso.delete.mutate({ orgId: setup.org.id, connectionId: created.id })).toEqual({
      status: 'ok',
    });
    expect(await trpc.orgs.sso.list.query({ orgId: setup.org.id })).toEqual([]);
    expect((await fetch(metadataUrl)).status).toBe(404);
    expect(await startAnswer(created.id)).toEqual({ status: 302, location: SSO_FAILED });
    await expectReason(
      trpc.orgs.sso.delete.mutate({ orgId: setup.org.id, connectionId: created.id }),
      'NOT_FOUND',
      'NOT_FOUND',
    );
  });

  test('a SAML connection from entity id, sign-on URL and certificate (PEM or bare base64) signs employees in', async () => {
    const setup = await orgWithOwner(server);
    const bare = idp.certificatePem.replace(/-----[^-]+-----|\s/g, '');
    const connection = await createSaml(setup, {
      config: { entityId: idp.entityId, ssoUrl: idp.ssoUrl, certificate: bare },
    });
    expect(connection.saml?.certificates[0]?.fingerprint256).toBe(
      new X509Certificate(idp.certificatePem).fingerprint256,
    );
    await verifyDomainByDns(dns, setup);
    idp.setUser({ email: `fields-${other()}@${setup.domain}` });
    expect(setsSession(await samlSignIn(server, idp, connection.id))).toBe(true);
  });

  test('an OpenID Connect connection: its client secret appears in no answer (create, list, update, export, REST)', async () => {
    const setup = await orgWithOwner(server);
    const trpc = setup.owner.client.trpc;
    const first = secret();
    const created = await createOidc(setup, first);
    expect(created).toMatchObject({
      protocol: 'oidc',
      saml: null,
      oidc: { issuer: op.issuer, redirectUrl: `${server.url}/auth/sso/${created.id}/callback` },
    });
    const second = secret();
    const answers: unknown[] = [
      created,
      await trpc.orgs.sso.list.query({ orgId: setup.org.id }),
      await trpc.orgs.sso.update.mutate({
        orgId: setup.org.id,
        connectionId: created.id,
        config: { issuer: op.issuer, clientId: created.oidc!.clientId, clientSecret: second },
      }),
      // The secret left out is kept.
      await trpc.orgs.sso.update.mutate({
        orgId: setup.org.id,
        connectionId: created.id,
        config: { issuer: op.issuer, clientId: created.oidc!.clientId },
      }),
      await trpc.orgs.sso.list.query({ orgId: setup.org.id }),
      await trpc.privacy.exportData.query(),
      await trpc.orgs.log.query({ orgId: setup.org.id }),
    ];
    const rest = await server.fetch(`/api/v1/orgs/sso/list?orgId=${encodeURIComponent(setup.org.id)}`, {
      headers: { Authorization: `Bearer ${setup.owner.session.accessToken}` },
    });
    expect(rest.status).toBe(200);
    const restBody = await rest.text();
    expect(restBody).toContain(created.id);
    for (const text of [...answers.map((answer) => JSON.stringify(answer)), restBody]) {
      expect(text).not.toContain(first);
      expect(text).not.toContain(second);
      expect(text).not.toMatch(/clientSecret|client_secret|sealed/i);
    }
  });

  const META = 'urn:oasis:names:tc:SAML:2.0:metadata';
  const badMetadata: Record<string, () => string> = {
    'not XML': () => 'this is not XML at all',
    'not well-formed XML': () => idp.metadataXml.slice(0, -30),
    'a DOCTYPE': () =>
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>${idp.metadataXml.replace(/^<\?xml[^>]*>/, '')}`,
    'no IDPSSODescriptor': () =>
      `<md:EntityDescriptor xmlns:md="${META}" entityID="https://idp.example"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>`,
    'no signing certificate': () => idp.metadataXml.replace(/<md:KeyDescriptor[^]*<\/md:KeyDescriptor>/, ''),
    'a bad certificate': () => idp.metadataXml.replace(/<ds:X509Certificate>[^<]*/, '<ds:X509Certificate>TUlJQ2JhZA=='),
    'a sign-on URL over plain http': () => idp.metadataXml.replaceAll(idp.ssoUrl, 'http://idp.example.com/sso'),
  };

  test.each(Object.keys(badMetadata))('metadata with %s is INVALID_INPUT on config, never a 500', async (name) => {
    const setup = await orgWithOwner(server);
    const error = await expectReason(
      createSaml(setup, { config: { metadataXml: badMetadata[name]!() } }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.config?.[0]).toEqual(expect.any(String));
    expect(await setup.owner.client.trpc.orgs.sso.list.query({ orgId: setup.org.id })).toEqual([]);
  });

  test('bad configurations and domains are INVALID_INPUT with field errors, never a 500', async () => {
    const setup = await orgWithOwner(server);
    const trpc = setup.owner.client.trpc;
    const base = { orgId: setup.org.id, name: 'IdP', domains: [setup.domain], defaultRole: 'member' as const };
    const cases: [string, () => Promise<unknown>, string][] = [
      [
        'a bad certificate typed in',
        () =>
          trpc.orgs.sso.create.mutate({
            ...base,
            protocol: 'saml',
            config: {
              entityId: 'https://idp.example',
              ssoUrl: 'https://idp.example/sso',
              certificate: 'not a certificate',
            },
          }),
        'config',
      ],
      [
        'base64 that is no certificate',
        () =>
          trpc.orgs.sso.create.mutate({
            ...base,
            protocol: 'saml',
            config: { entityId: 'https://idp.example', ssoUrl: 'https://idp.example/sso', certificate: 'TUlJQ2JhZA==' },
          }),
        'config',
      ],
      [
        'a SAML connection with an OpenID Connect config',
        () =>
          trpc.orgs.sso.create.mutate({
            ...base,
            protocol: 'saml',
            config: { issuer: op.issuer, clientId: 'a', clientSecret: 'b' },
          }),
        'config',
      ],
      [
        'an OpenID Connect connection with SAML metadata',
        () => trpc.orgs.sso.create.mutate({ ...base, protocol: 'oidc', config: { metadataXml: idp.metadataXml } }),
        'config',
      ],
      [
        'an issuer over plain http',
        () =>
          trpc.orgs.sso.create.mutate({
            ...base,
            protocol: 'oidc',
            config: { issuer: 'http://id.example.com', clientId: 'a', clientSecret: 'b' },
          }),
        'config',
      ],
      [
        'a sign-on URL over plain http',
        () =>
          trpc.orgs.sso.create.mutate({
            ...base,
            protocol: 'saml',
            config: {
              entityId: 'https://idp.example',
              ssoUrl: 'http://idp.example/sso',
              certificate: idp.certificatePem,
            },
          }),
        'config',
      ],
      ...['not a domain', 'localhost', '-bad.example', 'bad-.example', '192.168.0.1', 'a..example', 'x@y.example'].map(
        (domain): [string, () => Promise<unknown>, string] => [
          `domain ${domain}`,
          () =>
            trpc.orgs.sso.create.mutate({
              ...base,
              domains: [domain],
              protocol: 'saml',
              config: { metadataXml: idp.metadataXml },
            }),
          'domains',
        ],
      ),
      [
        'domain challenge for a bad domain',
        () => trpc.orgs.sso.domainChallenge.mutate({ orgId: setup.org.id, domain: 'nope' }),
        'domain',
      ],
    ];
    for (const [name, call, field] of cases) {
      const error = await trpcError(call());
      expect({ name, code: error.data?.code, reason: error.data?.reason }).toEqual({
        name,
        code: 'BAD_REQUEST',
        reason: 'INVALID_INPUT',
      });
      expect(error.data?.fieldErrors?.[field]?.[0], name).toEqual(expect.any(String));
    }
    expect(await trpc.orgs.sso.list.query({ orgId: setup.org.id })).toEqual([]);

    // An update cannot change the protocol.
    const connection = await createSaml(setup);
    const error = await expectReason(
      trpc.orgs.sso.update.mutate({
        orgId: setup.org.id,
        connectionId: connection.id,
        config: { issuer: op.issuer, clientId: 'a', clientSecret: 'b' },
      }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.config?.[0]).toEqual(expect.any(String));
  });

  test('one domain cannot be in two connections of one organization', async () => {
    const setup = await orgWithOwner(server);
    const trpc = setup.owner.client.trpc;
    const extra = uniqueDomain('extra');
    await createSaml(setup);
    const error = await expectReason(
      createSaml(setup, { domains: [extra, setup.domain.toUpperCase()] }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.domains?.[0]).toContain(setup.domain);
    const second = await createSaml(setup, { domains: [extra] });
    await expectReason(
      trpc.orgs.sso.update.mutate({ orgId: setup.org.id, connectionId: second.id, domains: [extra, setup.domain] }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect((await trpc.orgs.sso.list.query({ orgId: setup.org.id })).map((item) => item.domains)).toEqual([
      [setup.domain],
      [extra],
    ]);
  });

  test('org admins and members are FORBIDDEN (no sso:manage); a non-member gets NOT_FOUND', async () => {
    const setup = await orgWithOwner(server);
    const connection = await createSaml(setup);
    const orgAdmin = await signUpAndVerify(server);
    const member = await signUpAndVerify(server);
    const stranger = await signUpAndVerify(server);
    await joinOrg(server, setup.owner, setup.org, orgAdmin, 'admin');
    await joinOrg(server, setup.owner, setup.org, member, 'member');
    const orgId = setup.org.id;
    const calls = (who: SignedUp) => [
      () => who.client.trpc.orgs.sso.list.query({ orgId }),
      () => createSaml({ ...setup, owner: who }),
      () => who.client.trpc.orgs.sso.update.mutate({ orgId, connectionId: connection.id, name: 'Mine now' }),
      () => who.client.trpc.orgs.sso.delete.mutate({ orgId, connectionId: connection.id }),
      () => who.client.trpc.orgs.sso.domains.query({ orgId }),
      () => who.client.trpc.orgs.sso.domainChallenge.mutate({ orgId, domain: setup.domain }),
      () => who.client.trpc.orgs.sso.verifyDomain.mutate({ orgId, domain: setup.domain }),
    ];
    for (const [who, code] of [
      [orgAdmin, 'FORBIDDEN'],
      [member, 'FORBIDDEN'],
      [stranger, 'NOT_FOUND'],
    ] as const) {
      for (const call of calls(who)) await expectReason(call(), code, code);
    }
    expect(await setup.owner.client.trpc.orgs.sso.list.query({ orgId })).toEqual([connection]);
  });

  test('deleting the organization removes its connections: their start URL then fails and discovery forgets them', async () => {
    const setup = await orgWithOwner(server);
    const connection = await samlConnection(dns, idp, setup);
    expect((await startAnswer(connection.id)).location).toMatch(/^\/auth\/saml\//);
    await setup.owner.client.trpc.orgs.delete.mutate({ orgId: setup.org.id, password: setup.owner.password });
    // Back to /login with an error (not to the IdP).
    expect(await startAnswer(connection.id)).toEqual({ status: 302, location: SSO_FAILED });
    const saml = await server.fetch(`/auth/saml/${connection.id}/start`, {
      redirect: 'manual',
      headers: { 'X-Forwarded-For': testIp() },
    });
    expect(saml.headers.get('location')).toBe(SSO_FAILED);
    expect((await fetch(connection.saml!.metadataUrl)).status).toBe(404);
    expect(await server.client().trpc.auth.sso.discover.mutate({ email: `a@${setup.domain}` })).toBeNull();
    // The domain is free for another organization.
    const next = await orgWithOwner(server, setup.domain);
    await verifyDomainByDns(dns, next);
  });
});

describe('domains', () => {
  test('a challenge names _latchkey-challenge.<domain>; without the TXT record verifying fails on domain, with it succeeds', async () => {
    const setup = await orgWithOwner(server);
    const trpc = setup.owner.client.trpc;
    const challenge = await trpc.orgs.sso.domainChallenge.mutate({
      orgId: setup.org.id,
      domain: setup.domain.toUpperCase(),
    });
    expect(challenge.recordName).toBe(`_latchkey-challenge.${setup.domain}`);
    expect(challenge.recordValue).toMatch(/\S{16,}/);
    expect(await trpc.orgs.sso.domainChallenge.mutate({ orgId: setup.org.id, domain: setup.domain })).toEqual(
      challenge,
    );

    let error = await expectReason(
      trpc.orgs.sso.verifyDomain.mutate({ orgId: setup.org.id, domain: setup.domain }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.domain?.[0]).toContain(challenge.recordName);
    // Someone else's value at the name is not ours.
    dns.setTxt(challenge.recordName, ['latchkey-domain-verification=someone-else', 'v=spf1 -all']);
    error = await expectReason(
      trpc.orgs.sso.verifyDomain.mutate({ orgId: setup.org.id, domain: setup.domain }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.domain?.[0]).toEqual(expect.any(String));
    expect((await trpc.orgs.sso.domains.query({ orgId: setup.org.id }))[0]?.verifiedAt).toBeNull();

    dns.setTxt(challenge.recordName, ['v=spf1 -all', challenge.recordValue]);
    const verified = await trpc.orgs.sso.verifyDomain.mutate({ orgId: setup.org.id, domain: setup.domain });
    expect(verified).toMatchObject({ domain: setup.domain, ...challenge, verifiedAt: expect.any(String) });
    expect(await trpc.orgs.sso.domains.query({ orgId: setup.org.id })).toEqual([verified]);
    expect((await trpc.orgs.log.query({ orgId: setup.org.id })).items.map((event) => event.type)).toContain(
      'sso.domain_verified',
    );
  });

  test('a domain claimed by two organizations: the first to verify holds it, the second is refused and discovery keeps the first', async () => {
    const domain = uniqueDomain();
    const first = await orgWithOwner(server, domain);
    const second = await orgWithOwner(server, domain);
    const firstConnection = await createSaml(first, { name: 'First IdP' });
    await createSaml(second, { name: 'Second IdP' });
    const a = await first.owner.client.trpc.orgs.sso.domainChallenge.mutate({ orgId: first.org.id, domain });
    const b = await second.owner.client.trpc.orgs.sso.domainChallenge.mutate({ orgId: second.org.id, domain });
    expect(b.recordName).toBe(a.recordName);
    expect(b.recordValue).not.toBe(a.recordValue);
    dns.setTxt(a.recordName, [a.recordValue]);
    await first.owner.client.trpc.orgs.sso.verifyDomain.mutate({ orgId: first.org.id, domain });

    dns.setTxt(b.recordName, [b.recordValue]);
    const error = await expectReason(
      second.owner.client.trpc.orgs.sso.verifyDomain.mutate({ orgId: second.org.id, domain }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.domain?.[0]).toContain('already verified by another organization');
    expect((await second.owner.client.trpc.orgs.sso.domains.query({ orgId: second.org.id }))[0]?.verifiedAt).toBeNull();
    expect(await server.client().trpc.auth.sso.discover.mutate({ email: `someone@${domain}` })).toEqual({
      connectionId: firstConnection.id,
      name: 'First IdP',
    });
  });

  test('an organization gives a verified domain up: its connections stop listing it, discovery forgets it, and another organization can verify it', async () => {
    const domain = uniqueDomain();
    const first = await orgWithOwner(server, domain);
    const second = await orgWithOwner(server, domain);
    const connection = await samlConnection(dns, idp, first);
    const remove = (setup: SsoOrg) =>
      setup.owner.client.trpc.orgs.sso.removeDomain.mutate({ orgId: setup.org.id, domain });
    // Only its owners: the second organization has no such domain, so nothing of the first's goes.
    await expectReason(remove(second), 'NOT_FOUND', 'NOT_FOUND');
    expect(await server.client().trpc.auth.sso.discover.mutate({ email: `a@${domain}` })).toMatchObject({
      connectionId: connection.id,
    });

    expect(await remove(first)).toEqual({ status: 'ok' });
    expect(await first.owner.client.trpc.orgs.sso.domains.query({ orgId: first.org.id })).toEqual([]);
    expect((await first.owner.client.trpc.orgs.sso.list.query({ orgId: first.org.id }))[0]?.domains).toEqual([]);
    expect(await server.client().trpc.auth.sso.discover.mutate({ email: `a@${domain}` })).toBeNull();
    const log = await first.owner.client.trpc.orgs.log.query({ orgId: first.org.id });
    expect(log.items[0]).toMatchObject({ type: 'sso.domain_removed', subject: { name: domain } });

    const challenge = await second.owner.client.trpc.orgs.sso.domainChallenge.mutate({ orgId: second.org.id, domain });
    dns.setTxt(challenge.recordName, [challenge.recordValue]);
    expect(
      (await second.owner.client.trpc.orgs.sso.verifyDomain.mutate({ orgId: second.org.id, domain })).verifiedAt,
    ).not.toBeNull();
    await expectReason(remove(first), 'NOT_FOUND', 'NOT_FOUND');
  });

  test('two organizations verifying one domain at once: exactly one wins', async () => {
    const domain = uniqueDomain();
    const setups = [await orgWithOwner(server, domain), await orgWithOwner(server, domain)];
    const values: string[] = [];
    for (const setup of setups) {
      const challenge = await setup.owner.client.trpc.orgs.sso.domainChallenge.mutate({ orgId: setup.org.id, domain });
      values.push(challenge.recordValue);
      dns.setTxt(challenge.recordName, values);
    }
    const results = await Promise.allSettled(
      setups.map((setup) => setup.owner.client.trpc.orgs.sso.verifyDomain.mutate({ orgId: setup.org.id, domain })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect((rejected?.reason as { data?: { reason?: string } }).data?.reason).toBe('INVALID_INPUT');
    const verified = await Promise.all(
      setups.map(
        async (setup) =>
          (await setup.owner.client.trpc.orgs.sso.domains.query({ orgId: setup.org.id }))[0]?.verifiedAt ?? null,
      ),
    );
    expect(verified.filter((at) => at !== null)).toHaveLength(1);
  });

  test('admin.orgs.verifyDomain: a system admin verifies without DNS; others are FORBIDDEN; an unknown organization is NOT_FOUND', async () => {
    const setup = await orgWithOwner(server);
    const connection = await createSaml(setup);
    await expectReason(
      setup.owner.client.trpc.admin.orgs.verifyDomain.mutate({ orgId: setup.org.id, domain: setup.domain }),
      'FORBIDDEN',
      'FORBIDDEN',
    );
    await expectReason(
      admin.client.trpc.admin.orgs.verifyDomain.mutate({ orgId: `org${other()}`, domain: setup.domain }),
      'NOT_FOUND',
      'NOT_FOUND',
    );
    expect(await server.client().trpc.auth.sso.discover.mutate({ email: `x@${setup.domain}` })).toBeNull();
    const verified = await admin.client.trpc.admin.orgs.verifyDomain.mutate({
      orgId: setup.org.id,
      domain: setup.domain,
    });
    expect(verified).toMatchObject({ domain: setup.domain, verifiedAt: expect.any(String) });
    expect(await server.client().trpc.auth.sso.discover.mutate({ email: `x@${setup.domain}` })).toEqual({
      connectionId: connection.id,
      name: connection.name,
    });
    // Not even an admin gives a held domain to a second organization.
    const rival = await orgWithOwner(server);
    const error = await expectReason(
      admin.client.trpc.admin.orgs.verifyDomain.mutate({ orgId: rival.org.id, domain: setup.domain }),
      'BAD_REQUEST',
      'INVALID_INPUT',
    );
    expect(error.data?.fieldErrors?.domain?.[0]).toContain('already verified by another organization');
  });
});

describe('discovery', () => {
  const discover = (email: string) => server.client().trpc.auth.sso.discover.mutate({ email });

  test('null for an unknown domain, an unverified one, and a verified domain of an organization without a connection for it', async () => {
    expect(await discover(`a@${uniqueDomain('unknown')}`)).toBeNull();
    const unverified = await orgWithOwner(server);
    await createSaml(unverified);
    expect(await discover(`a@${unverified.domain}`)).toBeNull();
    const bare = await orgWithOwner(server);
    await verifyDomainByDns(dns, bare);
    expect(await discover(`a@${bare.domain}`)).toBeNull();
  });

  test('the connection once verified, the same whether or not an account has the address', async () => {
    const setup = await orgWithOwner(server);
    const connection = await samlConnection(dns, idp, setup, { name: 'Acme Okta' });
    const expected = { connectionId: connection.id, name: 'Acme Okta' };
    expect(await discover(setup.owner.email)).toEqual(expected);
    expect(await discover(`nobody-${other()}@${setup.domain.toUpperCase()}`)).toEqual(expected);
  });
});

describe('SSO_REQUIRED', () => {
  test('a required connection refuses passwords for its domains, right or wrong, except its owners; required:false lifts it', async () => {
    const setup = await orgWithOwner(server);
    const connection = await samlConnection(dns, idp, setup);
    const employee = await signUpAndVerify(server, { email: `staff-${other()}@${setup.domain}` });
    const outsider = await signUpAndVerify(server, { email: uniqueEmail('outsider') });
    const login = (email: string, password: string) => server.client().trpc.auth.login.mutate({ email, password });
    expect((await login(employee.email, employee.password)).status).toBe('signed_in');

    await setup.owner.client.trpc.orgs.sso.update.mutate({
      orgId: setup.org.id,
      connectionId: connection.id,
      required: true,
    });
    for (const password of [employee.password, strongPassword()]) {
      const error = await expectReason(login(employee.email, password), 'FORBIDDEN', 'SSO_REQUIRED');
      expect(error.data?.connectionId).toBe(connection.id);
    }
    // An address of the domain without an account gets the same answer.
    const nobody = await expectReason(
      login(`nobody-${other()}@${setup.domain}`, strongPassword()),
      'FORBIDDEN',
      'SSO_REQUIRED',
    );
    expect(nobody.data?.connectionId).toBe(connection.id);
    expect((await login(setup.owner.email, setup.owner.password)).status).toBe('signed_in');
    expect((await login(outsider.email, outsider.password)).status).toBe('signed_in');
    // SSO itself still signs the employee in.
    idp.setUser({ email: employee.email });
    const sso = await samlSignIn(server, idp, connection.id);
    expect((await sessionOf(server, sso)).session.user.id).toBe(employee.session.user.id);

    // The address as typed, in any case, is the same address.
    const upper = await expectReason(
      login(employee.email.toUpperCase(), employee.password),
      'FORBIDDEN',
      'SSO_REQUIRED',
    );
    expect(upper.data?.connectionId).toBe(connection.id);
    // Another organization listing the domain on its own required connection changes nothing for it.
    const rival = await orgWithOwner(server);
    const rivalConnection = await createSaml(rival, { domains: [rival.domain, setup.domain] });
    await rival.owner.client.trpc.orgs.sso.update.mutate({
      orgId: rival.org.id,
      connectionId: rivalConnection.id,
      required: true,
    });
    const still = await expectReason(login(employee.email, employee.password), 'FORBIDDEN', 'SSO_REQUIRED');
    expect(still.data?.connectionId).toBe(connection.id);

    await setup.owner.client.trpc.orgs.sso.update.mutate({
      orgId: setup.org.id,
      connectionId: connection.id,
      required: false,
    });
    expect((await login(employee.email, employee.password)).status).toBe('signed_in');
    // The rival's required connection never covered a domain it does not hold.
    expect(await server.client().trpc.auth.sso.discover.mutate({ email: employee.email })).toEqual({
      connectionId: connection.id,
      name: connection.name,
    });
  });
});

describe('OpenID Connect connection', () => {
  let setup: SsoOrg;
  let connection: SsoConnection;

  beforeAll(async () => {
    setup = await orgWithOwner(server);
    const clientSecret = secret();
    const clientId = `latchkey-sso-${other()}`;
    connection = await createOidc(setup, clientSecret, clientId);
    await op.addClient({
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [`${server.url}/auth/sso/${connection.id}/callback`],
    });
    await verifyDomainByDns(dns, setup);
  });

  function signInAt(account: OpenIdAccount, returnTo = '/'): Promise<CallbackResult> {
    op.nextLogin(account);
    return runProviderFlow({
      latchkeyUrl: server.url,
      providerId: connection.id,
      startPath: `/auth/sso/${connection.id}/start`,
      query: { returnTo },
      headers: { 'X-Forwarded-For': testIp() },
    });
  }

  test('a new employee of the verified domain is created, confirmed, and made a member', async () => {
    const email = `oidc-${other()}@${setup.domain}`;
    const result = await signInAt({ sub: `sub-${other()}`, email, email_verified: true, name: 'Olive Idc' });
    expect({ status: result.status, location: result.location }).toEqual({
      status: 302,
      location: `/orgs/${setup.org.slug}/members`,
    });
    const { client, session } = await sessionOf(server, result);
    expect(session.user).toMatchObject({
      email,
      emailVerified: true,
      hasPassword: false,
      profile: { name: 'Olive Idc' },
    });
    expect(await client.trpc.orgs.mine.query()).toEqual([{ org: setup.org, role: 'member' }]);
    const exported = await client.trpc.privacy.exportData.query();
    expect(exported.securityEvents.find((event) => event.type === 'session.started')?.provider).toBe(
      `sso:${connection.id}`,
    );
  });

  test('returnTo is honoured', async () => {
    const result = await signInAt(
      { sub: `sub-${other()}`, email: `r-${other()}@${setup.domain}`, email_verified: true },
      '/settings/security',
    );
    expect(result.location).toBe('/settings/security');
    expect(setsSession(result)).toBe(true);
  });

  test('an address that is not an address, though it ends in the verified domain, is refused', async () => {
    const result = await signInAt({
      sub: `sub-${other()}`,
      email: `x@evil.example@${setup.domain}`,
      email_verified: true,
    });
    expect({ status: result.status, location: result.location }).toEqual({ status: 302, location: SSO_FAILED });
    expect(setsSession(result)).toBe(false);
  });

  test('an email outside the connection’s domain is refused with sso_failed, no session and an sso.failed event', async () => {
    const ip = testIp();
    op.nextLogin({ sub: `sub-${other()}`, email: uniqueEmail('elsewhere'), email_verified: true });
    const result = await runProviderFlow({
      latchkeyUrl: server.url,
      providerId: connection.id,
      startPath: `/auth/sso/${connection.id}/start`,
      headers: { 'X-Forwarded-For': ip },
    });
    expect({ status: result.status, location: result.location }).toEqual({ status: 302, location: SSO_FAILED });
    expect(setsSession(result)).toBe(false);
    const events = await admin.client.trpc.admin.securityEvents.query({ type: 'sso.failed', ip });
    expect(events.items).toHaveLength(1);
  });
});
