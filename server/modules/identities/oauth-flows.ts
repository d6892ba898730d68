import type { EntityManager } from '@mikro-orm/core';
import * as oidc from 'openid-client';
import type { Client, Deps } from '#server/deps.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { enforceRateLimit, type RateLimitRule } from '#server/modules/rate-limit/rate-limit.ts';
import { consumeOneTimeToken, createOneTimeToken } from '#server/modules/tokens/one-time-tokens.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { OAuthFlowEntity, type FlowIntent, type OAuthFlow } from './oauth-flow.entity.ts';
import type { ProviderClient } from './provider-clients.ts';
import { safeReturnTo } from './return-to.ts';

const FLOW_TTL_SECONDS = 10 * 60; // 10 minutes (API.md §12)
const LINK_TICKET_TTL_SECONDS = 2 * 60; // 2 minutes

/** The callback of a provider: built from PUBLIC_URL, never from the Host header. */
export const callbackUrlOf = (deps: Pick<Deps, 'config'>, providerId: string) =>
  `${deps.config.publicUrl}/auth/oauth/${encodeURIComponent(providerId)}/callback`;

/** `auth.oauth.linkTicket`: lets the next start, a full page load without the bearer token, link for this member. */
export async function createLinkTicket(em: EntityManager, deps: Deps, user: User): Promise<string> {
  const ticket = createOneTimeToken(em, {
    purpose: 'link_ticket',
    user,
    email: user.email,
    ttlSeconds: LINK_TICKET_TTL_SECONDS,
    now: deps.now(),
  });
  await em.flush();
  return ticket;
}

/** A flow could not begin; the browser goes back with this `error`. */
export class FlowRefused extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

/**
 * Begins a sign-in or a link: keeps state, PKCE verifier and nonce in the database and answers the
 * provider's authorization URL. `browser` is this browser's cookie secret (made when it has none).
 */
export async function startFlow(
  em: EntityManager,
  deps: Deps,
  input: {
    client: ProviderClient;
    /** What the flow is kept under: the provider's id, or an SSO connection's. */
    flowKey: string;
    callbackUrl: string;
    intent: FlowIntent;
    returnTo: string | undefined;
    ticket: string | undefined;
    browser: string;
    caller: Client;
    /** The per-IP limit of starts (§12's, or an SSO connection's own). */
    limit: { rule: RateLimitRule; key: string };
  },
): Promise<URL> {
  const now = deps.now();
  await enforceRateLimit(em, input.limit.rule, input.limit.key, now, 'Too many sign-ins started.');
  let user: User | null = null;
  if (input.intent === 'link') {
    const ticket = input.ticket ? await consumeOneTimeToken(em, 'link_ticket', input.ticket, now) : null;
    if (!ticket?.user) throw new FlowRefused('invalid_state');
    user = ticket.user;
  }
  const provider = input.client.provider;
  const state = oidc.randomState();
  const nonce = provider.kind === 'oidc' ? oidc.randomNonce() : null;
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const url = await input.client.authorizationUrl({
    state,
    nonce: nonce ?? '',
    codeVerifier,
    redirectUri: input.callbackUrl,
  });
  em.create(OAuthFlowEntity, {
    stateHash: sha256Hex(state),
    browserHash: sha256Hex(input.browser),
    provider: input.flowKey,
    codeVerifier,
    nonce,
    intent: input.intent,
    user,
    returnTo: safeReturnTo(input.returnTo, deps.config.publicUrl),
    expiresAt: new Date(now.getTime() + FLOW_TTL_SECONDS * 1000),
  });
  await em.flush();
  return url;
}

/**
 * Ends the flow this callback's `state` names, once: it must be this provider's, this browser's
 * (login CSRF) and not expired. Null for anything else.
 */
export async function takeFlow(
  em: EntityManager,
  deps: Deps,
  input: { providerId: string; state: string | null; browser: string | undefined },
): Promise<OAuthFlow | null> {
  if (!input.state) return null;
  const flow = await em.findOne(OAuthFlowEntity, { stateHash: sha256Hex(input.state) }, { populate: ['user'] });
  if (!flow) return null;
  const taken = (await em.nativeDelete(OAuthFlowEntity, { id: flow.id })) === 1;
  const valid =
    taken &&
    flow.provider === input.providerId &&
    input.browser !== undefined &&
    flow.browserHash === sha256Hex(input.browser) &&
    flow.expiresAt > deps.now();
  return valid ? flow : null;
}
