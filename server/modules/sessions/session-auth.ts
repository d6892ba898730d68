import type { EntityManager } from '@mikro-orm/core';
import type { Me } from '#shared/schemas/auth.ts';
import type { Role } from '#shared/roles.ts';
import { AppError } from '#server/lib/app-error.ts';
import { dateOf } from '#server/db/columns.ts';
import { batchedRead } from '#server/db/batched-read.ts';
import type { Deps } from '#server/deps.ts';
import { verifyJwt } from '#server/modules/keys/jwt.ts';
import { aliased, ME_COLUMNS, meOf, type MeRow } from '#server/modules/users/me.ts';
import { UserEntity, type User } from '#server/modules/users/user.entity.ts';
import { SessionEntity, type Session } from './session.entity.ts';
import type { TokenSubject } from './session-tokens.ts';

/** A live session and its account, from the session check's one row. */
export class Auth {
  #user: Promise<User> | undefined;
  #session: Promise<Session> | undefined;

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
    return {
      userId: this.userId,
      role: this.role,
      sessionId: this.sessionId,
      sessionExpiresAt: dateOf(this.row['s.expires_at']),
    };
  }

  // The check reads only what it and auth.me need (a narrow row is most of its speed:
  // docs/benchmarks.md); a procedure that changes the account loads the entities into its unit
  // of work, once per request.
  loadUser(): Promise<User> {
    this.#user ??= this.em.findOne(UserEntity, this.userId).then((user) => user ?? Promise.reject(sessionEnded()));
    return this.#user;
  }

  loadSession(): Promise<Session> {
    this.#session ??= this.em
      .findOne(SessionEntity, this.sessionId)
      .then((session) => session ?? Promise.reject(sessionEnded()));
    return this.#session;
  }
}

const sessionEnded = () => new AppError('UNAUTHENTICATED', 'Your session has ended. Please sign in again.');

/** What the check, refresh and auth.me read: nothing else (see Auth). */
const SESSION_CHECK_COLUMNS = `${aliased(['s.id', 's.user_id', 's.expires_at', 's.refresh_jti_hash'])}, ${ME_COLUMNS}`;

// Every authenticated request reads this: the checks of a turn of the event loop share one statement.
const readLiveSession = batchedRead<MeRow>(
  (size) => `select ${SESSION_CHECK_COLUMNS}
     from sessions s join users u on u.id = s.user_id join profiles p on p.user_id = u.id
     where s.id in (${Array.from({ length: size }, () => '?').join(', ')}) and s.revoked_at is null and s.expires_at > ?
       and u.disabled_at is null and u.deactivated_at is null`,
  (row) => row['s.id'] as string,
);

/**
 * A session that can still be used right now, with its user; null otherwise. Runs on every
 * authenticated request: one prepared statement (server/db/prepared.ts) for all the checks of a
 * turn of the event loop.
 */
export async function findLiveSession(
  em: EntityManager,
  deps: Deps,
  sessionId: string,
  userId: string,
): Promise<Auth | null> {
  const row = await readLiveSession(em, sessionId, [sessionId], [deps.now()]);
  // A token naming another member's session gets nothing.
  return row && row['s.user_id'] === userId ? new Auth(em, row) : null;
}

/**
 * Verifies an access token and that its session is live. A token minted before a role change
 * carries the old role and is refused, so the change takes effect on the very next request.
 */
export async function authenticateAccessToken(em: EntityManager, deps: Deps, token: string): Promise<Auth | null> {
  const { publicUrl } = deps.config;
  const claims = await verifyJwt(deps.keys, token, {
    typ: 'at+jwt',
    issuer: publicUrl,
    audience: publicUrl,
    now: deps.now(),
  });
  if (!claims) return null;
  const auth = await findLiveSession(em, deps, claims.sid, claims.sub);
  if (!auth || auth.role !== claims.role) return null;
  return auth;
}
