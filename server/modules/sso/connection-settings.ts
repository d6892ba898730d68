import { X509Certificate } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { DOMParser } from '@xmldom/xmldom';
import { isHttpsOrLoopbackUrl, type SsoConfigInput } from '#shared/schemas/sso.ts';
import { AppError } from '#server/lib/app-error.ts';

/** What a connection keeps in the clear: everything but the OpenID Connect client secret. */
export type ConnectionSettings =
  | { protocol: 'oidc'; issuer: string; clientId: string }
  | { protocol: 'saml'; entityId: string; ssoUrl: string; certificates: string[] };

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

const configError = (message: string) => new AppError('INVALID_INPUT', message, { fieldErrors: { config: [message] } });

/** A PEM certificate from PEM or bare base64 (as metadata and IdP consoles give it); refused unless it parses. */
export function certificatePem(text: string): string {
  const body = text
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '')
    .trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw configError('The certificate is not a PEM or base64 certificate.');
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    throw configError('The certificate could not be read: paste the IdP’s X.509 signing certificate.');
  }
  return pem;
}

export function describeCertificate(pem: string) {
  const certificate = new X509Certificate(pem);
  return {
    fingerprint256: certificate.fingerprint256,
    subject: certificate.subject.replace(/\n/g, ', '),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}

/** The IdP's entity id, redirect-binding sign-on URL and signing certificates from its metadata. */
function fromMetadata(xml: string, localAllowed: boolean): ConnectionSettings {
  // DOCTYPEs are where entity expansion attacks live; metadata never needs one.
  if (/<!DOCTYPE/i.test(xml)) throw configError('The metadata must not contain a DOCTYPE.');
  let document: Document;
  const problems: string[] = [];
  try {
    // xmldom carries on after an error with part of the document: every error refuses it.
    document = new DOMParser({
      errorHandler: (level: string, message: string) => {
        if (level !== 'warning') problems.push(message);
      },
    }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch {
    throw configError('The metadata is not well-formed XML.');
  }
  const root = document?.documentElement;
  if (problems.length > 0 || !root) throw configError('The metadata is not well-formed XML.');
  const entity =
    root.localName === 'EntityDescriptor' ? root : (root.getElementsByTagNameNS(MD, 'EntityDescriptor')[0] ?? null);
  const idp = entity?.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  const entityId = entity?.getAttribute('entityID')?.trim();
  if (!entity || !idp || !entityId) throw configError('This is not the metadata of a SAML identity provider.');
  const services = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService'));
  const ssoUrl = services
    .find((service) => service.getAttribute('Binding') === REDIRECT_BINDING)
    ?.getAttribute('Location');
  if (!ssoUrl) throw configError('The metadata has no SingleSignOnService with the HTTP-Redirect binding.');
  const certificates = Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))
    .filter((descriptor) => (descriptor.getAttribute('use') ?? 'signing') === 'signing')
    .flatMap((descriptor) => Array.from(descriptor.getElementsByTagNameNS(DS, 'X509Certificate')))
    .map((element) => certificatePem(element.textContent ?? ''));
  if (certificates.length === 0) throw configError('The metadata has no signing certificate.');
  return samlSettings(entityId, ssoUrl.trim(), certificates, localAllowed);
}

// Addresses an organization's owner must not point the server (or members' browsers) at.
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(network, prefix, 'ipv6');

/**
 * A connection's URLs are set by an organization's owner, not the operator: in production only
 * https to a name or a public address (loopback http, as §12 allows, only outside production).
 */
function requirePublicUrl(url: string, what: string, localAllowed: boolean) {
  if (!isHttpsOrLoopbackUrl(url)) throw configError(`${what} must be an https:// address.`);
  if (localAllowed) return;
  const { protocol, hostname } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const local =
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    (family !== 0 && PRIVATE.check(host, family === 4 ? 'ipv4' : 'ipv6'));
  if (protocol !== 'https:' || local) throw configError(`${what} must be an https:// address on the internet.`);
}

function samlSettings(
  entityId: string,
  ssoUrl: string,
  certificates: string[],
  localAllowed: boolean,
): ConnectionSettings {
  requirePublicUrl(ssoUrl, 'The IdP’s sign-on URL', localAllowed);
  return { protocol: 'saml', entityId, ssoUrl, certificates: [...new Set(certificates)] };
}

/**
 * The settings a create or update's `config` makes, checked beyond its schema (metadata,
 * certificates, where its URLs point). `localAllowed`: loopback URLs, outside production.
 */
export function settingsOf(config: SsoConfigInput, localAllowed: boolean): ConnectionSettings {
  if ('clientId' in config) {
    requirePublicUrl(config.issuer, 'The issuer', localAllowed);
    return { protocol: 'oidc', issuer: config.issuer, clientId: config.clientId };
  }
  if ('metadataXml' in config) return fromMetadata(config.metadataXml, localAllowed);
  return samlSettings(config.entityId, config.ssoUrl, [certificatePem(config.certificate)], localAllowed);
}

export const parseSettings = (text: string) => JSON.parse(text) as ConnectionSettings;
