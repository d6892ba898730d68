import type { EntityManager } from '@mikro-orm/core';
import type { Me } from '#shared/schemas/auth.ts';
import type { Role } from '#shared/roles.ts';
import { mapJoined, selectColumns } from '#server/db/joined-row.ts';
import { queryPrepared } from '#server/db/prepared.ts';
import type { Deps } from '#server/deps.ts';
import { verifyJwt } from '#server/modules/keys/jwt.ts';
import { meOf, PROFILE_COLUMNS, type MeRow } from '#server/modules/users/me.ts';
import { UserEntity, type User } from '#server/modules/users/user.entity.ts';
import { SessionEntity, type Session } from './session.entity.ts';
import type { TokenSubject } from './session-tokens.ts';

/** A live session and its account, from the session check's one row. */
export class Auth {
  #user: User | undefined;
  #session: Session | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly row: MeRow,
  ) {}

  get userId(): string {
    return this.row['u.id'] as string;
  }

  get sessionId(): string {
    return this.row['s.id'] as string;
  }

  get role(): Role {
    return this.row['u.role'] as Role;
  }

  /** What auth.me answers. */
  me(): Me {
    return meOf(this.row);
  }

  /** SHA-256 of the session's current refresh token id, as the check read it. */
  get refreshJtiHash(): string {
    return this.row['s.refresh_jti_hash'] as string;
  }

  tokenSubject(): TokenSubject {
    return { userId: this.userId, role: this.role, sessionId: this.sessionId, sessionExpiresAt: new Date(this.row['s.expires_at'] as number) };
  }

  // The entities join this request's unit of work on first use only: most authenticated reads
  // never need them. One the request has loaded already is returned as it is, changes included.
  get user(): User {
    this.#user ??= this.em.getUnitOfWork().getById<User>(UserEntity.meta.className, this.userId) ?? mapJoined(this.em, UserEntity, this.row, 'u');
    return this.#user;
  }

  get session(): Session {
    this.#session ??= this.em.getUnitOfWork().getById<Session>(SessionEntity.meta.className, this.sessionId) ?? mapJoined(this.em, SessionEntity, this.row, 's');
    return this.#session;
  }
}

let liveSessionSql: string | undefined;

/**
 * A session that can still be used right now, with its user; null otherwise. Runs on every
 * authenticated request, so it is one prepared statement (server/db/prepared.ts).
 */
export async function findLiveSession(em: EntityManager, deps: Deps, sessionId: string, userId: string): Promise<Auth | null> {
  // Every column of both entities (for the lazy getters), and the profile's two that auth.me shows.
  liveSessionSql ??= `select ${selectColumns(em, SessionEntity, 's')}, ${selectColumns(em, UserEntity, 'u')}, ${PROFILE_COLUMNS}
     from sessions s join users u on u.id = s.user_id join profiles p on p.user_id = u.id
     where s.id = ? and s.user_id = ? and s.revoked_at is null and s.expires_at > ?
       and u.disabled_at is null and u.deactivated_at is null`;
  const [row] = await queryPrepared<MeRow>(em, 'read', liveSessionSql, [sessionId, userId, deps.now().getTime()]);
  return row ? new Auth(em, row) : null;
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
  if (!auth || auth.role !== claims.role) return null;
  return auth;
}
