import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startDnsServer, type DnsServer } from '#tests/helpers/dns-server.ts';
import { sessionOf, setsSession } from '#tests/helpers/provider-session.ts';
import { startSamlIdp, type SamlIdp } from '#tests/helpers/saml-idp.ts';
import { orgWithOwner, samlConnection, samlSignIn } from '#tests/helpers/sso.ts';
import { startTestServer, type TestServer } from '#tests/helpers/test-server.ts';

let dns: DnsServer;
let idp: SamlIdp;
let server: TestServer;

beforeAll(async () => {
  dns = await startDnsServer();
  idp = await startSamlIdp();
  server = await startTestServer({ DNS_SERVERS: dns.address });
});
afterAll(async () => {
  await server?.close();
  await idp?.close();
  await dns?.close();
});

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
  });
});
