import { z } from 'zod';
import { LOGIN_PASSWORD_MAX_LENGTH } from '../constants.ts';
import { RoleSchema } from '../roles.ts';
import { EmailSchema, InstantSchema, TokenSchema, maxCodePoints } from './common.ts';
import { NameSchema } from './profile.ts';

/**
 * A new password: only required here. The policy (shared/password-policy.ts) answers every breach
 * of it, length included, with WEAK_PASSWORD (API.md §2); the body limit bounds what can arrive.
 */
export const NewPasswordSchema = z.string().min(1, 'Choose a password.');

export const RegisterInputSchema = z.object({
  email: EmailSchema,
  password: NewPasswordSchema,
  name: NameSchema.optional(),
});
export type RegisterInput = z.infer<typeof RegisterInputSchema>;

export const RegisterResultSchema = z.object({ status: z.literal('verification_sent') });
export type RegisterResult = z.infer<typeof RegisterResultSchema>;

/** A password the account already has: no policy, only the bound of API.md §5 (1024 code points). */
export const CurrentPasswordSchema = z
  .string()
  .min(1, 'Enter your password.')
  .max(LOGIN_PASSWORD_MAX_LENGTH * 2, `Use at most ${LOGIN_PASSWORD_MAX_LENGTH} characters.`)
  .refine(maxCodePoints(LOGIN_PASSWORD_MAX_LENGTH), `Use at most ${LOGIN_PASSWORD_MAX_LENGTH} characters.`);

export const LoginInputSchema = z.object({
  email: EmailSchema,
  password: CurrentPasswordSchema,
  /** From `/login?link=`: once this sign-in succeeds, the provider's identity is linked to the account (API.md §12). */
  linkToken: TokenSchema.optional(),
});
export type LoginInput = z.infer<typeof LoginInputSchema>;

export const ResendVerificationInputSchema = z.object({ email: EmailSchema });
export type ResendVerificationInput = z.infer<typeof ResendVerificationInputSchema>;

export const VerifyEmailInputSchema = z.object({ token: TokenSchema });
export type VerifyEmailInput = z.infer<typeof VerifyEmailInputSchema>;

export const MeSchema = z.object({
  id: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  role: RoleSchema,
  mfaEnabled: z.boolean(),
  /** False for an account made through a provider until it sets one (API.md §12). */
  hasPassword: z.boolean(),
  createdAt: InstantSchema,
  profile: z.object({ name: z.string(), avatarUrl: z.string().nullable() }),
});
export type Me = z.infer<typeof MeSchema>;

export const AuthSessionSchema = z.object({
  accessToken: z.string(),
  accessTokenExpiresAt: InstantSchema,
  user: MeSchema,
});
export type AuthSession = z.infer<typeof AuthSessionSchema>;

export const SignInResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed_in'), session: AuthSessionSchema }),
  z.object({ status: z.literal('mfa_required'), mfaToken: z.string() }),
]);
export type SignInResult = z.infer<typeof SignInResultSchema>;

export const AcceptInvitationInputSchema = z.object({
  token: TokenSchema,
  password: NewPasswordSchema,
  name: NameSchema.optional(),
});
export type AcceptInvitationInput = z.infer<typeof AcceptInvitationInputSchema>;
