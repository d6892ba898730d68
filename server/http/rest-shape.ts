/** Where the REST form of the procedures lives (API.md §16). */
export const REST_PREFIX = '/api/v1';

/** API.md §16's error body: `{code, reason, message, fieldErrors?, retryAfterSeconds?}`. */
export function restErrorBody(code: string, message: string, data: Record<string, unknown>) {
  const { reason, fieldErrors, retryAfterSeconds, connectionId, requestId } = data;
  return { code, reason, message, fieldErrors, retryAfterSeconds, connectionId, requestId };
}

/**
 * The path of the cookies a response sets (refresh token, device): the form the request came
 * through, so that a REST client's cookie jar sends them back to the REST routes (API.md §3, §16).
 */
export const cookiePathFor = (url: string) => (url.startsWith(`${REST_PREFIX}/`) ? REST_PREFIX : '/trpc');
