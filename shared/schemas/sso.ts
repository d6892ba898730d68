import { z } from 'zod';
import {
  SSO_CERTIFICATE_MAX_LENGTH,
  SSO_CONNECTION_NAME_MAX_LENGTH,
  SSO_DOMAINS_PER_CONNECTION_MAX,
  SSO_METADATA_MAX_LENGTH,
} from '../constants.ts';
import { EmailSchema, IdSchema, InstantSchema, maxCodePoints } from './common.ts';

export const SSO_PROTOCOLS = ['oidc', 'saml'] as const;
export const SsoProtocolSchema = z.enum(SSO_PROTOCOLS);
export type SsoProtocol = z.infer<typeof SsoProtocolSchema>;

/** Who a first SSO sign-in makes a member as: never an owner (ownership is given by an owner). */
export const SsoDefaultRoleSchema = z.enum(['member', 'admin']);

const LOOPBACK_HOST = /^(localhost|\[::1\]|127(\.\d{1,3}){3})$/;

/** https, or http on a loopback address (local development and tests), as for §12's providers. */
export function isHttpsOrLoopbackUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOST.test(url.hostname));
}

const HttpsUrlSchema = z
  .string()
  .trim()
  .max(2048, 'Use at most 2048 characters.')
  .refine(isHttpsOrLoopbackUrl, 'Enter an https:// address.');

const LABEL = '(?!-)[a-z0-9-]{1,63}(?<!-)';
const DOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})+$`);

/** A DNS name as people type it: lower-cased, without a trailing dot; internationalized names in their xn-- form. */
export const DomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value) => value.replace(/\.$/, ''))
  .pipe(
    z
      .string()
      .min(1, 'Enter a domain, like example.com.')
      .max(253, 'A domain has at most 253 characters.')
      .refine((value) => DOMAIN.test(value) && !/^\d+$/.test(value.split('.').at(-1)!), {
        message: 'Enter a domain, like example.com.',
      }),
  );

export const SsoDomainsSchema = z
  .array(DomainSchema)
  .max(SSO_DOMAINS_PER_CONNECTION_MAX, `At most ${SSO_DOMAINS_PER_CONNECTION_MAX} domains.`)
  .transform((domains) => [...new Set(domains)]);

const ConnectionNameSchema = z
  .string()
  .max(SSO_CONNECTION_NAME_MAX_LENGTH * 4, `Use at most ${SSO_CONNECTION_NAME_MAX_LENGTH} characters.`)
  .transform((value) => value.trim().normalize('NFC'))
  .pipe(
    z
      .string()
      .min(1, 'Give the connection a name, like "Okta".')
      .refine(
        maxCodePoints(SSO_CONNECTION_NAME_MAX_LENGTH),
        `Use at most ${SSO_CONNECTION_NAME_MAX_LENGTH} characters.`,
      )
      .refine((value) => !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(value), 'Remove control characters.'),
  );

export const OidcConfigInputSchema = z
  .object({
    issuer: HttpsUrlSchema,
    clientId: z.string().trim().min(1, 'Enter the client id.').max(255, 'Use at most 255 characters.'),
    clientSecret: z.string().min(1, 'Enter the client secret.').max(1024, 'Use at most 1024 characters.'),
  })
  .strict();

/** SAML 2.0 from the IdP's metadata document, or from its three values typed in. */
export const SamlMetadataConfigSchema = z
  .object({
    metadataXml: z
      .string()
      .min(1, 'Paste the identity provider’s metadata XML.')
      .max(SSO_METADATA_MAX_LENGTH, 'This metadata is too long.'),
  })
  .strict();

export const SamlFieldsConfigSchema = z
  .object({
    entityId: z.string().trim().min(1, 'Enter the IdP entity id.').max(1024, 'Use at most 1024 characters.'),
    ssoUrl: HttpsUrlSchema,
    certificate: z
      .string()
      .trim()
      .min(1, 'Paste the IdP’s signing certificate.')
      .max(SSO_CERTIFICATE_MAX_LENGTH, 'This certificate is too long.'),
  })
  .strict();

const ConfigInputSchema = z.union([OidcConfigInputSchema, SamlMetadataConfigSchema, SamlFieldsConfigSchema]);
/** On update an OpenID Connect secret left out is kept. */
const ConfigUpdateSchema = z.union([
  OidcConfigInputSchema.extend({ clientSecret: OidcConfigInputSchema.shape.clientSecret.optional() }).strict(),
  SamlMetadataConfigSchema,
  SamlFieldsConfigSchema,
]);

const protocolOfConfig = (config: object): SsoProtocol => ('clientId' in config ? 'oidc' : 'saml');

function configMatchesProtocol(value: { protocol?: SsoProtocol; config?: object }, ctx: z.RefinementCtx) {
  if (value.protocol && value.config && protocolOfConfig(value.config) !== value.protocol) {
    ctx.addIssue({
      code: 'custom',
      path: ['config'],
      message:
        value.protocol === 'oidc'
          ? 'An OpenID Connect connection needs {issuer, clientId, clientSecret}.'
          : 'A SAML connection needs {metadataXml} or {entityId, ssoUrl, certificate}.',
    });
  }
}

export const SsoConnectionCreateInputSchema = z
  .object({
    protocol: SsoProtocolSchema,
    name: ConnectionNameSchema,
    domains: SsoDomainsSchema,
    defaultRole: SsoDefaultRoleSchema.default('member'),
    config: ConfigInputSchema,
  })
  .superRefine(configMatchesProtocol);
export type SsoConnectionCreateInput = z.infer<typeof SsoConnectionCreateInputSchema>;

export const SsoConnectionIdInputSchema = z.object({ connectionId: IdSchema });

export const SsoConnectionUpdateInputSchema = z.object({
  connectionId: IdSchema,
  name: ConnectionNameSchema.optional(),
  domains: SsoDomainsSchema.optional(),
  defaultRole: SsoDefaultRoleSchema.optional(),
  /** Password sign-in refused for the connection's verified domains, owners excepted. */
  required: z.boolean().optional(),
  config: ConfigUpdateSchema.optional(),
});
export type SsoConnectionUpdateInput = z.infer<typeof SsoConnectionUpdateInputSchema>;
export type SsoConfigInput = z.infer<typeof ConfigUpdateSchema>;

const CertificateSummarySchema = z.object({ fingerprint256: z.string(), subject: z.string(), notAfter: InstantSchema });

/** A connection as its owners see it: nothing secret (a client secret is sealed and never returned). */
export const SsoConnectionSchema = z.object({
  id: z.string(),
  protocol: SsoProtocolSchema,
  name: z.string(),
  domains: z.array(z.string()),
  defaultRole: SsoDefaultRoleSchema,
  required: z.boolean(),
  createdAt: InstantSchema,
  updatedAt: InstantSchema,
  /** Where "test sign-in" and "Continue with SSO" go. */
  startUrl: z.string(),
  oidc: z.object({ issuer: z.string(), clientId: z.string(), redirectUrl: z.string() }).nullable(),
  saml: z
    .object({
      idpEntityId: z.string(),
      ssoUrl: z.string(),
      certificates: z.array(CertificateSummarySchema),
      /** Ours, to give the IdP: the entity id is the metadata URL. */
      spEntityId: z.string(),
      metadataUrl: z.string(),
      acsUrl: z.string(),
    })
    .nullable(),
});
export type SsoConnection = z.infer<typeof SsoConnectionSchema>;

export const SsoDomainInputSchema = z.object({ domain: DomainSchema });

export const DomainChallengeSchema = z.object({ recordName: z.string(), recordValue: z.string() });
export type DomainChallenge = z.infer<typeof DomainChallengeSchema>;

export const SsoDomainSchema = DomainChallengeSchema.extend({
  domain: z.string(),
  verifiedAt: InstantSchema.nullable(),
});
export type SsoDomain = z.infer<typeof SsoDomainSchema>;

export const SsoDiscoverInputSchema = z.object({ email: EmailSchema });
export const SsoDiscoverResultSchema = z.object({ connectionId: z.string(), name: z.string() }).nullable();
export type SsoDiscoverResult = z.infer<typeof SsoDiscoverResultSchema>;

export const AdminVerifyDomainInputSchema = z.object({ orgId: IdSchema, domain: DomainSchema });
