import type { TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import type { ErrorData, ErrorReason } from '#shared/errors.ts';
import { AppError } from '#server/lib/app-error.ts';

const REASON_FOR_CODE: Partial<Record<TRPCError['code'], ErrorReason>> = {
  PARSE_ERROR: 'INVALID_INPUT',
  BAD_REQUEST: 'INVALID_INPUT',
  METHOD_NOT_SUPPORTED: 'INVALID_INPUT',
  UNSUPPORTED_MEDIA_TYPE: 'INVALID_INPUT',
  PAYLOAD_TOO_LARGE: 'INVALID_INPUT',
  UNPROCESSABLE_CONTENT: 'INVALID_INPUT',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
};

/**
 * API.md §6: a TOO_MANY_REQUESTS answer also carries `Retry-After` (seconds), the same number as
 * `retryAfterSeconds`; for a batch, the longest wait of its calls.
 */
export function retryAfterHeader(errors: readonly TRPCError[]): { headers?: Headers } {
  const seconds = Math.max(
    0,
    ...errors.map((error) => (error instanceof AppError ? (error.retryAfterSeconds ?? 0) : 0)),
  );
  return seconds > 0 ? { headers: new Headers({ 'Retry-After': String(seconds) }) } : {};
}

export const INTERNAL_MESSAGE = 'Something went wrong on our side. Please try again.';

/** The reason, message and extra data of API.md §2 for any error a procedure or tRPC raised. */
export function describeError(error: TRPCError, requestId: string | undefined): { message: string; data: ErrorData } {
  if (error instanceof AppError) {
    return {
      message: error.message,
      data: {
        reason: error.reason,
        fieldErrors: error.fieldErrors,
        retryAfterSeconds: error.retryAfterSeconds,
        connectionId: error.connectionId,
      },
    };
  }
  if (error.cause instanceof ZodError) {
    const { fieldErrors, formErrors } = z.flattenError(error.cause);
    return {
      message: formErrors[0] ?? 'Some fields need attention.',
      data: { reason: 'INVALID_INPUT', fieldErrors: fieldErrors as Record<string, string[]> },
    };
  }
  const reason = REASON_FOR_CODE[error.code] ?? 'INTERNAL';
  if (reason === 'INTERNAL') return { message: INTERNAL_MESSAGE, data: { reason, requestId } };
  // tRPC passes JSON.parse's own message on; say it plainly instead.
  const badJson = error.code === 'PARSE_ERROR' || error.cause instanceof SyntaxError;
  const message = badJson ? 'The request is not valid JSON.' : error.message;
  return { message, data: { reason } };
}
