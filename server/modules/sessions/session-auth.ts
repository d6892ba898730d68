import type { EntityManager } from '@mikro-orm/core';
import type { Me } from '#shared/schemas/auth.ts';
import type { Role } from '#shared/roles.ts';
import { AppError } from '#server/lib/app-error.ts';
import { dateOf } from '#server/db/columns.ts';
import { queryPrepared } from '#server/db/prepared.ts';
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

// Session checks arriving in the same turn of the event loop are answered by one statement:
// under load that is one SQLite call for dozens of requests instead of one each. Each check still
// reads the database after its request arrived, so a revocation is seen by the very next request.
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64];
const MAX_BATCH = BATCH_SIZES.at(-1)!;

type Waiting = { sessionId: string; resolve: (row: MeRow | undefined) => void; reject: (error: unknown) => void };
const waitingByApp = new WeakMap<Deps, Waiting[]>();
const liveSessionSql = new Map<number, string>();

/** What the check, refresh and auth.me read: nothing else (see Auth). */
const SESSION_CHECK_COLUMNS = `${aliased(['s.id', 's.user_id', 's.expires_at', 's.refresh_jti_hash'])}, ${ME_COLUMNS}`;

function liveSessionsSql(size: number): string {
  let sql = liveSessionSql.get(size);
  if (!sql) {
    sql = `select ${SESSION_CHECK_COLUMNS}
     from sessions s join users u on u.id = s.user_id join profiles p on p.user_id = u.id
     where s.id in (${Array.from({ length: size }, () => '?').join(', ')}) and s.revoked_at is null and s.expires_at > ?
       and u.disabled_at is null and u.deactivated_at is null`;
    liveSessionSql.set(size, sql);
  }
  return sql;
}

/** The live sessions among `ids` (at most MAX_BATCH), by id: one prepared statement per size. */
async function readLiveSessions(em: EntityManager, deps: Deps, ids: string[]): Promise<Map<string, MeRow>> {
  const size = BATCH_SIZES.find((candidate) => candidate >= ids.length)!;
  const padded = [...ids, ...Array.from({ length: size - ids.length }, () => ids[0])];
  const rows = await queryPrepared<MeRow>(em, 'read', liveSessionsSql(size), [...padded, deps.now()]);
  return new Map(rows.map((row) => [row['s.id'] as string, row]));
}

async function answer(em: EntityManager, deps: Deps, waiting: Waiting[]): Promise<void> {
  const ids = [...new Set(waiting.map((check) => check.sessionId))];
  const chunks = Array.from({ length: Math.ceil(ids.length / MAX_BATCH) }, (_, i) =>
    ids.slice(i * MAX_BATCH, (i + 1) * MAX_BATCH),
  );
  try {
    const found = new Map(
      (await Promise.all(chunks.map((chunk) => readLiveSessions(em, deps, chunk)))).flatMap((rows) => [...rows]),
    );
    for (const check of waiting) check.resolve(found.get(check.sessionId));
  } catch (error) {
    for (const check of waiting) check.reject(error);
  }
}

/** The live session's row, read with every other check of this turn of the event loop. */
function readInBatch(em: EntityManager, deps: Deps, sessionId: string): Promise<MeRow | undefined> {
  let waiting = waitingByApp.get(deps);
  if (!waiting) {
    const batch: Waiting[] = [];
    waiting = batch;
    waitingByApp.set(deps, batch);
    setImmediate(() => {
      waitingByApp.delete(deps);
      void answer(em, deps, batch);
    });
  }
  const queue = waiting;
  return new Promise((resolve, reject) => queue.push({ sessionId, resolve, reject }));
}

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
  const row = em.isInTransaction()
    ? (await readLiveSessions(em, deps, [sessionId])).get(sessionId)
    : await readInBatch(em, deps, sessionId);
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
