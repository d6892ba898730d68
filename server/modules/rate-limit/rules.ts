import { ORG_INVITATIONS_PER_DAY } from '#shared/constants.ts';
import type { RateLimitRule } from './rate-limit.ts';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// API.md §6. Every limit in one place, so the longest window is known to the pruner.
export const RATE_LIMITS = {
  loginPerIp: { name: 'auth.login:ip', limit: 30, windowSeconds: 5 * MINUTE },
  /** Failures against one address (account or not) from clients not known to it. */
  loginFailuresPerAccount: { name: 'auth.login:failures', limit: 10, windowSeconds: 15 * MINUTE },
  loginFailuresPerAccountDaily: { name: 'auth.login:failures-day', limit: 40, windowSeconds: DAY },
  /** A throttle period: one hit opens it, and it lasts its window. */
  loginThrottle: { name: 'auth.login:throttle', limit: 1, windowSeconds: 15 * MINUTE },
  registerPerIp: { name: 'auth.register:ip', limit: 10, windowSeconds: HOUR },
  resendVerificationPerIp: { name: 'auth.resendVerification:ip', limit: 20, windowSeconds: HOUR },
  requestResetPerIp: { name: 'auth.password.requestReset:ip', limit: 20, windowSeconds: HOUR },
  emailChangePerIp: { name: 'auth.email.change:ip', limit: 20, windowSeconds: HOUR },
  /** Mails of one kind to one address; the sign-up mail counts as a verification mail. */
  verificationMailPerAddress: { name: 'mail:verification', limit: 3, windowSeconds: HOUR },
  accountExistsMailPerAddress: { name: 'mail:account-exists', limit: 3, windowSeconds: HOUR },
  resetMailPerAddress: { name: 'mail:reset', limit: 3, windowSeconds: HOUR },
  emailChangeMailPerAddress: { name: 'mail:email-change', limit: 3, windowSeconds: HOUR },
  mfaFailuresPerAccount: { name: 'mfa:failures', limit: 10, windowSeconds: 15 * MINUTE },
  contactPerSender: { name: 'profile.contact:sender', limit: 10, windowSeconds: DAY },
  /** Provider sign-ins started: each keeps a row for 10 minutes. */
  providerStartPerIp: { name: 'auth.oauth.start:ip', limit: 30, windowSeconds: 5 * MINUTE },
  /**
   * Sign-ins through one organization's SSO connection from one address (started, or answered at
   * the ACS): a whole office behind one address signs in on its first day (API.md §15).
   */
  ssoPerIpAndConnection: { name: 'auth.sso:ip-connection', limit: 600, windowSeconds: 5 * MINUTE },
  /** Passkey sign-in challenges asked for (each a row for 5 minutes; autofill asks again before one expires). */
  passkeyOptionsPerIp: { name: 'auth.passkeys.authenticationOptions:ip', limit: 60, windowSeconds: 5 * MINUTE },
  /** Invitations an organization sends (API.md §14), one hit per address invited. */
  orgInvitationsPerOrg: { name: 'orgs.invitations:org', limit: ORG_INVITATIONS_PER_DAY, windowSeconds: DAY },
  avatarUploadPerUser: { name: 'profile.uploadAvatar:user', limit: 20, windowSeconds: HOUR },
} as const satisfies Record<string, RateLimitRule>;

export const LONGEST_RATE_LIMIT_WINDOW_SECONDS = Math.max(
  ...Object.values(RATE_LIMITS).map((rule) => rule.windowSeconds),
);
