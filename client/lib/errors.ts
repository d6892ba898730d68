import { TRPCClientError } from '@trpc/client';
import type { ErrorData, ErrorReason, FieldErrors } from '#shared/errors.ts';
import { PROVIDER_ERRORS, type ProviderError } from '#shared/schemas/identities.ts';

export type ApiProblem = { reason: ErrorReason | 'NETWORK'; message: string; fieldErrors: FieldErrors };

/** What the UI needs from any failure: a reason to branch on, a message to show, per-field errors. */
export function toProblem(error: unknown): ApiProblem {
  if (error instanceof TRPCClientError) {
    const data = error.data as Partial<ErrorData> | undefined;
    if (data?.reason) {
      return { reason: data.reason, message: error.message, fieldErrors: data.fieldErrors ?? {} };
    }
  }
  return {
    reason: 'NETWORK',
    message: 'We could not reach Latchkey. Check your connection and try again.',
    fieldErrors: {},
  };
}

export function reasonOf(error: unknown): ErrorReason | 'NETWORK' {
  return toProblem(error).reason;
}

/** The words for a failed provider sign-in or link's `?error=` (API.md §12); an unknown one is the provider's fault. */
export function providerErrorMessage(error: string): string {
  return Object.hasOwn(PROVIDER_ERRORS, error)
    ? PROVIDER_ERRORS[error as ProviderError]
    : PROVIDER_ERRORS.provider_error;
}
