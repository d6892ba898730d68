import { z } from 'zod';
import {
  ORG_INVITATIONS_PER_CALL_MAX,
  ORG_NAME_MAX_LENGTH,
  ORG_SLUG_MAX_LENGTH,
  ORG_SLUG_MIN_LENGTH,
} from '../constants.ts';
import { ORG_EVENT_TYPES } from '../org-events.ts';
import { OrgRoleSchema } from '../roles.ts';
import { CurrentPasswordSchema } from './auth.ts';
import {
  EmailSchema,
  IdSchema,
  InstantSchema,
  STORABLE_TEXT_MESSAGE,
  TokenSchema,
  isStorableText,
  maxCodePoints,
} from './common.ts';
import { INVITATION_STATUSES } from './admin.ts';

export const OrgNameSchema = z
  .string()
  .max(ORG_NAME_MAX_LENGTH * 4, `Use at most ${ORG_NAME_MAX_LENGTH} characters.`)
  .transform((value) => value.trim().normalize('NFC'))
  .pipe(
    z
      .string()
      .min(1, 'Give the organization a name.')
      .refine(maxCodePoints(ORG_NAME_MAX_LENGTH), `Use at most ${ORG_NAME_MAX_LENGTH} characters.`)
      .refine(
        (value) => !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(value),
        'Remove line breaks and other control characters.',
      ),
  );

/** What the address bar shows: /orgs/<slug>/members. */
export const OrgSlugSchema = z
  .string()
  .trim()
  .min(ORG_SLUG_MIN_LENGTH, `Use at least ${ORG_SLUG_MIN_LENGTH} characters.`)
  .max(ORG_SLUG_MAX_LENGTH, `Use at most ${ORG_SLUG_MAX_LENGTH} characters.`)
  .regex(/^[a-z0-9-]+$/, 'Use only lower-case letters, digits and hyphens.')
  .refine((value) => !value.startsWith('-') && !value.endsWith('-'), 'Start and end with a letter or a digit.');

/** The slug the SPA suggests for a name: lower case, accents dropped, hyphens between words. */
export function suggestSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, ORG_SLUG_MAX_LENGTH)
    .replace(/-+$/, '');
}

export const OrgSchema = z.object({ id: z.string(), name: z.string(), slug: z.string(), createdAt: InstantSchema });
export type Org = z.infer<typeof OrgSchema>;

export const OrgWithRoleSchema = OrgSchema.extend({ role: OrgRoleSchema });
export type OrgWithRole = z.infer<typeof OrgWithRoleSchema>;

export const MyOrgSchema = z.object({ org: OrgSchema, role: OrgRoleSchema });
export type MyOrg = z.infer<typeof MyOrgSchema>;

export const OrgIdInputSchema = z.object({ orgId: IdSchema });
export type OrgIdInput = z.infer<typeof OrgIdInputSchema>;

export const OrgCreateInputSchema = z.object({ name: OrgNameSchema, slug: OrgSlugSchema });
export type OrgCreateInput = z.infer<typeof OrgCreateInputSchema>;

export const OrgUpdateInputSchema = z.object({
  orgId: IdSchema,
  name: OrgNameSchema.optional(),
  slug: OrgSlugSchema.optional(),
});
export type OrgUpdateInput = z.infer<typeof OrgUpdateInputSchema>;

export const OrgDeleteInputSchema = z.object({ orgId: IdSchema, password: CurrentPasswordSchema });
export type OrgDeleteInput = z.infer<typeof OrgDeleteInputSchema>;

const PageInputShape = {
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).optional(),
};

export const MembersListInputSchema = z.object({
  orgId: IdSchema,
  query: z
    .string()
    .trim()
    .max(200, 'Use at most 200 characters.')
    .refine(isStorableText, STORABLE_TEXT_MESSAGE)
    .optional(),
  ...PageInputShape,
});
export type MembersListInput = z.infer<typeof MembersListInputSchema>;

export const MemberSchema = z.object({
  userId: z.string(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  /** Only for callers with `members:manage`. */
  email: z.string().nullable(),
  role: OrgRoleSchema,
  joinedAt: InstantSchema,
});
export type Member = z.infer<typeof MemberSchema>;

export const MemberPageSchema = z.object({ items: z.array(MemberSchema), nextCursor: z.string().nullable() });
export type MemberPage = z.infer<typeof MemberPageSchema>;

export const MemberSetRoleInputSchema = z.object({ orgId: IdSchema, userId: IdSchema, role: OrgRoleSchema });
export type MemberSetRoleInput = z.infer<typeof MemberSetRoleInputSchema>;

export const MemberInputSchema = z.object({ orgId: IdSchema, userId: IdSchema });
export type MemberInput = z.infer<typeof MemberInputSchema>;

/**
 * One address, or a list of up to 500 (a team, pasted or from a CSV file). A list is checked
 * address by address on the server, so one bad entry does not refuse the others.
 */
export const OrgInvitationCreateInputSchema = z.union([
  z.object({ orgId: IdSchema, email: EmailSchema, role: OrgRoleSchema }),
  z.object({
    orgId: IdSchema,
    emails: z
      .array(z.string().max(1000, 'Too long.'))
      .min(1, 'Add at least one address.')
      .max(ORG_INVITATIONS_PER_CALL_MAX, `Invite at most ${ORG_INVITATIONS_PER_CALL_MAX} addresses at once.`),
    role: OrgRoleSchema,
  }),
]);
export type OrgInvitationCreateInput = z.infer<typeof OrgInvitationCreateInputSchema>;

export const ORG_INVITATION_OUTCOMES = [
  'invited',
  'already_member',
  'already_invited',
  'invalid',
  'over_limit',
] as const;

export const OrgInvitationOutcomeSchema = z.object({
  email: z.string(),
  outcome: z.enum(ORG_INVITATION_OUTCOMES),
  /** For `invited`. */
  id: z.string().nullable(),
  expiresAt: InstantSchema.nullable(),
});
export type OrgInvitationOutcome = z.infer<typeof OrgInvitationOutcomeSchema>;

export const CreatedOrgInvitationSchema = z.object({ id: z.string(), expiresAt: InstantSchema });
export type CreatedOrgInvitation = z.infer<typeof CreatedOrgInvitationSchema>;

export const OrgInvitationBatchResultSchema = z.object({
  results: z.array(OrgInvitationOutcomeSchema),
  /** When some addresses were `over_limit`: seconds until the daily allowance has room again. */
  retryAfterSeconds: z.number().int().nullable(),
});
export type OrgInvitationBatchResult = z.infer<typeof OrgInvitationBatchResultSchema>;

/** orgs.invitations.create answers the form it was sent: one invitation, or an outcome per address. */
export const OrgInvitationCreateResultSchema = z.union([CreatedOrgInvitationSchema, OrgInvitationBatchResultSchema]);

export const OrgInvitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: OrgRoleSchema,
  status: z.enum(INVITATION_STATUSES),
  invitedBy: z.object({ userId: z.string(), name: z.string() }).nullable(),
  createdAt: InstantSchema,
  expiresAt: InstantSchema,
});
export type OrgInvitation = z.infer<typeof OrgInvitationSchema>;

export const OrgInvitationIdInputSchema = z.object({ orgId: IdSchema, id: IdSchema });
export type OrgInvitationIdInput = z.infer<typeof OrgInvitationIdInputSchema>;

/** The secret of an /invite link, of either kind. */
export const InvitationTokenInputSchema = z.object({ token: TokenSchema });

export const OrgLogInputSchema = z.object({ orgId: IdSchema, ...PageInputShape });
export type OrgLogInput = z.infer<typeof OrgLogInputSchema>;

const PersonSchema = z.object({ userId: z.string().nullable(), name: z.string() });

export const OrgEventSchema = z.object({
  id: z.string(),
  type: z.enum(ORG_EVENT_TYPES),
  at: InstantSchema,
  /** The member who acted; null when they have since deleted their account. */
  actor: PersonSchema.nullable(),
  /** The member acted on, or the invited address. */
  subject: PersonSchema.extend({ email: z.string().nullable() }).nullable(),
  role: OrgRoleSchema.nullable(),
});
export type OrgEvent = z.infer<typeof OrgEventSchema>;

export const OrgEventPageSchema = z.object({ items: z.array(OrgEventSchema), nextCursor: z.string().nullable() });
export type OrgEventPage = z.infer<typeof OrgEventPageSchema>;

/** What `/invite?token=` shows before anyone acts: the address and, for an organization's invitation, which one. */
export const InvitationDetailsSchema = z.object({
  email: z.string(),
  /** Whether the invited address has an account: told only to the link's holder, who proved the mailbox. */
  accountExists: z.boolean(),
  organization: z.object({ name: z.string(), slug: z.string(), role: OrgRoleSchema }).nullable(),
});
export type InvitationDetails = z.infer<typeof InvitationDetailsSchema>;
