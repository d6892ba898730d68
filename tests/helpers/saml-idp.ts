import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { readBody } from './request-body.ts';

/**
 * A local SAML 2.0 identity provider on 127.0.0.1, for the enterprise SSO tests (API.md §15). It
 * answers SP-initiated AuthnRequests (HTTP-Redirect or HTTP-POST binding) with a signed Response
 * posted back to the ACS by an auto-submitting page, and builds deliberately broken responses
 * (`buildResponse`) for the attack tests: unsigned, signed by another certificate, wrapped,
 * wrong audience/recipient/destination/issuer, outside its validity, for an unknown request.
 * Signatures are real (xml-crypto, RSA-SHA256, exclusive c14n), so the server's SAML library
 * judges them exactly as it would an IdP's.
 */

export type SamlUser = { email: string; nameId?: string; name?: string; firstName?: string; lastName?: string };

/** What the IdP read from an AuthnRequest (oldest first in `idp.requests`). */
export type AuthnRequestInfo = {
  id: string;
  acsUrl: string | undefined;
  /** The SP's entity id (the request's Issuer). */
  issuer: string | undefined;
  relayState: string | undefined;
  binding: 'redirect' | 'post';
  xml: string;
};

export type WrapVariant = 'sibling' | 'extensions' | 'moved-signature';

export type ResponseOptions = {
  inResponseTo?: string;
  /** No InResponseTo anywhere (Response and SubjectConfirmationData), as an IdP-initiated response. */
  omitInResponseTo?: boolean;
  /** Response/@Destination; default the ACS URL. */
  destination?: string;
  /** SubjectConfirmationData/@Recipient; default the ACS URL. */
  recipient?: string;
  /** Bearer SubjectConfirmations before the usual one (each without InResponseTo unless given). */
  confirmationsBefore?: { recipient: string; inResponseTo?: string }[];
  audience?: string;
  /** Issuer of the Response and the Assertion; default the IdP's entity id. */
  issuer?: string;
  email?: string;
  nameId?: string;
  nameIdFormat?: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  /** Merged over the default attributes (email twice, displayName, givenName, surname); null removes one. */
  attributes?: Record<string, string | string[] | null>;
  /** Conditions and (NotOnOrAfter only) SubjectConfirmationData; default now - 1 min and now + 5 min. */
  notBefore?: Date;
  notOnOrAfter?: Date;
  issueInstant?: Date;
  assertionId?: string;
  /** Top-level StatusCode; default Success. */
  status?: string;
  /** Default 'response'; 'assertion' when `wrap` is set (a wrap needs a signed assertion to wrap). */
  sign?: 'response' | 'assertion' | 'both' | 'none';
  signWith?: 'idp' | 'other';
  /**
   * XML signature wrapping: the validly signed assertion (for `email`) plus an unsigned assertion
   * for `wrapEmail`. 'sibling' (or true): the evil assertion first, then the signed one, both
   * children of the Response. 'extensions': the signed assertion hidden in samlp:Extensions, the evil
   * one in its place. 'moved-signature': as 'extensions', but the evil assertion carries the
   * original's Signature (whose digest still matches the hidden original).
   */
  wrap?: boolean | WrapVariant;
  wrapEmail?: string;
};

export type BuildResponseOptions = ResponseOptions & { acsUrl: string; audience: string };

export type SamlIdp = {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The IdP's entity id: its metadata URL, `${url}/metadata`. */
  entityId: string;
  /** SingleSignOnService for both bindings: `${url}/sso`. */
  ssoUrl: string;
  certificatePem: string;
  /** An unrelated certificate (the key of `signWith: 'other'`). */
  otherCertificatePem: string;
  /** EntityDescriptor with IDPSSODescriptor (also served at GET entityId). */
  metadataXml: string;
  requests: AuthnRequestInfo[];
  /** Every SAMLResponse the SSO endpoint answered with (base64), oldest first: for replay tests. */
  responses: string[];
  /** The user the SSO endpoint signs in as; null: it answers 403. */
  setUser(user: SamlUser | null): void;
  /** Options applied to every response of the SSO endpoint from now on (null: none). */
  setOverrides(overrides: ResponseOptions | null): void;
  /** The base64 SAMLResponse answering `request` as the current user, with `overrides`. */
  respond(request: AuthnRequestInfo, overrides?: ResponseOptions): string;
  buildResponse(options: BuildResponseOptions): string;
  close(): Promise<void>;
};

const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
};
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';

// --- A self-signed X.509 certificate, DER by hand (Node can parse certificates but not make them).

const derLength = (length: number): Buffer => {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
const der = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};
const SHA256_WITH_RSA = der(0x30, Buffer.from('06092a864886f70d01010b', 'hex'), Buffer.from('0500', 'hex'));
const commonName = (cn: string) =>
  der(0x30, der(0x31, der(0x30, Buffer.from('0603550403', 'hex'), der(0x0c, Buffer.from(cn, 'utf8')))));
// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
const derTime = (date: Date): Buffer => {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2))) : der(0x18, Buffer.from(iso));
};

export function selfSignedCertificate(privateKey: KeyObject, publicKey: KeyObject, cn: string): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x3f) | 0x40; // positive, and minimal DER (no leading zero octet)
  const now = Date.now();
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))), // [0] version v3
    der(0x02, serial),
    SHA256_WITH_RSA,
    commonName(cn), // issuer = subject: self-signed
    der(0x30, derTime(new Date(now - 86_400_000)), derTime(new Date(now + 10 * 365 * 86_400_000))),
    commonName(cn),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = der(0x30, tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0]), signature));
  const lines = certificate
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}

const keyAndCertificate = (cn: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, certificatePem: selfSignedCertificate(privateKey, publicKey, cn) };
};

// --- XML

const escape = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const newId = () => '_' + randomBytes(16).toString('hex');
const certificateBody = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
const parseXml = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
const serialize = (node: Element) => new XMLSerializer().serializeToString(node);

/** Enveloped RSA-SHA256 signature of the element named `localName`, placed after its Issuer (SAML schema order). */
function signElement(
  xml: string,
  localName: 'Assertion' | 'Response',
  key: { privateKey: KeyObject; certificatePem: string },
) {
  const element = localName === 'Response' ? "/*[local-name(.)='Response']" : "//*[local-name(.)='Assertion']";
  const signer = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.certificatePem, // KeyInfo/X509Data/X509Certificate
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signer.addReference({
    xpath: element,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${element}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

type Key = { privateKey: KeyObject; certificatePem: string };

function assertionXml(o: BuildResponseOptions & { id: string; email: string; issuer: string }): string {
  const now = Date.now();
  const instant = (o.issueInstant ?? new Date(now)).toISOString();
  const notBefore = (o.notBefore ?? new Date(now - 60_000)).toISOString();
  const notOnOrAfter = (o.notOnOrAfter ?? new Date(now + 5 * 60_000)).toISOString();
  const inResponseTo = o.inResponseTo && !o.omitInResponseTo ? ` InResponseTo="${escape(o.inResponseTo)}"` : '';
  const attributes: Record<string, string | string[] | null | undefined> = {
    email: o.email,
    [EMAIL_CLAIM]: o.email,
    displayName: o.name,
    givenName: o.firstName,
    surname: o.lastName,
    ...o.attributes,
  };
  const attributeXml = Object.entries(attributes)
    .filter((entry): entry is [string, string | string[]] => entry[1] != null)
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${escape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:${name.includes(':') ? 'uri' : 'basic'}">` +
        [values]
          .flat()
          .map((value) => `<saml:AttributeValue xsi:type="xs:string">${escape(value)}</saml:AttributeValue>`)
          .join('') +
        '</saml:Attribute>',
    )
    .join('');
  return (
    `<saml:Assertion xmlns:saml="${NS.assertion}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${escape(o.id)}" Version="2.0" IssueInstant="${instant}">` +
    `<saml:Issuer>${escape(o.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${escape(o.nameIdFormat ?? EMAIL_FORMAT)}">${escape(o.nameId ?? o.email)}</saml:NameID>` +
    (o.confirmationsBefore ?? [])
      .map(
        (extra) =>
          `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData` +
          (extra.inResponseTo ? ` InResponseTo="${escape(extra.inResponseTo)}"` : '') +
          ` NotOnOrAfter="${notOnOrAfter}" Recipient="${escape(extra.recipient)}"/></saml:SubjectConfirmation>`,
      )
      .join('') +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${notOnOrAfter}" Recipient="${escape(o.recipient ?? o.acsUrl)}"/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}">` +
    `<saml:AudienceRestriction><saml:Audience>${escape(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${instant}" SessionIndex="${newId()}"><saml:AuthnContext>` +
    `<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>` +
    `</saml:AuthnContext></saml:AuthnStatement>` +
    (attributeXml ? `<saml:AttributeStatement>${attributeXml}</saml:AttributeStatement>` : '') +
    `</saml:Assertion>`
  );
}

function buildResponseXml(o: BuildResponseOptions & { email: string; issuer: string }, idp: Key, other: Key): string {
  const key = o.signWith === 'other' ? other : idp;
  const wrap: WrapVariant | undefined = o.wrap === true ? 'sibling' : o.wrap || undefined;
  const signMode = o.sign ?? (wrap ? 'assertion' : 'response');
  if (wrap && signMode !== 'assertion') throw new Error('wrap needs sign: "assertion" (a signed assertion to wrap)');

  let assertion = assertionXml({ ...o, id: o.assertionId ?? newId() });
  if (signMode === 'assertion' || signMode === 'both') assertion = signElement(assertion, 'Assertion', key);

  let extensions = '';
  if (wrap) {
    const evilEmail = o.wrapEmail ?? 'attacker@evil.example';
    const evil = parseXml(assertionXml({ ...o, id: newId(), email: evilEmail, nameId: evilEmail })).documentElement!;
    const signed = parseXml(assertion).documentElement!;
    if (wrap === 'sibling') {
      assertion = serialize(evil) + serialize(signed);
    } else {
      if (wrap === 'moved-signature') {
        const signature = signed.getElementsByTagNameNS(NS.dsig, 'Signature')[0]!;
        signed.removeChild(signature);
        evil.insertBefore(signature, evil.getElementsByTagNameNS(NS.assertion, 'Issuer')[0]!.nextSibling);
      }
      extensions = `<samlp:Extensions>${serialize(signed)}</samlp:Extensions>`;
      assertion = serialize(evil);
    }
  }

  const inResponseTo = o.inResponseTo && !o.omitInResponseTo ? ` InResponseTo="${escape(o.inResponseTo)}"` : '';
  const response =
    `<samlp:Response xmlns:samlp="${NS.protocol}" xmlns:saml="${NS.assertion}" ID="${newId()}" Version="2.0"` +
    ` IssueInstant="${(o.issueInstant ?? new Date()).toISOString()}" Destination="${escape(o.destination ?? o.acsUrl)}"${inResponseTo}>` +
    `<saml:Issuer>${escape(o.issuer)}</saml:Issuer>${extensions}` +
    `<samlp:Status><samlp:StatusCode Value="${escape(o.status ?? SUCCESS)}"/></samlp:Status>${assertion}</samlp:Response>`;
  return signMode === 'response' || signMode === 'both' ? signElement(response, 'Response', key) : response;
}

function parseAuthnRequest(xml: string, binding: AuthnRequestInfo['binding'], relayState: string | undefined) {
  const root = parseXml(xml).documentElement;
  if (!root || root.localName !== 'AuthnRequest' || root.namespaceURI !== NS.protocol)
    throw new Error('not an AuthnRequest');
  const id = root.getAttribute('ID');
  if (!id) throw new Error('AuthnRequest without ID');
  const issuer = root.getElementsByTagNameNS(NS.assertion, 'Issuer')[0]?.textContent ?? undefined;
  return {
    id,
    acsUrl: root.getAttribute('AssertionConsumerServiceURL') || undefined,
    issuer,
    relayState,
    binding,
    xml,
  };
}

const page = (status: number, title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>` +
  `<body><h1>${escape(title)}</h1>${body}</body></html>`;

export async function startSamlIdp(
  options: {
    user?: SamlUser;
    /** false: the page waits for "Continue" (a browser test can look at it first). */
    autoSubmit?: boolean;
    /** The ACS URL when an AuthnRequest names none. */
    acsUrl?: string;
  } = {},
): Promise<SamlIdp> {
  const idpKey = keyAndCertificate('Latchkey test IdP');
  const otherKey = keyAndCertificate('Someone else');
  let user = options.user ?? null;
  let overrides: ResponseOptions | null = null;
  const requests: AuthnRequestInfo[] = [];
  const responses: string[] = [];

  const buildResponse = (o: BuildResponseOptions) => {
    const email = o.email ?? user?.email ?? 'user@example.com';
    const xml = buildResponseXml({ ...o, email, issuer: o.issuer ?? entityId }, idpKey, otherKey);
    return Buffer.from(xml, 'utf8').toString('base64');
  };

  const respond = (request: AuthnRequestInfo, extra: ResponseOptions = {}) => {
    const acsUrl = request.acsUrl ?? options.acsUrl;
    if (!acsUrl || !request.issuer) throw new Error('AuthnRequest without ACS URL or Issuer');
    return buildResponse({
      acsUrl,
      audience: request.issuer,
      inResponseTo: request.id,
      email: user?.email,
      nameId: user?.nameId,
      name: user?.name,
      firstName: user?.firstName,
      lastName: user?.lastName,
      ...extra,
    });
  };

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
      response.end(body);
    };
    try {
      if (request.method === 'GET' && url.pathname === '/metadata')
        return send(200, 'application/samlmetadata+xml', metadataXml);
      if (url.pathname !== '/sso') return send(404, 'text/plain', 'not found');

      let authn: AuthnRequestInfo;
      if (request.method === 'GET') {
        // HTTP-Redirect binding: base64 of the raw-deflated XML (SAML bindings §3.4.4.1).
        const samlRequest = url.searchParams.get('SAMLRequest');
        if (!samlRequest) return send(400, 'text/html', page(400, 'No SAMLRequest', ''));
        const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
        authn = parseAuthnRequest(xml, 'redirect', url.searchParams.get('RelayState') ?? undefined);
      } else if (request.method === 'POST') {
        // HTTP-POST binding: base64 of the XML, not deflated (§3.5.4).
        const form = new URLSearchParams(await readBody(request));
        const xml = Buffer.from(form.get('SAMLRequest') ?? '', 'base64').toString('utf8');
        authn = parseAuthnRequest(xml, 'post', form.get('RelayState') ?? undefined);
      } else {
        return send(405, 'text/plain', 'method not allowed');
      }
      requests.push(authn);
      if (!user) return send(403, 'text/html', page(403, 'Not signed in', '<p>No user is signed in at this IdP.</p>'));

      const samlResponse = respond(authn, overrides ?? {});
      responses.push(samlResponse);
      const acsUrl = escape(authn.acsUrl ?? options.acsUrl ?? '');
      const relay =
        authn.relayState == null ? '' : `<input type="hidden" name="RelayState" value="${escape(authn.relayState)}">`;
      const script = options.autoSubmit === false ? '' : '<script>document.forms[0].submit()</script>';
      send(
        200,
        'text/html',
        page(
          200,
          'Signing in',
          `<form method="post" action="${acsUrl}"><input type="hidden" name="SAMLResponse" value="${samlResponse}">${relay}` +
            `<p>Signing in as ${escape(user.email)}.</p><button type="submit">Continue</button></form>${script}`,
        ),
      );
    } catch (error) {
      send(400, 'text/html', page(400, 'Bad SAML request', `<p>${escape(String(error))}</p>`));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${url}/metadata`;
  const ssoUrl = `${url}/sso`;
  const metadataXml =
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<md:EntityDescriptor xmlns:md="${NS.metadata}" xmlns:ds="${NS.dsig}" entityID="${escape(entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${NS.protocol}">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(idpKey.certificatePem)}` +
    `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>${EMAIL_FORMAT}</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${escape(ssoUrl)}"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escape(ssoUrl)}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`;

  return {
    url,
    entityId,
    ssoUrl,
    certificatePem: idpKey.certificatePem,
    otherCertificatePem: otherKey.certificatePem,
    metadataXml,
    requests,
    responses,
    setUser: (next) => void (user = next),
    setOverrides: (next) => void (overrides = next),
    respond,
    buildResponse,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a browser's keep-alive connection would hold close() open
      }),
  };
}
