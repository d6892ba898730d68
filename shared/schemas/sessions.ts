import { z } from 'zod';
import { IdSchema, InstantSchema } from './common.ts';

export const SessionInfoSchema = z.object({
  id: z.string(),
  createdAt: InstantSchema,
  lastUsedAt: InstantSchema,
  ip: z.string(),
  userAgent: z.string(),
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

export const RevokeSessionInputSchema = z.object({ sessionId: IdSchema });
export type RevokeSessionInput = z.infer<typeof RevokeSessionInputSchema>;

export const SecurityEventsInputSchema = z
  .object({
    cursor: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .optional();
export type SecurityEventsInput = z.infer<typeof SecurityEventsInputSchema>;

export const SecurityEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  at: InstantSchema,
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type SecurityEventItem = z.infer<typeof SecurityEventSchema>;

export const SecurityEventPageSchema = z.object({
  items: z.array(SecurityEventSchema),
  nextCursor: z.string().nullable(),
});
export type SecurityEventPage = z.infer<typeof SecurityEventPageSchema>;
