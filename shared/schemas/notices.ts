// The notice board: the second worked example (docs/integrating.md), a feature shared by an
// organization's members and built on the organization procedure builder.
import { z } from 'zod';
import { NOTICE_BODY_MAX_LENGTH, NOTICE_TITLE_MAX_LENGTH } from '../constants.ts';
import { IdSchema, InstantSchema, STORABLE_TEXT_MESSAGE, isStorableText, maxCodePoints } from './common.ts';

const text = (max: number, empty: string) =>
  z
    .string()
    .max(max * 4, `Use at most ${max} characters.`)
    .transform((value) => value.trim())
    .refine((value) => value.length > 0, empty)
    .refine(maxCodePoints(max), `Use at most ${max} characters.`)
    .refine(isStorableText, STORABLE_TEXT_MESSAGE);

export const NoticeSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  /** Null once the author has left the organization's records (account deleted). */
  author: z.object({ userId: z.string(), name: z.string() }).nullable(),
  /** Whether the caller may delete it: its author, or a member with `members:manage`. */
  canDelete: z.boolean(),
  createdAt: InstantSchema,
});
export type Notice = z.infer<typeof NoticeSchema>;

export const NoticeListInputSchema = z.object({
  orgId: IdSchema,
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(100).optional(),
});
export const NoticePageSchema = z.object({ items: z.array(NoticeSchema), nextCursor: z.string().nullable() });
export type NoticePage = z.infer<typeof NoticePageSchema>;

export const NoticePostInputSchema = z.object({
  orgId: IdSchema,
  title: text(NOTICE_TITLE_MAX_LENGTH, 'Give the notice a title.'),
  body: text(NOTICE_BODY_MAX_LENGTH, 'Write something for the notice.'),
});
export type NoticePostInput = z.infer<typeof NoticePostInputSchema>;

export const NoticeIdInputSchema = z.object({ orgId: IdSchema, noticeId: IdSchema });
export type NoticeIdInput = z.infer<typeof NoticeIdInputSchema>;
