import { z } from 'zod';
import { IdSchema, InstantSchema, TokenSchema } from './common.ts';
import { NewPasswordSchema } from './auth.ts';

/** A sign-in provider as the SPA shows it (API.md §12): nothing secret. */
export const ProviderSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['oidc', 'oauth']),
});
export type Provider = z.infer<typeof ProviderSchema>;

/** A provider account linked to the member's. */
export const IdentitySchema = z.object({
  id: z.string(),
  /** The provider's id, as in `auth.providers`. */
  provider: z.string(),
  /** How the provider is shown: its configured name, or an organization's SSO connection's. */
  name: z.string(),
  email: z.string().nullable(),
  createdAt: InstantSchema,
  lastUsedAt: InstantSchema.nullable(),
});
export type Identity = z.infer<typeof IdentitySchema>;

export const UnlinkIdentityInputSchema = z.object({ id: IdSchema });
export type UnlinkIdentityInput = z.infer<typeof UnlinkIdentityInputSchema>;

export const LinkTicketSchema = z.object({ ticket: z.string() });
export type LinkTicket = z.infer<typeof LinkTicketSchema>;

export const PendingLinkInputSchema = z.object({ token: TokenSchema });
/** What `/login?link=` shows before the member proves the account. */
export const PendingLinkSchema = z.object({ providerName: z.string(), email: z.string() });
export type PendingLink = z.infer<typeof PendingLinkSchema>;

export const SetPasswordInputSchema = z.object({ newPassword: NewPasswordSchema });
export type SetPasswordInput = z.infer<typeof SetPasswordInputSchema>;

/**
 * The `error` of a failed provider sign-in's redirect (`/login?error=`, or `/settings/security?error=`
 * for a link), each with the words the page shows.
 */
export const PROVIDER_ERRORS = {
  access_denied: 'The sign-in was cancelled at the provider. Nothing was changed.',
  invalid_state: 'That sign-in link expired or was opened in another browser. Please try again.',
  email_not_verified:
    'Your email address is not confirmed. Open the confirmation link we emailed you, or sign up with your email instead.',
  REGISTRATION_CLOSED: 'Sign-up is by invitation only. Ask an administrator for an invitation.',
  ACCOUNT_DISABLED: 'This account has been disabled.',
  provider_error: 'The provider could not sign you in. Please try again later.',
  identity_in_use: 'That provider account is already linked to another Latchkey account.',
  RATE_LIMITED: 'Too many sign-in attempts from your network. Try again in a few minutes.',
} as const;
export type ProviderError = keyof typeof PROVIDER_ERRORS;

/** The start of a provider sign-in or link: the browser goes here, the server redirects to the provider. */
export const providerStartPath = (providerId: string) => `/auth/oauth/${encodeURIComponent(providerId)}/start`;
