import { createHash } from 'node:crypto';
import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS } from '#shared/constants.ts';
import type { Deps } from '#server/deps.ts';
import { signJwt } from '#server/modules/keys/jwt.ts';
import type { User } from '#server/modules/users/user.entity.ts';
import type { Session } from './session.entity.ts';

export type IssuedAccessToken = { accessToken: string; accessTokenExpiresAt: string };
export type IssuedRefreshToken = { refreshToken: string; maxAgeSeconds: number };

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export async function issueAccessToken(deps: Deps, user: User, session: Session): Promise<IssuedAccessToken> {
  const iat = seconds(deps.now());
  const exp = iat + ACCESS_TOKEN_TTL_SECONDS;
  const { publicUrl } = deps.config;
  const accessToken = await signJwt(deps.keys, 'at+jwt', {
    iss: publicUrl,
    aud: publicUrl,
    sub: user.id,
    sid: session.id,
    role: user.role,
    iat,
    exp,
  });
  return { accessToken, accessTokenExpiresAt: new Date(exp * 1000).toISOString() };
}

/** 30 days from now, never past the session's absolute end. */
export async function issueRefreshToken(deps: Deps, session: Session, jti: string): Promise<IssuedRefreshToken> {
  const iat = seconds(deps.now());
  const exp = Math.min(iat + REFRESH_TOKEN_TTL_SECONDS, seconds(session.expiresAt));
  const { publicUrl } = deps.config;
  const refreshToken = await signJwt(deps.keys, 'refresh+jwt', {
    iss: publicUrl,
    aud: publicUrl,
    sub: session.user.id,
    sid: session.id,
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
