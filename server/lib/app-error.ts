import { TRPCError } from '@trpc/server';
import { REASON_CODES, type ErrorReason, type FieldErrors } from '#shared/errors.ts';

/** An expected failure with its API.md §2 reason; its tRPC code follows from the reason. */
export class AppError extends TRPCError {
  readonly reason: ErrorReason;
  readonly fieldErrors?: FieldErrors;
  readonly retryAfterSeconds?: number;
  readonly connectionId?: string;

  constructor(
    reason: ErrorReason,
    message: string,
    extra: { fieldErrors?: FieldErrors; retryAfterSeconds?: number; connectionId?: string } = {},
  ) {
    super({ code: REASON_CODES[reason], message });
    this.reason = reason;
    this.fieldErrors = extra.fieldErrors;
    this.retryAfterSeconds = extra.retryAfterSeconds;
    this.connectionId = extra.connectionId;
  }
}
