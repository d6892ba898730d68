import type { EntityManager } from '@mikro-orm/core';
import type { Client, Deps } from '#server/deps.ts';
import { recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { ssoProviderId } from './sso-urls.ts';

/** Who the IdP says signed in: its subject, the address and name it gives. */
export type SsoProfile = { subject: string; email: string | null; name: string | null };

export const SSO_FAILED_PATH = '/login?error=sso_failed';

/**
 * An SSO sign-in refused (API.md §15): the browser goes to /login?error=sso_failed, a security event
 * is recorded, and the message (never shown to the member) goes to the server log.
 */
export class SsoFailure extends Error {
  /** Where the browser goes instead of sso_failed, when the member can be told more (a disabled account). */
  readonly redirect: string;

  constructor(message: string, options: { cause?: unknown; redirect?: string } = {}) {
    super(message, { cause: options.cause });
    this.redirect = options.redirect ?? SSO_FAILED_PATH;
  }
}

/** The refusal's security event (no account: nobody proved one) and its reason in the server log. */
export async function recordSsoFailure(
  em: EntityManager,
  deps: Deps,
  input: { connectionId: string; client: Client; reason: string },
): Promise<void> {
  deps.log.warn({ connection: input.connectionId, reason: input.reason }, 'an SSO sign-in was refused');
  // Its own unit of work: whatever the refused sign-in had pending is not written.
  const fork = em.fork();
  recordSecurityEvent(fork, {
    user: null,
    type: 'sso.failed',
    client: input.client,
    at: deps.now(),
    provider: ssoProviderId(input.connectionId),
  });
  await fork.flush();
}
