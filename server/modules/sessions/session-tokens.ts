import { createHash } from 'node:crypto';
import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } from '#shared/constants.ts';
import type { Deps } from '#server/deps.ts';
import { signJwt } from '#server/modules/keys/jwt.ts';
import type { Role } from '#shared/roles.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import type { Session } from './session.entity.ts';

export type IssuedAccessToken = { accessToken: string; accessTokenExpiresAt: string };
export type IssuedRefreshToken = { refreshToken: string; maxAgeSeconds: number };

/** Whom the tokens name: a session of a user, with the user's role as of now. */
export type TokenSubject = { userId: string; role: Role; sessionId: string; sessionExpiresAt: Date };

export function tokenSubject(
  user: Pick<User, 'id' | 'role'>,
  session: Pick<Session, 'id' | 'expiresAt'>,
): TokenSubject {
  return { userId: user.id, role: user.role, sessionId: session.id, sessionExpiresAt: session.expiresAt };
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export async function issueAccessToken(deps: Deps, subject: TokenSubject): Promise<IssuedAccessToken> {
  const iat = seconds(deps.now());
  const exp = iat + ACCESS_TOKEN_TTL_SECONDS;
  const { publicUrl } = deps.config;
  const accessToken = await signJwt(deps.keys, 'at+jwt', {
    iss: publicUrl,
    aud: publicUrl,
    sub: subject.userId,
    sid: subject.sessionId,
    role: subject.role,
    iat,
    exp,
  });
  return { accessToken, accessTokenExpiresAt: new Date(exp * 1000).toISOString() };
}

/** 30 days from now, never past the session's absolute end. */
export async function issueRefreshToken(deps: Deps, subject: TokenSubject, jti: string): Promise<IssuedRefreshToken> {
  const iat = seconds(deps.now());
  const exp = Math.min(iat + REFRESH_TOKEN_TTL_SECONDS, seconds(subject.sessionExpiresAt));
  const { publicUrl } = deps.config;
  const refreshToken = await signJwt(deps.keys, 'refresh+jwt', {
    iss: publicUrl,
    aud: publicUrl,
    sub: subject.userId,
    sid: subject.sessionId,
    jti,
    iat,
    exp,
  });
  return { refreshToken, maxAgeSeconds: Math.max(exp - iat, 0) };
}

/**
 * The jti that replaces `jti` at rotation. Deriving it (rather than drawing it at random) lets a
 * second tab that presents the just-retired token receive the same current token, while the
 * session row keeps only hashes. See docs/decisions/0003-refresh-rotation.md.
 */
export function successorJti(jti: string): string {
  return encodeBase64urlNoPadding(createHash('sha256').update(`latchkey/refresh-successor/${jti}`).digest());
}
