import { createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';

/** Whose word an address is confirmed on (API.md §12): each preset has its own rule. */
export type EmailTrust = 'google' | 'microsoft' | 'apple' | 'claimed' | 'never';

export type OidcProviderConfig = {
  kind: 'oidc';
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  /** Apple's is not a setting: it is a JWT we sign with `appleKey` (server/modules/identities/apple-secret.ts). */
  clientSecret?: string;
  appleKey?: { teamId: string; keyId: string; privateKeyPem: string };
  scopes: string[];
  /** Apple answers with a cross-site POST to the callback. */
  responseMode?: 'form_post';
  emailTrust: EmailTrust;
};

export type GithubProviderConfig = {
  kind: 'oauth';
  id: 'github';
  name: 'GitHub';
  clientId: string;
  clientSecret: string;
  /** Where the authorize and token endpoints are, and the REST API (test settings: GITHUB_BASE_URL, GITHUB_API_URL). */
  baseUrl: string;
  apiUrl: string;
};

export type ProviderConfig = OidcProviderConfig | GithubProviderConfig;

export const OIDC_SCOPES = ['openid', 'email', 'profile'];

/** https, except on loopback addresses: local development and tests (API.md §12). */
export function isAllowedProviderUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

// The schema's own messages start with the field's name; zod's built-in ones do not.
const issueText = (field: string, message: string) => (message.startsWith(field) ? message : `${field}: ${message}`);

const GenericProviderSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'id must be 1 to 32 lower-case letters, digits or dashes'),
  name: z.string().trim().min(1, 'name must not be empty').max(40, 'name must be at most 40 characters'),
  issuer: z.string().refine(isAllowedProviderUrl, 'issuer must be an https URL (http only on a loopback address)'),
  clientId: z.string().min(1, 'clientId must not be empty'),
  clientSecret: z.string().min(1, 'clientSecret must not be empty'),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'scopes must be scope tokens')).optional(),
  trustEmail: z.boolean().optional(),
});

type Env = Record<string, string | undefined>;

/** The variables that hold secrets: a problem line never shows their values. */
export const PROVIDER_SECRET_VARIABLES = [
  'GOOGLE_CLIENT_SECRET',
  'MICROSOFT_CLIENT_SECRET',
  'APPLE_PRIVATE_KEY',
  'GITHUB_CLIENT_SECRET',
  'OIDC_PROVIDERS',
];

/** Names the variables of a group that are missing once any of it is set ("half-configured"). */
function missingOf(env: Env, names: string[]): string[] | null {
  const set = names.filter((name) => env[name]);
  if (set.length === 0) return null;
  return names.filter((name) => !env[name]);
}

function urlSetting(env: Env, name: string, fallback: string, problems: string[]): string {
  const value = env[name] ?? fallback;
  if (!isAllowedProviderUrl(value)) {
    problems.push(`${name}=${JSON.stringify(value)}: must be an https URL (http only on a loopback address)`);
  }
  return value;
}

function applePrivateKey(text: string, problems: string[]): string {
  // A PEM pasted into one line of an .env file has its line breaks written as \n.
  const pem = text.replace(/\\n/g, '\n');
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return pem;
  } catch {
    // reported below
  }
  problems.push('APPLE_PRIVATE_KEY: must be the P-256 private key (.p8 file, PEM) Apple gave for Sign in with Apple');
  return pem;
}

/**
 * The enabled providers (API.md §12), in the order the SPA shows them. A half-configured provider
 * or a bad entry is one line in `problems`.
 */
export function parseProviders(env: Env, problems: string[]): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  const half = (label: string, names: string[]) => {
    const missing = missingOf(env, names);
    if (missing && missing.length > 0) {
      problems.push(
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: ${label} sign-in needs ${names.join(', ')}`,
      );
    }
    return missing !== null && missing.length === 0;
  };

  if (half('Google', ['GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET'])) {
    providers.push({
      kind: 'oidc',
      id: 'google',
      name: 'Google',
      issuer: urlSetting(env, 'GOOGLE_ISSUER', 'https://accounts.google.com', problems),
      clientId: env.GOOGLE_CLIENT_ID!,
      clientSecret: env.GOOGLE_CLIENT_SECRET!,
      scopes: OIDC_SCOPES,
      emailTrust: 'google',
    });
  }
  if (half('Microsoft', ['MICROSOFT_CLIENT_ID', 'MICROSOFT_CLIENT_SECRET'])) {
    const tenant = env.MICROSOFT_TENANT ?? 'common';
    if (!/^[A-Za-z0-9.-]{1,100}$/.test(tenant)) {
      problems.push(
        `MICROSOFT_TENANT=${JSON.stringify(tenant)}: must be common, organizations, consumers, a tenant id or a domain`,
      );
    }
    providers.push({
      kind: 'oidc',
      id: 'microsoft',
      name: 'Microsoft',
      issuer: urlSetting(env, 'MICROSOFT_ISSUER', `https://login.microsoftonline.com/${tenant}/v2.0`, problems),
      clientId: env.MICROSOFT_CLIENT_ID!,
      clientSecret: env.MICROSOFT_CLIENT_SECRET!,
      scopes: OIDC_SCOPES,
      emailTrust: 'microsoft',
    });
  }
  if (half('Apple', ['APPLE_CLIENT_ID', 'APPLE_TEAM_ID', 'APPLE_KEY_ID', 'APPLE_PRIVATE_KEY'])) {
    providers.push({
      kind: 'oidc',
      id: 'apple',
      name: 'Apple',
      issuer: urlSetting(env, 'APPLE_ISSUER', 'https://appleid.apple.com', problems),
      clientId: env.APPLE_CLIENT_ID!,
      appleKey: {
        teamId: env.APPLE_TEAM_ID!,
        keyId: env.APPLE_KEY_ID!,
        privateKeyPem: applePrivateKey(env.APPLE_PRIVATE_KEY!, problems),
      },
      // Apple has no profile scope; it sends the name once, in the form post.
      scopes: ['openid', 'email', 'name'],
      responseMode: 'form_post',
      emailTrust: 'apple',
    });
  }
  if (half('GitHub', ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'])) {
    providers.push({
      kind: 'oauth',
      id: 'github',
      name: 'GitHub',
      clientId: env.GITHUB_CLIENT_ID!,
      clientSecret: env.GITHUB_CLIENT_SECRET!,
      baseUrl: urlSetting(env, 'GITHUB_BASE_URL', 'https://github.com', problems),
      apiUrl: urlSetting(env, 'GITHUB_API_URL', 'https://api.github.com', problems),
    });
  }
  if (env.OIDC_PROVIDERS) providers.push(...parseGenericProviders(env.OIDC_PROVIDERS, providers, problems));
  return providers;
}

function parseGenericProviders(text: string, presets: ProviderConfig[], problems: string[]): OidcProviderConfig[] {
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    problems.push(
      'OIDC_PROVIDERS: must be a JSON array of {id, name, issuer, clientId, clientSecret, scopes?, trustEmail?}',
    );
    return [];
  }
  if (!Array.isArray(entries)) {
    problems.push(
      'OIDC_PROVIDERS: must be a JSON array of {id, name, issuer, clientId, clientSecret, scopes?, trustEmail?}',
    );
    return [];
  }
  const taken = new Set(['google', 'microsoft', 'apple', 'github', ...presets.map((provider) => provider.id)]);
  const providers: OidcProviderConfig[] = [];
  entries.forEach((entry, index) => {
    const parsed = GenericProviderSchema.safeParse(entry);
    if (!parsed.success) {
      // The entry is never echoed: it holds a client secret.
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? 'entry');
        const missing =
          issue.code === 'invalid_type' && (entry as Record<string, unknown> | null)?.[field] === undefined;
        problems.push(
          `OIDC_PROVIDERS[${index}]: ${missing ? `${field} must be set` : issueText(field, issue.message)}`,
        );
      }
      return;
    }
    const provider = parsed.data;
    if (taken.has(provider.id)) {
      problems.push(`OIDC_PROVIDERS[${index}]: the id "${provider.id}" is taken by another provider`);
      return;
    }
    taken.add(provider.id);
    const scopes = provider.scopes ?? OIDC_SCOPES;
    providers.push({
      kind: 'oidc',
      id: provider.id,
      name: provider.name,
      issuer: provider.issuer,
      clientId: provider.clientId,
      clientSecret: provider.clientSecret,
      scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
      emailTrust: provider.trustEmail ? 'claimed' : 'never',
    });
  });
  return providers;
}

/** The name the SPA shows for a provider id (its id when it is no longer configured). */
export function providerNameOf(providers: ProviderConfig[], id: string): string {
  return providers.find((provider) => provider.id === id)?.name ?? id;
}
