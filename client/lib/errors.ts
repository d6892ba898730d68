import { TRPCClientError } from '@trpc/client';
import type { ErrorData, ErrorReason, FieldErrors } from '#shared/errors.ts';
import { PROVIDER_ERRORS, type ProviderError } from '#shared/schemas/identities.ts';

export type ApiProblem = {
  reason: ErrorReason | 'NETWORK';
  message: string;
  fieldErrors: FieldErrors;
  /** With SSO_REQUIRED: the connection to sign in through (API.md §15). */
  connectionId?: string;
};

/** What the UI needs from any failure: a reason to branch on, a message to show, per-field errors. */
export function toProblem(error: unknown): ApiProblem {
  if (error instanceof TRPCClientError) {
    const data = error.data as Partial<ErrorData> | undefined;
    if (data?.reason) {
      return {
        reason: data.reason,
        message: error.message,
        fieldErrors: data.fieldErrors ?? {},
        ...(data.connectionId ? { connectionId: data.connectionId } : {}),
      };
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

// A refused sign-in through an organization's connection (API.md §15); the reason stays in the server's log.
const SSO_ERRORS: Record<string, string> = {
  sso_failed:
    'Single sign-on failed: your organization’s identity provider did not sign you in. Please try again, or ask your IT team for help.',
};

/** The words for a failed provider sign-in or link's `?error=` (API.md §12); an unknown one is the provider's fault. */
export function providerErrorMessage(error: string): string {
  if (Object.hasOwn(SSO_ERRORS, error)) return SSO_ERRORS[error]!;
  return Object.hasOwn(PROVIDER_ERRORS, error)
    ? PROVIDER_ERRORS[error as ProviderError]
    : PROVIDER_ERRORS.provider_error;
}
