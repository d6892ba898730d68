import { z } from 'zod';
import { OrgRoleSchema } from '../roles.ts';
import { CurrentPasswordSchema } from './auth.ts';
import { InstantSchema } from './common.ts';
import { OrgSchema } from './orgs.ts';

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

/** An organization the account is in, as the data export and the admin console show it. */
export const AccountMembershipSchema = z.object({
  org: OrgSchema.pick({ id: true, name: true, slug: true }),
  role: OrgRoleSchema,
  joinedAt: InstantSchema,
});
export type AccountMembership = z.infer<typeof AccountMembershipSchema>;
