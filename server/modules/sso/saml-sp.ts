import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import type { CacheProvider, Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import type { Deps } from '#server/deps.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { safeReturnTo } from '#server/modules/identities/return-to.ts';
import type { ConnectionSettings } from './connection-settings.ts';
import { SamlAssertionEntity } from './saml-assertion.entity.ts';
import { SamlRequestEntity } from './saml-request.entity.ts';
import { ssoUrls } from './sso-urls.ts';
import type { SsoConnectionRecord } from './sso-connection.entity.ts';
import { SsoFailure, type SsoProfile } from './sso-failure.ts';

const REQUEST_TTL_MS = 10 * 60 * 1000; // a response must answer a request of the last 10 minutes (API.md §15)
const CLOCK_SKEW_MS = 2 * 60 * 1000;
// An assertion id stays refused for longer than any response to it stays acceptable.
const SEEN_ASSERTION_MS = 24 * 60 * 60 * 1000;

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const SUBJECT_MAX_LENGTH = 255; // the identities table's column

type SamlSettings = Extract<ConnectionSettings, { protocol: 'saml' }>;

/**
 * The AuthnRequests this browser started, in the database (any instance can take the response).
 * node-saml's removal is not used: the request is taken once, atomically, after the checks pass.
 */
function requestCache(
  em: EntityManager,
  deps: Deps,
  connection: SsoConnectionRecord,
  browser: { hash: string; returnTo?: string },
): CacheProvider {
  return {
    async saveAsync(id, value) {
      const now = deps.now();
      await em.insert(SamlRequestEntity, {
        id,
        connection: connection.id,
        browserHash: browser.hash,
        returnTo: browser.returnTo ?? '/',
        expiresAt: new Date(now.getTime() + REQUEST_TTL_MS),
      });
      return { value, createdAt: now.getTime() };
    },
    async getAsync(id) {
      const request = await em.findOne(SamlRequestEntity, { id, connection: connection.id });
      if (!request || request.browserHash !== browser.hash || request.expiresAt <= deps.now()) return null;
      return new Date(request.expiresAt.getTime() - REQUEST_TTL_MS).toISOString();
    },
    removeAsync: async () => null,
  };
}

async function serviceProvider(
  deps: Deps,
  connection: SsoConnectionRecord,
  settings: SamlSettings,
  cache?: CacheProvider,
) {
  // node-saml (with xml-crypto and xpath) holds about 3.6 MB of heap: loaded by the first SAML
  // connection used, not by every start (issue 20's memory target).
  const { SAML, ValidateInResponseTo } = await import('@node-saml/node-saml');
  const urls = ssoUrls(deps, connection);
  return new SAML({
    entryPoint: settings.ssoUrl,
    issuer: urls.spEntityId,
    audience: urls.spEntityId,
    callbackUrl: urls.acsUrl,
    idpCert: settings.certificates,
    // Either the response or its assertion must be signed by the connection's certificate.
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    // Let the IdP choose the NameID format and how the employee authenticates (MFA, passkey...).
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    cacheProvider: cache ?? requestCache(deps.orm.em.fork(), deps, connection, { hash: '' }),
  });
}

/** Our SP metadata (entity id = its own URL), for the IdP's administrator. */
export async function serviceProviderMetadata(
  deps: Deps,
  connection: SsoConnectionRecord,
  settings: SamlSettings,
): Promise<string> {
  return (await serviceProvider(deps, connection, settings)).generateServiceProviderMetadata(null, null);
}

/** SP-initiated sign-in: the request is kept for this browser and the IdP's URL answered. */
export async function startSamlSignIn(
  em: EntityManager,
  deps: Deps,
  connection: SsoConnectionRecord,
  settings: SamlSettings,
  browser: { secret: string; returnTo: string | undefined },
): Promise<string> {
  const cache = requestCache(em, deps, connection, {
    hash: sha256Hex(browser.secret),
    returnTo: safeReturnTo(browser.returnTo, deps.config.publicUrl),
  });
  return (await serviceProvider(deps, connection, settings, cache)).getAuthorizeUrlAsync('', undefined, {});
}

type Xml2Js = Record<string, unknown[] | undefined> & { $?: Record<string, string> };
const first = (node: Xml2Js | undefined, name: string) => node?.[name]?.[0] as Xml2Js | undefined;
const all = (node: Xml2Js | undefined, name: string) => (node?.[name] ?? []) as Xml2Js[];

/** The checks node-saml leaves to us: recipient, destination, issuer; and the names we read. */
function checkAssertion(deps: Deps, connection: SsoConnectionRecord, settings: SamlSettings, profile: Profile) {
  const { acsUrl } = ssoUrls(deps, connection);
  const assertion = (profile.getAssertion?.() as { Assertion?: Xml2Js } | undefined)?.Assertion;
  const assertionId = assertion?.$?.ID;
  if (!assertion || !assertionId) throw new SsoFailure('the assertion has no ID');
  if (profile.issuer !== settings.entityId) throw new SsoFailure('the assertion is from another issuer');
  // The Response's InResponseTo is unsigned when only the assertion is signed: the signed bearer
  // confirmation must name our ACS and the same request, or an unsolicited assertion would pass.
  const inResponseTo = profile.inResponseTo as string | undefined;
  // node-saml judges every other time of the assertion by this clock: the same one here.
  const now = Date.now();
  const confirmed = all(first(assertion, 'Subject'), 'SubjectConfirmation').some((confirmation) => {
    const data = first(confirmation, 'SubjectConfirmationData')?.$;
    const until = data?.NotOnOrAfter ? Date.parse(data.NotOnOrAfter) : NaN;
    return (
      confirmation.$?.Method === BEARER &&
      data?.Recipient === acsUrl &&
      !!inResponseTo &&
      data.InResponseTo === inResponseTo &&
      now - CLOCK_SKEW_MS < until
    );
  });
  if (!confirmed) throw new SsoFailure('no bearer confirmation for our ACS and this request');
  // The response's own Destination and Status are signed only when the response is; they must still be right.
  const response = new DOMParser().parseFromString(profile.getSamlResponseXml?.() ?? '', 'text/xml').documentElement;
  const destination = response?.getAttribute('Destination');
  if (destination && destination !== acsUrl) throw new SsoFailure('the response is for another destination');
  const status = response?.getElementsByTagNameNS(PROTOCOL, 'StatusCode')[0]?.getAttribute('Value');
  if (status !== SUCCESS) throw new SsoFailure(`the response's status is ${status ?? 'missing'}`);
  return { assertionId, notOnOrAfter: first(assertion, 'Conditions')?.$?.NotOnOrAfter };
}

const attribute = (profile: Profile, ...names: string[]): string | null => {
  for (const name of names) {
    const value = (profile.attributes as Record<string, unknown> | undefined)?.[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string' && text.trim()) return text.trim();
  }
  return null;
};

function profileOf(profile: Profile): SsoProfile {
  const email =
    attribute(
      profile,
      'email',
      'mail',
      'emailAddress',
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      'urn:oid:0.9.2342.19200300.100.1.3',
    ) ?? (profile.nameID?.includes('@') ? profile.nameID : null);
  const given = attribute(
    profile,
    'givenName',
    'firstName',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
  );
  const family = attribute(
    profile,
    'surname',
    'lastName',
    'sn',
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
  );
  const name =
    attribute(profile, 'displayName', 'name', 'http://schemas.microsoft.com/identity/claims/displayname') ??
    ([given, family].filter(Boolean).join(' ') || null);
  if (!profile.nameID) throw new SsoFailure('the assertion has no NameID');
  if (profile.nameID.length > SUBJECT_MAX_LENGTH) throw new SsoFailure('the NameID is too long');
  return { subject: profile.nameID, email, name };
}

/**
 * The ACS's checks (API.md §15): signature by the connection's certificate (response or assertion,
 * wrapping refused by node-saml), audience, time window with 2 minutes of skew, InResponseTo of a
 * request this browser started in the last 10 minutes, recipient and destination, an assertion id
 * never seen before. Any failure is an SsoFailure.
 */
export async function takeSamlResponse(
  em: EntityManager,
  deps: Deps,
  connection: SsoConnectionRecord,
  settings: SamlSettings,
  input: { samlResponse: string; browser: string | undefined },
): Promise<{ profile: SsoProfile; returnTo: string }> {
  if (!input.browser) throw new SsoFailure('no browser cookie: not a sign-in this browser started');
  const cache = requestCache(em, deps, connection, { hash: sha256Hex(input.browser) });
  let profile: Profile | null;
  try {
    ({ profile } = await (
      await serviceProvider(deps, connection, settings, cache)
    ).validatePostResponseAsync({
      SAMLResponse: input.samlResponse,
    }));
  } catch (error) {
    throw new SsoFailure(error instanceof Error ? error.message : 'the response was refused', { cause: error });
  }
  if (!profile) throw new SsoFailure('the response carries no assertion');
  const { assertionId, notOnOrAfter } = checkAssertion(deps, connection, settings, profile);
  const requestId = profile.inResponseTo as string | undefined;
  const request = requestId ? await em.findOne(SamlRequestEntity, { id: requestId, connection: connection.id }) : null;
  // Taken once: of two responses to one request, only the first gets through.
  if (!request || (await em.nativeDelete(SamlRequestEntity, { id: request.id })) !== 1)
    throw new SsoFailure('InResponseTo was already answered');
  const now = deps.now().getTime();
  const until = Math.max(now + SEEN_ASSERTION_MS, notOnOrAfter ? Date.parse(notOnOrAfter) + CLOCK_SKEW_MS || 0 : 0);
  try {
    await em.insert(SamlAssertionEntity, {
      id: sha256Hex(`${connection.id} ${assertionId}`),
      expiresAt: new Date(until),
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw new SsoFailure('the assertion was used before');
    throw error;
  }
  return { profile: profileOf(profile), returnTo: request.returnTo };
}
