import { useId, useRef, useState, type FormEvent } from 'react';
import { z } from 'zod';
import type { FieldErrors } from '#shared/errors.ts';
import { SECURITY_EVENT_LABELS, describeSecurityEvent } from '#shared/security-events.ts';
import {
  SECURITY_EVENT_EXPORT_MAX_ROWS,
  SECURITY_EVENT_TYPES,
  SecurityEventFilterSchema,
  type AdminSecurityEvent,
  type SecurityEventFilter,
} from '#shared/schemas/security-monitoring.ts';
import { describeDevice } from '#shared/user-agent.ts';
import { LoadError } from '#client/components/load-error.tsx';
import { PageHeading } from '#client/components/page-heading.tsx';
import { Alert } from '#client/components/ui/alert.tsx';
import { Button } from '#client/components/ui/button.tsx';
import { Field } from '#client/components/ui/field.tsx';
import { Spinner } from '#client/components/ui/spinner.tsx';
import { toProblem } from '#client/lib/errors.ts';
import { usePreferences } from '#client/lib/preferences.ts';
import { getAccessToken, refreshSession } from '#client/lib/session.ts';
import { trpc } from '#client/lib/trpc.ts';
import '../../styles/security-events.css';

const PAGE_SIZE = 50;
const EXPORT_PATH = '/admin/security-events.csv';
const EXPORT_FILE = 'security-events.csv';
const FILTER_FIELDS = ['type', 'userId', 'ip', 'from', 'to'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];
type Draft = Record<FilterField, string>;
const EMPTY_DRAFT: Draft = { type: '', userId: '', ip: '', from: '', to: '' };

const deviceZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Times to the second, in the member's locale and time zone: an investigation lines events up by them. */
function useEventTimes() {
  const preferences = usePreferences().data;
  const zone = preferences?.timeZone ?? deviceZone();
  const format = new Intl.DateTimeFormat(preferences?.locale, {
    timeZone: zone,
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
  return { zone, formatTime: (iso: string) => format.format(new Date(iso)) };
}

/** How far `zone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
function zoneOffset(instant: number, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(instant)
      .map((part) => [part.type, Number(part.value)]),
  );
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * A datetime-local value, read in the time zone the table shows (to the minute unless seconds were
 * typed), as an instant. "To 10:30" means up to the end of that minute, as a person reading it expects.
 */
function instantOf(local: string, zone: string, end: boolean): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  // Not what the control writes: left as typed, for the schema to refuse by its field.
  if (!match) return local;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  const wall = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  // The offset at the guess, then at the answer: right on either side of a daylight-saving change.
  let at = wall - zoneOffset(wall, zone);
  at = wall - zoneOffset(at, zone);
  if (end) at += match[6] === undefined ? 59_999 : 999;
  return new Date(at).toISOString();
}

function filterFrom(draft: Draft, zone: string): { filter: SecurityEventFilter } | { errors: FieldErrors } {
  const values = Object.fromEntries(
    FILTER_FIELDS.flatMap((field) => {
      const value = draft[field].trim();
      if (!value) return [];
      return [[field, field === 'from' || field === 'to' ? instantOf(value, zone, field === 'to') : value]];
    }),
  );
  const parsed = SecurityEventFilterSchema.safeParse(values);
  if (parsed.success) return { filter: parsed.data };
  return { errors: z.flattenError(parsed.error).fieldErrors as FieldErrors };
}

/** The errors that belong to a field of the form. */
function fieldsOf(errors: FieldErrors): FieldErrors {
  return Object.fromEntries(FILTER_FIELDS.flatMap((field) => (errors[field] ? [[field, errors[field]]] : [])));
}

function exportQuery(filter: SecurityEventFilter): string {
  const query = new URLSearchParams(Object.entries(filter).filter((entry): entry is [string, string] => !!entry[1]));
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** The export needs the bearer, which a link cannot send: fetched, then handed to the browser as a file. */
async function downloadExport(filter: SecurityEventFilter): Promise<void> {
  const request = () =>
    fetch(`${EXPORT_PATH}${exportQuery(filter)}`, {
      headers: { Authorization: `Bearer ${getAccessToken() ?? ''}`, Accept: 'text/csv' },
    });
  let response = await request();
  if (response.status === 401 && (await refreshSession())) response = await request();
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? 'The export failed. Please try again.');
  }
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = EXPORT_FILE;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // After the click has handed the file over; revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

export function AdminSecurityEventsPage() {
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [filter, setFilter] = useState<SecurityEventFilter>({});
  const [draftErrors, setDraftErrors] = useState<FieldErrors>({});
  const [exporting, setExporting] = useState(false);
  const [exportNote, setExportNote] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const events = trpc.admin.securityEvents.useInfiniteQuery(
    { ...filter, limit: PAGE_SIZE },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const { zone, formatTime } = useEventTimes();
  const tableTitle = useId();
  const form = useRef<HTMLFormElement>(null);
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Object.keys(filter).length > 0;
  // The server checks the filters too: its field errors show by the fields, like the form's own.
  const serverErrors = events.error ? fieldsOf(toProblem(events.error).fieldErrors) : {};
  const errors = Object.keys(draftErrors).length ? draftErrors : serverErrors;
  // Anything else (a network failure, a page link gone stale) is offered a retry.
  const loadFailed = events.isError && Object.keys(serverErrors).length === 0;

  const edit = (field: FilterField, value: string) => {
    setDraft((current) => ({ ...current, [field]: value }));
    setDraftErrors(({ [field]: _cleared, ...rest }) => rest);
  };
  const apply = (next: Draft) => {
    const result = filterFrom(next, zone);
    if ('errors' in result) {
      setDraftErrors(result.errors);
      const first = FILTER_FIELDS.find((field) => result.errors[field]);
      const control = first ? form.current?.elements.namedItem(first) : null;
      if (control instanceof HTMLElement) control.focus();
      return;
    }
    setDraftErrors({});
    setExportNote(null);
    setFilter(result.filter);
  };
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    apply(draft);
  };
  const narrowTo = (field: 'userId' | 'ip', value: string) => {
    const next = { ...draft, [field]: value };
    setDraft(next);
    apply(next);
  };
  const clear = () => {
    setDraft(EMPTY_DRAFT);
    setDraftErrors({});
    setExportNote(null);
    setFilter({});
  };
  const exportCsv = async () => {
    setExporting(true);
    setExportNote(null);
    try {
      await downloadExport(filter);
      setExportNote({ tone: 'success', text: `Downloaded ${EXPORT_FILE}.` });
    } catch (error) {
      setExportNote({
        tone: 'error',
        text: error instanceof TypeError ? toProblem(error).message : (error as Error).message,
      });
    } finally {
      setExporting(false);
    }
  };

  return (
    <div className="stack">
      <PageHeading title="Security events" />
      <p className="field__hint">
        Sign-ins, failed attempts and account changes of every member, newest first. Times, the filters’ included, are
        in {zone}.
      </p>

      <form
        ref={form}
        className="card security-filters"
        aria-label="Filter security events"
        noValidate
        onSubmit={onSubmit}
      >
        <div className="field">
          <label className="field__label" htmlFor="security-events-type">
            Event type
          </label>
          <select
            id="security-events-type"
            name="type"
            className="field__input"
            value={draft.type}
            aria-invalid={errors.type ? true : undefined}
            aria-describedby={errors.type ? 'security-events-type-error' : undefined}
            onChange={(event) => edit('type', event.target.value)}
          >
            <option value="">All types</option>
            {SECURITY_EVENT_TYPES.map((type) => (
              <option key={type} value={type}>
                {SECURITY_EVENT_LABELS[type]}
              </option>
            ))}
          </select>
          {errors.type && (
            <p className="field__error" id="security-events-type-error">
              {errors.type.join(' ')}
            </p>
          )}
        </div>
        <Field
          label="User id"
          name="userId"
          autoComplete="off"
          spellCheck={false}
          value={draft.userId}
          errors={errors.userId}
          onChange={(event) => edit('userId', event.target.value)}
        />
        <Field
          label="IP address"
          name="ip"
          autoComplete="off"
          spellCheck={false}
          inputMode="text"
          value={draft.ip}
          errors={errors.ip}
          onChange={(event) => edit('ip', event.target.value)}
        />
        <Field
          label="From"
          name="from"
          type="datetime-local"
          value={draft.from}
          errors={errors.from}
          onChange={(event) => edit('from', event.target.value)}
        />
        <Field
          label="To"
          name="to"
          type="datetime-local"
          value={draft.to}
          errors={errors.to}
          onChange={(event) => edit('to', event.target.value)}
        />
        <div className="row security-filters__actions">
          <Button type="submit">Apply filters</Button>
          <Button variant="ghost" onClick={clear}>
            Clear filters
          </Button>
        </div>
      </form>

      <div className="row security-events__export">
        <Button variant="secondary" busy={exporting} busyLabel="Exporting…" onClick={() => void exportCsv()}>
          Export CSV
        </Button>
        <p className="field__hint">
          The events that match the filters, newest first: at most {SECURITY_EVENT_EXPORT_MAX_ROWS.toLocaleString()}{' '}
          rows. Narrow the dates for earlier ones.
        </p>
      </div>
      <div className="live-region" aria-live="polite">
        {exportNote && (
          <Alert tone={exportNote.tone} inLiveRegion>
            {exportNote.text}
          </Alert>
        )}
      </div>

      {events.isPending && <Spinner label="Loading security events…" />}
      {loadFailed && <LoadError what="the security events" onRetry={() => void events.refetch()} />}
      {events.data && items.length === 0 && (
        <p className="empty">{filtered ? 'No events match these filters.' : 'No security events yet.'}</p>
      )}
      {items.length > 0 && (
        <div className="table-wrap" role="region" aria-labelledby={tableTitle} tabIndex={0}>
          <table className="table security-events">
            <caption id={tableTitle} className="visually-hidden">
              Security events
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Member</th>
                <th scope="col">Where from</th>
              </tr>
            </thead>
            <tbody>
              {items.map((event) => (
                <EventRow key={event.id} event={event} formatTime={formatTime} onNarrow={narrowTo} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.hasNextPage && (
        <div>
          <Button
            variant="secondary"
            busy={events.isFetchingNextPage}
            busyLabel="Loading…"
            onClick={() => void events.fetchNextPage()}
          >
            Load more
          </Button>
        </div>
      )}
    </div>
  );
}

function EventRow({
  event,
  formatTime,
  onNarrow,
}: {
  event: AdminSecurityEvent;
  formatTime: (iso: string) => string;
  onNarrow: (field: 'userId' | 'ip', value: string) => void;
}) {
  return (
    <tr>
      <td className="security-events__when">
        <time dateTime={event.at}>{formatTime(event.at)}</time>
      </td>
      <td>
        {describeSecurityEvent(event.type)}
        <span className="security-events__code">{event.type}</span>
      </td>
      <td>
        {event.userId ? (
          <button
            type="button"
            className="link-button security-events__id"
            aria-label={`Only events of member ${event.userId}`}
            onClick={() => onNarrow('userId', event.userId!)}
          >
            {event.userId}
          </button>
        ) : (
          <span className="field__hint">Erased account</span>
        )}
        {event.actorId && (
          <span className="security-events__detail">
            By administrator <span className="security-events__id">{event.actorId}</span>
          </span>
        )}
      </td>
      <td>
        {event.ip ? (
          <button
            type="button"
            className="link-button security-events__id"
            aria-label={`Only events from ${event.ip}`}
            onClick={() => onNarrow('ip', event.ip!)}
          >
            {event.ip}
          </button>
        ) : (
          <span className="field__hint">Address unknown</span>
        )}
        <span className="security-events__detail">
          {event.userAgent ? describeDevice(event.userAgent) : 'Device unknown'}
        </span>
        {/* The raw text as sent, which an investigation compares: shown as text, never as markup. */}
        {event.userAgent && <span className="security-events__agent">{event.userAgent}</span>}
      </td>
    </tr>
  );
}
