export const ERROR_REASONS = [
  'INVALID_INPUT',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'EMAIL_NOT_VERIFIED',
  'ACCOUNT_DISABLED',
  'INVALID_MFA_CODE',
  'INVALID_TOKEN',
  'WEAK_PASSWORD',
  'PASSWORD_REUSED',
  'RATE_LIMITED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONTACT_NOT_ALLOWED',
  'INVALID_IMAGE',
  'IMAGE_TOO_LARGE',
  'REGISTRATION_CLOSED',
  'LAST_ADMIN',
  'MFA_NOT_ENABLED',
  'MFA_ALREADY_ENABLED',
  'LAST_SIGN_IN_METHOD',
  'REAUTH_REQUIRED',
  'LAST_OWNER',
  'SLUG_TAKEN',
  'SSO_REQUIRED',
  'INTERNAL',
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

/** The tRPC error code each reason travels under (API.md §2). */
export const REASON_CODES = {
  INVALID_INPUT: 'BAD_REQUEST',
  WEAK_PASSWORD: 'BAD_REQUEST',
  PASSWORD_REUSED: 'BAD_REQUEST',
  INVALID_TOKEN: 'BAD_REQUEST',
  INVALID_MFA_CODE: 'BAD_REQUEST',
  INVALID_IMAGE: 'BAD_REQUEST',
  MFA_NOT_ENABLED: 'BAD_REQUEST',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  INVALID_CREDENTIALS: 'UNAUTHORIZED',
  EMAIL_NOT_VERIFIED: 'FORBIDDEN',
  ACCOUNT_DISABLED: 'FORBIDDEN',
  FORBIDDEN: 'FORBIDDEN',
  CONTACT_NOT_ALLOWED: 'FORBIDDEN',
  REGISTRATION_CLOSED: 'FORBIDDEN',
  LAST_ADMIN: 'CONFLICT',
  MFA_ALREADY_ENABLED: 'CONFLICT',
  LAST_SIGN_IN_METHOD: 'CONFLICT',
  LAST_OWNER: 'CONFLICT',
  SLUG_TAKEN: 'CONFLICT',
  REAUTH_REQUIRED: 'FORBIDDEN',
  SSO_REQUIRED: 'FORBIDDEN',
  IMAGE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<ErrorReason, string>;

export type ErrorCode = (typeof REASON_CODES)[ErrorReason];

export type FieldErrors = Record<string, string[]>;

/** What every error's `data` carries besides tRPC's own fields. */
export type ErrorData = {
  reason: ErrorReason;
  fieldErrors?: FieldErrors;
  retryAfterSeconds?: number;
  /** On SSO_REQUIRED: the connection to sign in through (API.md §15). */
  connectionId?: string;
  requestId?: string;
};

export function isErrorReason(value: unknown): value is ErrorReason {
  return typeof value === 'string' && (ERROR_REASONS as readonly string[]).includes(value);
}
