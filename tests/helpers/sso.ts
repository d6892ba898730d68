import { randomBytes } from 'node:crypto';
import type { Org } from '#shared/schemas/orgs.ts';
import type { SsoConnection } from '#shared/schemas/sso.ts';
import { CookieJar } from './cookie-jar.ts';
import type { DnsServer } from './dns-server.ts';
import { callCallback, parseAutoSubmitForm, type CallbackResult } from './provider-flow.ts';
import type { ResponseOptions, SamlIdp } from './saml-idp.ts';
import { signUpAndVerify, testIp, type SignedUp, type TestServer } from './test-server.ts';

/** A domain of its own per test, so verified domains never collide across tests. */
export const uniqueDomain = (label = 'corp') => `${label}-${randomBytes(4).toString('hex')}.test`;

export type SsoOrg = { owner: SignedUp; org: Org; domain: string };

/** An owner with an organization, and a domain for it. */
export async function orgWithOwner(server: TestServer, domain = uniqueDomain()): Promise<SsoOrg> {
  const owner = await signUpAndVerify(server, { email: `owner-${randomBytes(3).toString('hex')}@${domain}` });
  const slug = `org-${randomBytes(4).toString('hex')}`;
  const org = await owner.client.trpc.orgs.create.mutate({ name: `Org ${slug}`, slug });
  return { owner, org, domain };
}

/** Publishes the organization's TXT record on the test DNS server and verifies the domain. */
export async function verifyDomainByDns(dns: DnsServer, { owner, org, domain }: SsoOrg): Promise<void> {
  const challenge = await owner.client.trpc.orgs.sso.domainChallenge.mutate({ orgId: org.id, domain });
  dns.setTxt(challenge.recordName, [challenge.recordValue]);
  await owner.client.trpc.orgs.sso.verifyDomain.mutate({ orgId: org.id, domain });
}

/** A SAML connection to `idp` from its metadata, for the organization's domain, verified by DNS. */
export async function samlConnection(
  dns: DnsServer,
  idp: SamlIdp,
  setup: SsoOrg,
  extra: { defaultRole?: 'member' | 'admin'; name?: string } = {},
): Promise<SsoConnection> {
  const connection = await setup.owner.client.trpc.orgs.sso.create.mutate({
    orgId: setup.org.id,
    protocol: 'saml',
    name: extra.name ?? 'Test IdP',
    domains: [setup.domain],
    defaultRole: extra.defaultRole ?? 'member',
    config: { metadataXml: idp.metadataXml },
  });
  await verifyDomainByDns(dns, setup);
  return connection;
}

export type SamlStart = {
  jar: CookieJar;
  acsUrl: URL;
  relayState: string;
  requestId: string;
  headers: Record<string, string>;
};

/** A browser starts an SP-initiated sign-in: Latchkey's start, then the IdP's redirect-binding URL. */
export async function startSaml(
  server: TestServer,
  idp: SamlIdp,
  connectionId: string,
  /** `ip`: the browser's address (X-Forwarded-For); a new one by default. */
  options: { jar?: CookieJar; returnTo?: string; path?: 'saml' | 'sso'; ip?: string } = {},
): Promise<SamlStart & { idpUrl: URL }> {
  const jar = options.jar ?? new CookieJar();
  const headers = { 'X-Forwarded-For': options.ip ?? testIp() };
  const start = new URL(`/auth/${options.path ?? 'saml'}/${connectionId}/start`, server.url);
  if (options.returnTo) start.searchParams.set('returnTo', options.returnTo);
  let url = start;
  // The generic /auth/sso start forwards a SAML connection to its own.
  for (let hop = 0; hop < 3; hop++) {
    const cookie = jar.header(url, { method: 'GET', chain: [url] });
    const response = await fetch(url, { redirect: 'manual', headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    jar.store(url, response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status !== 302 || !location) throw new Error(`start answered ${response.status}`);
    url = new URL(location, url);
    if (url.origin !== new URL(server.url).origin) break;
  }
  const before = idp.requests.length;
  const page = await fetch(url, { redirect: 'manual' });
  const request = idp.requests[before];
  if (page.status !== 200 || !request) throw new Error(`the IdP answered ${page.status}`);
  const { action, form } = parseAutoSubmitForm(await page.text(), url);
  return { jar, acsUrl: action, relayState: form.get('RelayState') ?? '', requestId: request.id, headers, idpUrl: url };
}

/** Posts a SAMLResponse to the ACS as the browser would (a form post from the IdP's page). */
export function postToAcs(idp: SamlIdp, start: SamlStart, samlResponse: string): Promise<CallbackResult> {
  const form = new URLSearchParams({ SAMLResponse: samlResponse, RelayState: start.relayState });
  return callCallback(
    { method: 'POST', url: start.acsUrl, form, chain: [new URL(idp.ssoUrl)] },
    { jar: start.jar, headers: start.headers },
  );
}

/** The whole SP-initiated sign-in, the IdP answering as its current user with `overrides`. */
export async function samlSignIn(
  server: TestServer,
  idp: SamlIdp,
  connectionId: string,
  overrides: ResponseOptions = {},
  options: { returnTo?: string; ip?: string } = {},
): Promise<CallbackResult & { start: SamlStart }> {
  const start = await startSaml(server, idp, connectionId, options);
  const request = idp.requests.find((entry) => entry.id === start.requestId)!;
  const result = await postToAcs(idp, start, idp.respond(request, overrides));
  return { ...result, start };
}
