import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import {
  SECURITY_EVENT_CSV_COLUMNS,
  SECURITY_EVENT_PAGE_DEFAULT,
  type AdminSecurityEvent,
  type AdminSecurityEventPage,
  type AdminSecurityEventsInput,
  type SecurityEventFilter,
} from '#shared/schemas/security-monitoring.ts';
import { olderThan, pageOf } from '#server/lib/cursor.ts';
import { SecurityEventEntity, type SecurityEvent } from './security-event.entity.ts';
import { toSecurityEventItem } from './security-events.ts';

// Every member's events for administrators (API.md §16). Each filter has an index that lists its
// rows newest first (security-event.entity.ts), so a page costs the same however large the table.

function conditions(filter: SecurityEventFilter, cursor: string | undefined): FilterQuery<SecurityEvent> {
  const and: FilterQuery<SecurityEvent>[] = [];
  if (filter.type) and.push({ type: filter.type });
  if (filter.userId) and.push({ user: filter.userId });
  if (filter.ip) and.push({ ip: filter.ip });
  if (filter.from) and.push({ at: { $gte: new Date(filter.from) } });
  if (filter.to) and.push({ at: { $lte: new Date(filter.to) } });
  const after = olderThan(cursor, 'at');
  if (Object.keys(after).length > 0) and.push(after as FilterQuery<SecurityEvent>);
  return and.length > 0 ? { $and: and } : {};
}

function toItem(event: SecurityEvent): AdminSecurityEvent {
  return {
    ...toSecurityEventItem(event),
    userId: event.user?.id ?? null,
    actorId: event.actorId ?? null,
  };
}

async function findPage(
  em: EntityManager,
  filter: SecurityEventFilter,
  cursor: string | undefined,
  limit: number,
): Promise<AdminSecurityEventPage> {
  const rows = await em.find(SecurityEventEntity, conditions(filter, cursor), {
    orderBy: { at: 'desc', id: 'desc' },
    limit: limit + 1,
    // Read once and dropped: an export of many pages must not pile them up in the identity map.
    disableIdentityMap: true,
  });
  const { page, nextCursor } = pageOf(rows, limit, (event) => event.at);
  return { items: page.map(toItem), nextCursor };
}

/** Events of every member that match the filters, newest first, a page at a time. */
export function listAllSecurityEvents(
  em: EntityManager,
  input: AdminSecurityEventsInput,
): Promise<AdminSecurityEventPage> {
  const { cursor, limit, direction: _direction, ...filter } = input ?? {};
  return findPage(em, filter, cursor, limit ?? SECURITY_EVENT_PAGE_DEFAULT);
}

const EXPORT_BATCH = 1000;

/**
 * The rows of the export, newest first, at most `maxRows`: read a batch at a time with the list's
 * cursor, so memory holds one batch however many rows there are. The first batch is read before
 * this returns, so a database that fails at once fails the request, not a half-sent file.
 */
export async function exportSecurityEvents(
  em: EntityManager,
  filter: SecurityEventFilter,
  maxRows: number,
): Promise<AsyncGenerator<AdminSecurityEvent[]>> {
  const first = await findPage(em, filter, undefined, Math.min(EXPORT_BATCH, maxRows));
  async function* batches(): AsyncGenerator<AdminSecurityEvent[]> {
    let page = first;
    let sent = 0;
    for (;;) {
      yield page.items;
      sent += page.items.length;
      if (!page.nextCursor || sent >= maxRows) return;
      page = await findPage(em, filter, page.nextCursor, Math.min(EXPORT_BATCH, maxRows - sent));
    }
  }
  return batches();
}

// OWASP "CSV Injection": a spreadsheet runs a cell that starts with one of these as a formula, and
// user agents are whatever the client sent. A leading apostrophe makes the cell text.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field (RFC 4180): neutralised when it could be read as a formula, quoted when it must be. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly (string | null)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export const SECURITY_EVENT_CSV_HEADER = csvLine(SECURITY_EVENT_CSV_COLUMNS);

export function securityEventCsvLine(event: AdminSecurityEvent): string {
  return csvLine(SECURITY_EVENT_CSV_COLUMNS.map((column) => event[column]));
}
