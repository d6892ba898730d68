import { expect } from 'vitest';
import type { CapturedMail } from './mail-capture.ts';
import type { AppClientError, ResponseRecord, TestServer } from './test-server.ts';

export const MINUTE = 60;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * The server's clock, moved only forward within a test file: windows of API.md §6 pass without
 * waiting. Rate-limit counts are kept by instant, so moving the clock back would bring old hits
 * back into their windows and mix the tests of one file.
 */
export function forwardClock(server: TestServer): { advance(seconds: number): void; readonly offset: number } {
  let offset = 0;
  return {
    advance(seconds: number) {
      offset += seconds;
      server.shiftClock(offset);
    },
    get offset() {
      return offset;
    },
  };
}

export type RateLimitWindow = {
  /** The limit's window: retryAfterSeconds may not exceed it. */
  atMost: number;
  /** The least wait that makes sense here (the window minus the time the test took, say). */
  atLeast?: number;
};

/**
 * Checks a refusal of API.md §6 as an integrator sees it: TOO_MANY_REQUESTS with reason
 * RATE_LIMITED, HTTP 429, a whole retryAfterSeconds within the window and a `Retry-After` header
 * saying the same. Returns the seconds.
 */
export function expectRateLimited(
  error: AppClientError,
  response: ResponseRecord | undefined,
  window: RateLimitWindow,
): number {
  expect({ code: error.data?.code, reason: error.data?.reason, httpStatus: error.data?.httpStatus }).toEqual({
    code: 'TOO_MANY_REQUESTS',
    reason: 'RATE_LIMITED',
    httpStatus: 429,
  });
  const seconds = error.data?.retryAfterSeconds;
  expect(Number.isInteger(seconds), `retryAfterSeconds is a whole number: ${String(seconds)}`).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(window.atLeast ?? 1);
  expect(seconds).toBeLessThanOrEqual(window.atMost);
  expect(response?.status).toBe(429);
  expect(response?.headers.get('retry-after')).toBe(String(seconds));
  return seconds as number;
}

/** Every mail the server has handed over so far (background ones included) to `to` after `since`. */
export async function deliveredMails(
  server: TestServer,
  to: string,
  since: number,
  subject?: string,
): Promise<CapturedMail[]> {
  await server.app.deps.mailer.drain();
  return server.mail
    .mailsTo(to)
    .filter((mail) => mail.seq > since && (subject === undefined || mail.subject.includes(subject)));
}
