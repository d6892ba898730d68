import { z } from 'zod';
import { OrgRoleSchema, RoleSchema } from '../roles.ts';
import { CurrentPasswordSchema } from './auth.ts';
import { InstantSchema } from './common.ts';
import { FlyerSchema } from './flyers.ts';
import { OrgSchema } from './orgs.ts';
import { PasskeySchema } from './passkeys.ts';
import { PreferencesSchema } from './preferences.ts';

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

const MaybeInstantSchema = InstantSchema.nullable();

/** What privacy.exportData answers: everything kept about the account, no secret or key material. */
export const AccountExportSchema = z.object({
  exportedAt: InstantSchema,
  user: z.object({
    id: z.string(),
    email: z.string(),
    emailVerifiedAt: MaybeInstantSchema,
    role: RoleSchema,
    mfaEnabledAt: MaybeInstantSchema,
    createdAt: MaybeInstantSchema,
    lastSignInAt: MaybeInstantSchema,
    deactivatedAt: MaybeInstantSchema,
  }),
  profile: z.object({ name: z.string(), avatarUrl: z.string().nullable(), updatedAt: MaybeInstantSchema }),
  privacy: PrivacySettingsSchema,
  preferences: PreferencesSchema,
  sessions: z.array(
    z.object({
      id: z.string(),
      createdAt: MaybeInstantSchema,
      lastUsedAt: MaybeInstantSchema,
      expiresAt: MaybeInstantSchema,
      revokedAt: MaybeInstantSchema,
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
    }),
  ),
  securityEvents: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      at: MaybeInstantSchema,
      ip: z.string().nullable(),
      userAgent: z.string().nullable(),
      provider: z.string().nullable(),
    }),
  ),
  identities: z.array(
    z.object({
      provider: z.string(),
      issuer: z.string(),
      subject: z.string(),
      email: z.string().nullable(),
      createdAt: MaybeInstantSchema,
      lastUsedAt: MaybeInstantSchema,
    }),
  ),
  passkeys: z.array(PasskeySchema.extend({ deviceType: z.string(), transports: z.array(z.string()) })),
  flyers: z.array(FlyerSchema),
  memberships: z.array(AccountMembershipSchema),
  pendingEmailChanges: z.array(
    z.object({ newEmail: z.string(), requestedAt: MaybeInstantSchema, expiresAt: MaybeInstantSchema }),
  ),
});
export type AccountExport = z.infer<typeof AccountExportSchema>;
