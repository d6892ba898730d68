import { z } from 'zod';
import { TokenSchema } from './common.ts';

/** A 6-digit TOTP code. */
export const TotpCodeSchema = z
  .string()
  .transform((value) => value.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your app.'));

/** A TOTP code or a recovery code ("k7mwq-4hx2p"), as typed. */
export const SecondFactorCodeSchema = z
  .string()
  .max(40, 'Enter a 6-digit code or a recovery code.')
  .transform((value) => value.trim())
  .refine(
    (value) => /^\d{3}\s?\d{3}$/.test(value) || /^[a-z0-9]{5}[\s-]?[a-z0-9]{5}$/i.test(value),
    'Enter a 6-digit code or a recovery code.',
  );

export const MfaSetupSchema = z.object({ secret: z.string(), otpauthUri: z.string() });
export type MfaSetup = z.infer<typeof MfaSetupSchema>;

export const MfaEnableInputSchema = z.object({ code: TotpCodeSchema });
export type MfaEnableInput = z.infer<typeof MfaEnableInputSchema>;

export const VerifyMfaInputSchema = z.object({
  mfaToken: TokenSchema,
  code: SecondFactorCodeSchema,
  /** The `/login?link=` token of a password sign-in that asked for the code. */
  linkToken: TokenSchema.optional(),
});
export type VerifyMfaInput = z.infer<typeof VerifyMfaInputSchema>;

export const RecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodes = z.infer<typeof RecoveryCodesSchema>;
