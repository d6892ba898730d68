import { z } from 'zod';
import { SECURITY_EVENT_LABELS, type SecurityEventType } from '../security-events.ts';
import { IdSchema, InstantSchema } from './common.ts';
import { SecurityEventSchema } from './sessions.ts';

// API.md §16 "Security monitoring": every member's events, for administrators.

export const SECURITY_EVENT_TYPES = Object.keys(SECURITY_EVENT_LABELS) as [SecurityEventType, ...SecurityEventType[]];
export const SecurityEventTypeSchema = z.enum(SECURITY_EVENT_TYPES, { error: 'Choose one of the event types.' });

/**
 * The CSV export holds at most this many rows, the newest that match: one response stays bounded in
 * time and memory (docs/decisions/0025-security-event-export.md). Narrow the range for older ones.
 */
export const SECURITY_EVENT_EXPORT_MAX_ROWS = 100_000;
export const SECURITY_EVENT_PAGE_DEFAULT = 50;
export const SECURITY_EVENT_PAGE_MAX = 100;

// An address as the server stores it (server/http/client-ip.ts: at most 45 characters, IPv4 or IPv6,
// an IPv6 zone allowed); matched exactly. Anything else could match no row, so it is refused instead.
const IpSchema = z
  .string()
  .trim()
  .max(45, 'An IP address has at most 45 characters.')
  .regex(/^[0-9A-Fa-f:.]+(%[\w.-]+)?$/, 'Enter an IP address, like 192.0.2.1 or 2001:db8::1.');

const FILTER_SHAPE = {
  type: SecurityEventTypeSchema.optional(),
  userId: IdSchema.optional(),
  ip: IpSchema.optional(),
  from: InstantSchema.optional(),
  to: InstantSchema.optional(),
};

// Both ends are inclusive; equal instants are one instant, not an empty range.
const fromNotAfterTo = (value: { from?: string | undefined; to?: string | undefined }) =>
  !value.from || !value.to || Date.parse(value.from) <= Date.parse(value.to);
const RANGE_ERROR = { message: 'The end must not be before the start.', path: ['to'] };

/** The filters of the list and of the CSV export (its query parameters), both ends of the range included. */
export const SecurityEventFilterSchema = z.strictObject(FILTER_SHAPE).refine(fromNotAfterTo, RANGE_ERROR);
export type SecurityEventFilter = z.infer<typeof SecurityEventFilterSchema>;

export const AdminSecurityEventsInputSchema = z
  .strictObject({
    ...FILTER_SHAPE,
    cursor: z.string().max(200).optional(),
    // What @trpc/react-query's useInfiniteQuery adds to every page's input; the list only goes one way.
    direction: z.enum(['forward', 'backward']).optional(),
    limit: z
      .number()
      .int()
      .min(1, 'Ask for at least 1 event.')
      .max(SECURITY_EVENT_PAGE_MAX, `Ask for at most ${SECURITY_EVENT_PAGE_MAX} events.`)
      .optional(),
  })
  .refine(fromNotAfterTo, RANGE_ERROR)
  .optional();
export type AdminSecurityEventsInput = z.infer<typeof AdminSecurityEventsInputSchema>;

export const AdminSecurityEventSchema = SecurityEventSchema.extend({
  /** Null once the account is erased: the event stays, without personal data. */
  userId: z.string().nullable(),
  /** The administrator who acted on the account, when it was not its owner. */
  actorId: z.string().nullable(),
});
export type AdminSecurityEvent = z.infer<typeof AdminSecurityEventSchema>;

export const AdminSecurityEventPageSchema = z.object({
  items: z.array(AdminSecurityEventSchema),
  nextCursor: z.string().nullable(),
});
export type AdminSecurityEventPage = z.infer<typeof AdminSecurityEventPageSchema>;

/** The export's columns, in order: the fields of an item. */
export const SECURITY_EVENT_CSV_COLUMNS = [
  'id',
  'type',
  'at',
  'ip',
  'userAgent',
  'userId',
  'actorId',
] as const satisfies readonly (keyof AdminSecurityEvent)[];
