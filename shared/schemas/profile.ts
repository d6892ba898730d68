import { z } from 'zod';
import { CONTACT_MESSAGE_MAX_LENGTH, NAME_MAX_LENGTH } from '../constants.ts';
import { codePointLength } from '../text.ts';
import { IdSchema, InstantSchema, STORABLE_TEXT_MESSAGE, isStorableText, maxCodePoints } from './common.ts';

// Trimmed, NFC, 0-60 code points, no control characters (API.md §5 profile.update).
export const NameSchema = z
  .string()
  .max(NAME_MAX_LENGTH * 4, `Use at most ${NAME_MAX_LENGTH} characters.`)
  .transform((value) => value.trim().normalize('NFC'))
  .refine((value) => codePointLength(value) <= NAME_MAX_LENGTH, `Use at most ${NAME_MAX_LENGTH} characters.`)
  // Control characters, and the bidirectional overrides that can make a name display as another.
  .refine(
    (value) => !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(value),
    'Remove line breaks, tabs and other control characters.',
  )
  .refine(isStorableText, STORABLE_TEXT_MESSAGE);

export const PublicFlyerSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  publishedAt: InstantSchema,
});

export const PublicProfileSchema = z.object({
  userId: z.string(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  joinedAt: InstantSchema,
  canBeContacted: z.boolean(),
  flyers: z.array(PublicFlyerSchema),
});
export type PublicProfile = z.infer<typeof PublicProfileSchema>;

export const ProfileGetInputSchema = z.object({ userId: IdSchema });
export type ProfileGetInput = z.infer<typeof ProfileGetInputSchema>;

export const ProfileUpdateInputSchema = z.object({ name: NameSchema });
export type ProfileUpdateInput = z.infer<typeof ProfileUpdateInputSchema>;

export const AvatarResultSchema = z.object({ avatarUrl: z.string() });
export type AvatarResult = z.infer<typeof AvatarResultSchema>;

export const ContactInputSchema = z.object({
  userId: IdSchema,
  message: z
    .string()
    .max(CONTACT_MESSAGE_MAX_LENGTH * 4, `Use at most ${CONTACT_MESSAGE_MAX_LENGTH} characters.`)
    .transform((value) => value.trim())
    .refine((value) => value.length > 0, 'Write a message.')
    .refine(maxCodePoints(CONTACT_MESSAGE_MAX_LENGTH), `Use at most ${CONTACT_MESSAGE_MAX_LENGTH} characters.`),
});
export type ContactInput = z.infer<typeof ContactInputSchema>;
