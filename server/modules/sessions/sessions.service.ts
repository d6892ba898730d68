import type { EntityManager } from '@mikro-orm/core';
import { SESSION_MAX_AGE_SECONDS } from '#shared/constants.ts';
import type { AuthSession, Me } from '#shared/schemas/auth.ts';
import { inWriteTransaction, queryPrepared } from '#server/db/prepared.ts';
import type { Client, Deps } from '#server/deps.ts';
import { AppError } from '#server/lib/app-error.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { newId, newSecret } from '#server/lib/ids.ts';
import { logOwnSecurityEvent } from '#server/modules/audit/security-event-log.ts';
import { insertSecurityEvent, recordSecurityEvent } from '#server/modules/audit/security-events.ts';
import { verifyJwt } from '#server/modules/keys/jwt.ts';
import { loadMe } from '#server/modules/users/me.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import type { SessionInfo } from '#shared/schemas/sessions.ts';
import { findLiveSession, type Auth } from './session-auth.ts';
import { SessionEntity, type Session } from './session.entity.ts';
import {
  issueAccessToken,
  issueRefreshToken,
  successorJti,
  tokenSubject,
  type IssuedRefreshToken,
  type TokenSubject,
} from './session-tokens.ts';

/** What a sign-in hands back: the body for the client and the refresh token for the cookie. */
export type SignedIn = { authSession: AuthSession; refresh: IssuedRefreshToken };

async function signedIn(deps: Deps, subject: TokenSubject, me: Me | Promise<Me>, jti: string): Promise<SignedIn> {
  const [access, refresh, user] = await Promise.all([
    issueAccessToken(deps, subject),
    issueRefreshToken(deps, subject, jti),
    me,
  ]);
  return { authSession: { ...access, user }, refresh };
}

const START_SQL = {
  session: `insert into sessions (id, user_id, created_at, last_used_at, expires_at, ip, user_agent, refresh_jti_hash)
    values (?, ?, ?, ?, ?, ?, ?, ?)`,
  user: `update users set last_sign_in_at = ?, updated_at = ? where id = ?`,
};

/**
 * Opens a session for this device: its row, the security event and the account's last sign-in, in
 * one transaction with the caller's pending changes (server/db/prepared.ts, inWriteTransaction).
 */
export async function startSession(
  em: EntityManager,
  deps: Deps,
  user: User,
  client: Client,
  provider?: string,
): Promise<SignedIn> {
  const now = deps.now();
  const jti = newSecret();
  const session = { id: newId(), expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000) };
  await inWriteTransaction(em, async (query) => {
    await query(START_SQL.session, [
      session.id,
      user.id,
      now,
      now,
      session.expiresAt,
      client.ip,
      client.userAgent,
      sha256Hex(jti),
    ]);
    await insertSecurityEvent(query, { userId: user.id, type: 'session.started', client, at: now, provider });
    await query(START_SQL.user, [now, now, user.id]);
  });
  logOwnSecurityEvent(deps.log, { type: 'session.started', userId: user.id, client });
  return signedIn(deps, tokenSubject(user, session), loadMe(em, user.id), jti);
}

const unauthenticated = () => new AppError('UNAUTHENTICATED', 'Your session has ended. Please sign in again.');

async function verifyRefreshToken(deps: Deps, token: string) {
  const { publicUrl } = deps.config;
  const claims = await verifyJwt(deps.keys, token, {
    typ: 'refresh+jwt',
    issuer: publicUrl,
    audience: publicUrl,
    now: deps.now(),
  });
  return claims && typeof claims.jti === 'string' ? { ...claims, jti: claims.jti } : null;
}

const ROTATE_SQL = `update sessions
  set refresh_jti_hash = ?, previous_jti_hash = ?, rotated_at = ?, last_used_at = ?, ip = ?, user_agent = ?
  where id = ? and refresh_jti_hash = ? and revoked_at is null
  returning id`;

/**
 * Rotates the refresh token (API.md §3). The current token is swapped by a conditional update, so
 * two concurrent refreshes cannot both rotate; the loser finds its token just retired and, inside
 * the grace window, gets the winner's successor. A retired token presented later revokes the session.
 */
export async function refreshSession(em: EntityManager, deps: Deps, token: string, client: Client): Promise<SignedIn> {
  const claims = await verifyRefreshToken(deps, token);
  if (!claims) throw unauthenticated();
  const auth = await findLiveSession(em, deps, claims.sid, claims.sub);
  if (!auth) throw unauthenticated();
  const now = deps.now();
  const presented = sha256Hex(claims.jti);
  const next = successorJti(claims.jti);
  const subject = auth.tokenSubject();

  // The usual case, from the session check's row alone: one prepared update (server/db/prepared.ts).
  if (presented === auth.refreshJtiHash) {
    const rotated = await queryPrepared(em, 'write', ROTATE_SQL, [
      sha256Hex(next),
      presented,
      now,
      now,
      client.ip,
      client.userAgent,
      auth.sessionId,
      presented,
    ]);
    if (rotated.length === 1) return signedIn(deps, subject, auth.me(), next);
  }

  // Another request rotated first, or the token is a retired one: decide on the current row.
  const [user, session] = await Promise.all([auth.loadUser(), auth.loadSession()]);

  const graceMs = deps.config.refreshReuseGraceSeconds * 1000;
  const withinGrace = session.rotatedAt != null && now.getTime() - session.rotatedAt.getTime() <= graceMs;
  if (presented === session.previousJtiHash && withinGrace && sha256Hex(next) === session.refreshJtiHash) {
    return signedIn(deps, subject, auth.me(), next);
  }

  // Reuse of a retired token: someone else may hold this session's refresh token. End it.
  session.revokedAt = now;
  recordSecurityEvent(em, { user, type: 'refresh.reuse_detected', client, at: now });
  await em.flush();
  throw unauthenticated();
}

async function sessionsNamedBy(
  deps: Deps,
  refreshToken: string | null,
  accessToken: string | null,
): Promise<Array<{ sid: string; sub: string }>> {
  const ids: Array<{ sid: string; sub: string }> = [];
  const { publicUrl } = deps.config;
  // An expired token still names its session: logging out with one must still end that session.
  const later = new Date(0);
  if (refreshToken) {
    const claims = await verifyJwt(deps.keys, refreshToken, {
      typ: 'refresh+jwt',
      issuer: publicUrl,
      audience: publicUrl,
      now: later,
    });
    if (claims) ids.push({ sid: claims.sid, sub: claims.sub });
  }
  if (accessToken) {
    const claims = await verifyJwt(deps.keys, accessToken, {
      typ: 'at+jwt',
      issuer: publicUrl,
      audience: publicUrl,
      now: later,
    });
    if (claims) ids.push({ sid: claims.sid, sub: claims.sub });
  }
  return ids;
}

/** Ends the session(s) the presented tokens belong to. Idempotent: unknown or ended sessions are fine. */
export async function endSession(
  em: EntityManager,
  deps: Deps,
  tokens: { refreshToken: string | null; accessToken: string | null },
  client: Client,
): Promise<void> {
  const now = deps.now();
  for (const { sid, sub } of await sessionsNamedBy(deps, tokens.refreshToken, tokens.accessToken)) {
    const session = await em.findOne(SessionEntity, { id: sid, user: sub, revokedAt: null });
    if (!session) continue;
    session.revokedAt = now;
    recordSecurityEvent(em, { user: session.user, type: 'session.ended', client, at: now });
  }
  await em.flush();
}

/** Ends every live session of the user at once (but `exceptSessionId`): their tokens fail on their next request. */
export async function revokeSessionsOf(
  em: EntityManager,
  userId: string,
  now: Date,
  exceptSessionId?: string,
): Promise<number> {
  return em.nativeUpdate(
    SessionEntity,
    { user: userId, revokedAt: null, ...(exceptSessionId ? { id: { $ne: exceptSessionId } } : {}) },
    { revokedAt: now },
  );
}

/** New tokens for the same session, the old refresh token retired at once (no grace): after a password change. */
export async function reissueSession(em: EntityManager, deps: Deps, user: User, session: Session): Promise<SignedIn> {
  const jti = newSecret();
  session.refreshJtiHash = sha256Hex(jti);
  session.previousJtiHash = null;
  session.rotatedAt = null;
  session.lastUsedAt = deps.now();
  await em.flush();
  return signedIn(deps, tokenSubject(user, session), loadMe(em, user.id), jti);
}

export async function listSessions(em: EntityManager, deps: Deps, auth: Auth): Promise<SessionInfo[]> {
  const sessions = await em.find(
    SessionEntity,
    { user: auth.userId, revokedAt: null, expiresAt: { $gt: deps.now() } },
    { orderBy: { createdAt: 'desc', id: 'asc' } },
  );
  return sessions.map((session) => ({
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
    current: session.id === auth.sessionId,
  }));
}

/** Only the caller's own live sessions: anyone else's id is simply not found. */
export async function revokeSession(
  em: EntityManager,
  deps: Deps,
  auth: Auth,
  sessionId: string,
  client: Client,
): Promise<void> {
  const now = deps.now();
  const revoked = await em.nativeUpdate(
    SessionEntity,
    { id: sessionId, user: auth.userId, revokedAt: null },
    { revokedAt: now },
  );
  if (revoked === 0) throw new AppError('NOT_FOUND', 'There is no such session on your account.');
  recordSecurityEvent(em, { user: await auth.loadUser(), type: 'session.revoked', client, at: now });
  await em.flush();
}

export async function revokeOtherSessions(em: EntityManager, deps: Deps, auth: Auth, client: Client): Promise<void> {
  const now = deps.now();
  await revokeSessionsOf(em, auth.userId, now, auth.sessionId);
  recordSecurityEvent(em, { user: await auth.loadUser(), type: 'sessions.revoked_others', client, at: now });
  await em.flush();
}
