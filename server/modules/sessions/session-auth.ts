import type { EntityManager } from '@mikro-orm/core';
import type { Deps } from '#server/deps.ts';
import { verifyJwt } from '#server/modules/keys/jwt.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import { SessionEntity, type Session } from './session.entity.ts';

export type Auth = { user: User; session: Session };

/** A session that can still be used right now, with its user loaded; null otherwise. */
export async function findLiveSession(em: EntityManager, deps: Deps, sessionId: string, userId: string): Promise<Auth | null> {
  const now = deps.now();
  const session = await em.findOne(
    SessionEntity,
    { id: sessionId, user: userId, revokedAt: null, expiresAt: { $gt: now } },
    { populate: ['user'] },
  );
  if (!session) return null;
  const user = session.user;
  if (user.disabledAt || user.deactivatedAt) return null;
  return { user, session };
}

/**
 * Verifies an access token and that its session is live. A token minted before a role change
 * carries the old role and is refused, so the change takes effect on the very next request.
 */
export async function authenticateAccessToken(em: EntityManager, deps: Deps, token: string): Promise<Auth | null> {
  const { publicUrl } = deps.config;
  const claims = await verifyJwt(deps.keys, token, { typ: 'at+jwt', issuer: publicUrl, audience: publicUrl, now: deps.now() });
  if (!claims) return null;
  const auth = await findLiveSession(em, deps, claims.sid, claims.sub);
  if (!auth || auth.user.role !== claims.role) return null;
  return auth;
}
