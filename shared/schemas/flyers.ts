import { z } from 'zod';
import { FLYER_BODY_MAX_LENGTH, FLYER_TITLE_MAX_LENGTH } from '../constants.ts';
import { IdSchema, InstantSchema, STORABLE_TEXT_MESSAGE, isStorableText, maxCodePoints } from './common.ts';

const TitleSchema = z
  .string()
  .max(FLYER_TITLE_MAX_LENGTH * 4, `Use at most ${FLYER_TITLE_MAX_LENGTH} characters.`)
  .transform((value) => value.trim())
  .refine((value) => value.length > 0, 'Give your flyer a title.')
  .refine(maxCodePoints(FLYER_TITLE_MAX_LENGTH), `Use at most ${FLYER_TITLE_MAX_LENGTH} characters.`)
  .refine(isStorableText, STORABLE_TEXT_MESSAGE);

const BodySchema = z
  .string()
  .max(FLYER_BODY_MAX_LENGTH * 4, `Use at most ${FLYER_BODY_MAX_LENGTH} characters.`)
  .transform((value) => value.trim())
  .refine((value) => value.length > 0, 'Write something for your flyer.')
  .refine(maxCodePoints(FLYER_BODY_MAX_LENGTH), `Use at most ${FLYER_BODY_MAX_LENGTH} characters.`)
  .refine(isStorableText, STORABLE_TEXT_MESSAGE);

export const FLYER_STATUSES = ['draft', 'published'] as const;

export const FlyerSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  status: z.enum(FLYER_STATUSES),
  createdAt: InstantSchema,
  updatedAt: InstantSchema,
  publishedAt: InstantSchema.nullable(),
});
export type Flyer = z.infer<typeof FlyerSchema>;

export const FlyerCreateInputSchema = z.object({ title: TitleSchema, body: BodySchema });
export type FlyerCreateInput = z.infer<typeof FlyerCreateInputSchema>;

export const FlyerUpdateInputSchema = z.object({
  id: IdSchema,
  title: TitleSchema.optional(),
  body: BodySchema.optional(),
});
export type FlyerUpdateInput = z.infer<typeof FlyerUpdateInputSchema>;

export const FlyerIdInputSchema = z.object({ id: IdSchema });
export type FlyerIdInput = z.infer<typeof FlyerIdInputSchema>;
