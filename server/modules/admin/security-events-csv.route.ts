import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { z } from 'zod';
import { REASON_CODES, type ErrorReason, type FieldErrors } from '#shared/errors.ts';
import { can } from '#shared/roles.ts';
import {
  SECURITY_EVENT_EXPORT_MAX_ROWS,
  SecurityEventFilterSchema,
  type AdminSecurityEvent,
} from '#shared/schemas/security-monitoring.ts';
import type { Deps } from '#server/deps.ts';
import {
  SECURITY_EVENT_CSV_HEADER,
  exportSecurityEvents,
  securityEventCsvLine,
} from '#server/modules/audit/security-monitoring.ts';
import { authenticateAccessToken } from '#server/modules/sessions/session-auth.ts';

export const SECURITY_EVENTS_CSV_PATH = '/admin/security-events.csv';

const STATUS_FOR_CODE: Partial<Record<(typeof REASON_CODES)[ErrorReason], number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
};

/** The error body every other HTTP refusal has (server/http/error-handler.ts), with field errors for bad input. */
function refuse(reply: FastifyReply, reason: ErrorReason, message: string, fieldErrors?: FieldErrors) {
  const code = REASON_CODES[reason];
  const httpStatus = STATUS_FOR_CODE[code] ?? 400;
  // RFC 6750 §3: a refused bearer says which scheme the resource expects.
  if (httpStatus === 401) reply.header('WWW-Authenticate', 'Bearer');
  return reply.code(httpStatus).send({
    error: {
      message,
      code: TRPC_ERROR_CODES_BY_KEY[code],
      data: { code, httpStatus, reason, ...(fieldErrors ? { fieldErrors } : {}) },
    },
  });
}

function bearerOf(authorization: string | undefined): string | null {
  const match = authorization?.match(/^Bearer +(\S+) *$/);
  return match?.[1] ?? null;
}

// A form left blank sends `ip=`: an empty parameter is no filter, as an absent one.
function presentParameters(query: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query as Record<string, unknown>).filter(([, value]) => value !== ''));
}

async function* csvChunks(batches: AsyncGenerator<AdminSecurityEvent[]>): AsyncGenerator<string> {
  yield SECURITY_EVENT_CSV_HEADER;
  for await (const batch of batches) yield batch.map(securityEventCsvLine).join('');
}

/**
 * API.md §16: the admin console's list as a CSV file, with the same filters as query parameters.
 * A plain route rather than a procedure: the answer is a file, streamed a batch at a time.
 */
export function registerSecurityEventsCsvRoute(app: FastifyInstance, deps: Deps): void {
  app.get(SECURITY_EVENTS_CSV_PATH, async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const em = deps.orm.em.fork();
    const token = bearerOf(request.headers.authorization);
    const auth = token ? await authenticateAccessToken(em, deps, token) : null;
    if (!auth) return refuse(reply, 'UNAUTHENTICATED', 'Sign in to continue.');
    request.userId = auth.userId;
    if (!can(auth.role, 'users:read')) return refuse(reply, 'FORBIDDEN', 'You do not have permission to do this.');

    const parsed = SecurityEventFilterSchema.safeParse(presentParameters(request.query));
    if (!parsed.success) {
      const { fieldErrors, formErrors } = z.flattenError(parsed.error);
      return refuse(
        reply,
        'INVALID_INPUT',
        formErrors[0] ?? 'Some filters need attention.',
        fieldErrors as FieldErrors,
      );
    }
    const batches = await exportSecurityEvents(em, parsed.data, SECURITY_EVENT_EXPORT_MAX_ROWS);
    const body = Readable.from(csvChunks(batches));
    // Headers are gone by then: a later failure can only cut the file short, which the client sees
    // as a broken transfer (no final chunk), never as a complete file.
    body.on('error', (error) => request.log.error({ err: error }, 'security events export failed'));
    return reply
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="security-events.csv"')
      .header('X-Row-Limit', String(SECURITY_EVENT_EXPORT_MAX_ROWS))
      .send(body);
  });
}
