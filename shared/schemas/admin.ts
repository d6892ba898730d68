import { z } from 'zod';
import { RoleSchema } from '../roles.ts';
import { EmailSchema, IdSchema, InstantSchema, STORABLE_TEXT_MESSAGE, isStorableText } from './common.ts';

export const AdminUsersListInputSchema = z
  .object({
    query: z
      .string()
      .trim()
      .max(200, 'Use at most 200 characters.')
      .refine(isStorableText, STORABLE_TEXT_MESSAGE)
      .optional(),
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .optional();
export type AdminUsersListInput = z.infer<typeof AdminUsersListInputSchema>;

export const AdminUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  disabled: z.boolean(),
  emailVerified: z.boolean(),
  mfaEnabled: z.boolean(),
  createdAt: InstantSchema,
  lastSignInAt: InstantSchema.nullable(),
});
export type AdminUser = z.infer<typeof AdminUserSchema>;

export const AdminUserPageSchema = z.object({ items: z.array(AdminUserSchema), nextCursor: z.string().nullable() });
export type AdminUserPage = z.infer<typeof AdminUserPageSchema>;

export const SetRoleInputSchema = z.object({ userId: IdSchema, role: RoleSchema });
export type SetRoleInput = z.infer<typeof SetRoleInputSchema>;

export const SetDisabledInputSchema = z.object({ userId: IdSchema, disabled: z.boolean() });
export type SetDisabledInput = z.infer<typeof SetDisabledInputSchema>;

export const UserIdInputSchema = z.object({ userId: IdSchema });
export type UserIdInput = z.infer<typeof UserIdInputSchema>;

export const INVITATION_STATUSES = ['pending', 'accepted', 'expired', 'revoked'] as const;

export const CreateInvitationInputSchema = z.object({ email: EmailSchema, role: RoleSchema });
export type CreateInvitationInput = z.infer<typeof CreateInvitationInputSchema>;

export const CreatedInvitationSchema = z.object({ id: z.string(), expiresAt: InstantSchema });
export type CreatedInvitation = z.infer<typeof CreatedInvitationSchema>;

export const InvitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: RoleSchema,
  status: z.enum(INVITATION_STATUSES),
  createdAt: InstantSchema,
  expiresAt: InstantSchema,
});
export type Invitation = z.infer<typeof InvitationSchema>;

export const InvitationIdInputSchema = z.object({ id: IdSchema });
export type InvitationIdInput = z.infer<typeof InvitationIdInputSchema>;
