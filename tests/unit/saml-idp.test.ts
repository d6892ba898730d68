import { X509Certificate, createPublicKey } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
import { startSamlIdp, type BuildResponseOptions, type SamlIdp } from '#tests/helpers/saml-idp.ts';
import { startDnsServer, type DnsServer } from '#tests/helpers/dns-server.ts';

// The tests' IdP is only useful if a real SP library agrees with it: valid responses pass
// node-saml (the server's SAML library), and each attack is refused by it — or, where node-saml
// does not check (Destination, Recipient, Issuer, Status, assertion replay), the test says so, as
// those are checks the server must make itself (API.md §15).

const SP_ENTITY_ID = 'http://127.0.0.1:9/auth/saml/conn-1/metadata';
const ACS_URL = 'http://127.0.0.1:9/auth/saml/conn-1/acs';

/** node-saml's cache contract, in memory: the AuthnRequest ids the SP "sent". */
class RequestIds implements CacheProvider {
  ids = new Map<string, string>();
  async saveAsync(key: string, value: string) {
    this.ids.set(key, value);
    return { value, createdAt: Date.now() };
  }
  async getAsync(key: string) {
    return this.ids.get(key) ?? null;
  }
  async removeAsync(key: string | null) {
    const value = key == null ? undefined : this.ids.get(key);
    if (key != null) this.ids.delete(key);
    return value ?? null;
  }
}

let idp: SamlIdp;
beforeAll(async () => {
  idp = await startSamlIdp({ user: { email: 'ada@acme.example', name: 'Ada Lovelace' } });
});
afterAll(() => idp?.close());

const sp = (cache = new RequestIds(), certificate = idp.certificatePem) =>
  new SAML({
    idpCert: certificate,
    issuer: SP_ENTITY_ID,
    callbackUrl: ACS_URL,
    audience: SP_ENTITY_ID,
    entryPoint: idp.ssoUrl,
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    cacheProvider: cache,
  });

/** A response to a request id the SP has on record, validated by node-saml: its profile, or the error. */
async function validate(options: Partial<BuildResponseOptions> = {}) {
  const cache = new RequestIds();
  const requestId = '_req' + Math.random().toString(16).slice(2);
  await cache.saveAsync(requestId, new Date().toISOString());
  const SAMLResponse = idp.buildResponse({
    acsUrl: ACS_URL,
    audience: SP_ENTITY_ID,
    inResponseTo: requestId,
    ...options,
  });
  return sp(cache).validatePostResponseAsync({ SAMLResponse });
}
const refusal = (options: Partial<BuildResponseOptions>) =>
  validate(options).then(
    (result) => `accepted as ${result.profile?.nameID}`,
    (error: Error) => error.message,
  );

describe('the certificate', () => {
  test('parses as X.509, self-signed, and carries the IdP key', () => {
    const certificate = new X509Certificate(idp.certificatePem);
    expect(certificate.subject).toBe('CN=Latchkey test IdP');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    const other = new X509Certificate(idp.otherCertificatePem);
    expect(other.verify(other.publicKey)).toBe(true);
    expect(other.publicKey.equals(certificate.publicKey)).toBe(false);
    expect(new Date(certificate.validTo).getTime()).toBeGreaterThan(Date.now() + 365 * 86_400_000);
    // The metadata carries the same certificate.
    const body = /<ds:X509Certificate>([^<]+)</.exec(idp.metadataXml)![1]!;
    expect(
      createPublicKey(
        new X509Certificate(Buffer.from(body, 'base64')).publicKey.export({ type: 'spki', format: 'pem' }),
      ).equals(certificate.publicKey),
    ).toBe(true);
  });
});

describe('node-saml accepts a valid response', () => {
  test.each(['response', 'assertion', 'both'] as const)('signed: %s', async (sign) => {
    const { profile } = await validate({ sign, email: 'ada@acme.example', firstName: 'Ada', lastName: 'Lovelace' });
    expect(profile).toMatchObject({
      issuer: idp.entityId,
      nameID: 'ada@acme.example',
      nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      email: 'ada@acme.example',
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'ada@acme.example',
      givenName: 'Ada',
      surname: 'Lovelace',
    });
  });

  test('the whole SP-initiated flow: node-saml’s AuthnRequest (redirect binding) → the IdP’s auto-posting page', async () => {
    const cache = new RequestIds();
    const authorizeUrl = await sp(cache).getAuthorizeUrlAsync('relay-1', undefined, {});
    const page = await fetch(authorizeUrl).then((response) => response.text());
    const request = idp.requests.at(-1)!;
    expect(request).toMatchObject({
      acsUrl: ACS_URL,
      issuer: SP_ENTITY_ID,
      relayState: 'relay-1',
      binding: 'redirect',
    });
    expect(cache.ids.has(request.id)).toBe(true);
    expect(page).toContain(`<form method="post" action="${ACS_URL}">`);
    expect(page).toContain('<input type="hidden" name="RelayState" value="relay-1">');
    expect(page).toContain('<button type="submit">Continue</button>');
    const SAMLResponse = /name="SAMLResponse" value="([^"]+)"/.exec(page)![1]!;
    expect(idp.responses.at(-1)).toBe(SAMLResponse);
    const { profile } = await sp(cache).validatePostResponseAsync({ SAMLResponse });
    expect(profile).toMatchObject({
      nameID: 'ada@acme.example',
      displayName: 'Ada Lovelace',
      inResponseTo: request.id,
    });
    // node-saml forgets the request id once used: the same response again is refused.
    await expect(sp(cache).validatePostResponseAsync({ SAMLResponse })).rejects.toThrow('InResponseTo is not valid');
  });

  test('HTTP-POST binding for the AuthnRequest, and 403 without a signed-in user', async () => {
    const xml = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_post1" Version="2.0" AssertionConsumerServiceURL="${ACS_URL}"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${SP_ENTITY_ID}</saml:Issuer></samlp:AuthnRequest>`;
    const body = new URLSearchParams({ SAMLRequest: Buffer.from(xml).toString('base64') });
    const answer = await fetch(idp.ssoUrl, { method: 'POST', body });
    expect(answer.status).toBe(200);
    expect(idp.requests.at(-1)).toMatchObject({ id: '_post1', binding: 'post', relayState: undefined });
    idp.setUser(null);
    try {
      expect((await fetch(idp.ssoUrl, { method: 'POST', body })).status).toBe(403);
    } finally {
      idp.setUser({ email: 'ada@acme.example', name: 'Ada Lovelace' });
    }
    expect((await fetch(`${idp.ssoUrl}?SAMLRequest=bm9wZQ`)).status).toBe(400);
  });

  test('configured from the metadata instead of the certificate', async () => {
    const body = /<ds:X509Certificate>([^<]+)</.exec(idp.metadataXml)![1]!;
    expect(idp.metadataXml).toContain(`entityID="${idp.entityId}"`);
    expect(idp.metadataXml).toContain(
      `Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${idp.ssoUrl}"`,
    );
    expect(await fetch(idp.entityId).then((response) => response.text())).toBe(idp.metadataXml);
    const cache = new RequestIds();
    await cache.saveAsync('_m1', new Date().toISOString());
    const SAMLResponse = idp.buildResponse({ acsUrl: ACS_URL, audience: SP_ENTITY_ID, inResponseTo: '_m1' });
    await expect(sp(cache, body).validatePostResponseAsync({ SAMLResponse })).resolves.toBeTruthy();
  });
});

describe('node-saml refuses', () => {
  test.each<[string, Partial<BuildResponseOptions>, RegExp]>([
    ['an unsigned response', { sign: 'none' }, /Invalid signature/],
    ['a response signed by another certificate', { signWith: 'other' }, /Invalid signature/],
    ['an assertion signed by another certificate', { sign: 'assertion', signWith: 'other' }, /Invalid signature/],
    ['wrapping: an unsigned evil assertion beside the signed one', { wrap: 'sibling' }, /multiple assertions/],
    ['wrapping: the signed assertion hidden in Extensions', { wrap: 'extensions' }, /Invalid signature/],
    [
      'wrapping: … and its Signature moved to the evil one',
      { wrap: 'moved-signature' },
      /does not refer to it's parent/,
    ],
    ['another audience', { audience: 'https://other-sp.example/metadata' }, /audience mismatch/],
    [
      'an expired response',
      { notBefore: new Date(Date.now() - 600_000), notOnOrAfter: new Date(Date.now() - 1000) },
      /subject confirmation|expired/,
    ],
    ['a response not yet valid', { notBefore: new Date(Date.now() + 60_000) }, /not yet valid/],
    ['an unknown InResponseTo', { inResponseTo: '_never-sent' }, /InResponseTo is not valid/],
    ['no InResponseTo (IdP-initiated)', { omitInResponseTo: true }, /InResponseTo is missing/],
  ])('%s', async (_name, options, message) => {
    expect(await refusal(options)).toMatch(message);
  });
});

test.each(['sibling', 'extensions', 'moved-signature'] as const)(
  'the %s wrap carries a signature that verifies (so node-saml refuses the wrapping, not a broken signature)',
  (wrap) => {
    const xml = Buffer.from(idp.buildResponse({ acsUrl: ACS_URL, audience: SP_ENTITY_ID, wrap }), 'base64').toString();
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const signature = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!;
    const verifier = new SignedXml({ publicCert: idp.certificatePem });
    verifier.loadSignature(signature);
    expect(verifier.checkSignature(xml)).toBe(true);
    expect(verifier.getSignedReferences()[0]).toContain('ada@acme.example');
    expect(xml).toContain('attacker@evil.example');
  },
);

// These pass node-saml: the server must refuse them itself (API.md §15).
describe('node-saml does NOT check (the server must)', () => {
  test.each<[string, Partial<BuildResponseOptions>]>([
    ['Response/@Destination', { destination: 'https://evil.example/acs' }],
    ['SubjectConfirmationData/@Recipient', { recipient: 'https://evil.example/acs' }],
    ['the Issuer (Response and Assertion)', { issuer: 'https://someone-else.example' }],
    [
      'the Status when the assertion is signed',
      { sign: 'assertion', status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' },
    ],
  ])('%s', async (_name, options) => {
    expect(await refusal(options)).toBe('accepted as ada@acme.example');
  });

  test('an assertion id seen before (each response has its own request id)', async () => {
    expect(await refusal({ assertionId: '_same' })).toBe('accepted as ada@acme.example');
    expect(await refusal({ assertionId: '_same' })).toBe('accepted as ada@acme.example');
  });
});

describe('the DNS server', () => {
  let dns: DnsServer;
  beforeAll(async () => {
    dns = await startDnsServer();
  });
  afterAll(() => dns?.close());

  test('answers TXT records it was given, NXDOMAIN otherwise (Node’s resolver, as the server uses)', async () => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([dns.address]);
    dns.setTxt('_latchkey-challenge.acme.example', ['latchkey-verify=abc123', 'v=spf1 -all']);
    expect(await resolver.resolveTxt('_latchkey-challenge.ACME.example.')).toEqual([
      ['latchkey-verify=abc123'],
      ['v=spf1 -all'],
    ]);
    // Longer than one character-string (255 octets): several chunks of one record.
    dns.setTxt('long.acme.example', ['x'.repeat(300)]);
    expect(await resolver.resolveTxt('long.acme.example')).toEqual([['x'.repeat(255), 'x'.repeat(45)]]);

    // An answer over UDP's 512 octets comes truncated; the resolver asks again over TCP, same port.
    const many = ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(200));
    dns.setTxt('many.acme.example', many);
    expect((await resolver.resolveTxt('many.acme.example')).map((record) => record.join(''))).toEqual(many);

    await expect(resolver.resolveTxt('nothing.acme.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    dns.clear('_latchkey-challenge.acme.example');
    await expect(resolver.resolveTxt('_latchkey-challenge.acme.example')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(dns.queries).toContain('nothing.acme.example TXT');
  });
});
