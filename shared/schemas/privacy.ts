import { z } from 'zod';
import { CurrentPasswordSchema } from './auth.ts';

export const PrivacySettingsSchema = z.object({ allowEmailContact: z.boolean() });
export type PrivacySettings = z.infer<typeof PrivacySettingsSchema>;

export const PrivacyUpdateInputSchema = PrivacySettingsSchema.partial().strict();
export type PrivacyUpdateInput = z.infer<typeof PrivacyUpdateInputSchema>;

export const DeleteAccountInputSchema = z.object({
  password: CurrentPasswordSchema,
  /** Required when two-factor codes are on: a TOTP code or a recovery code. */
  code: z.string().max(40).optional(),
});
export type DeleteAccountInput = z.infer<typeof DeleteAccountInputSchema>;
