import type { Role } from '#shared/roles.ts';
import type { AuthSession } from '#shared/schemas/auth.ts';
import { UserEntity } from '#server/modules/users/user.entity.ts';
import { executeSql } from '#server/lib/sql.ts';
import { tokenIn } from './mail-capture.ts';
import {
  signUpAndVerify,
  strongPassword,
  uniqueEmail,
  type ClientOptions,
  type SignedUp,
  type TestClient,
  type TestServer,
} from './test-server.ts';

/** A signed-in account: what signUpAndVerify and invitedAccount both give. */
export type Account = { session: AuthSession; client: TestClient; email: string; password: string };

export const INVITATION_SUBJECT = 'You are invited';

/** Sets a role straight in the database, as an operator would with the admin command. */
export async function setRoleInDatabase(server: TestServer, userId: string, role: Role): Promise<void> {
  await server.app.deps.orm.em.fork().nativeUpdate(UserEntity, { id: userId }, { role });
}

/**
 * Takes a fresh access token for the client's session through auth.refresh (its cookie): after a
 * role change, the token issued before it is refused by design.
 */
export async function refreshInto(client: TestClient): Promise<void> {
  const session = await client.trpc.auth.refresh.mutate();
  client.useSession(session);
}

/** A new verified member made an administrator in the database, signed in with a token that says so. */
export async function signUpAdmin(
  server: TestServer,
  account: { email?: string; password?: string; name?: string } = {},
  clientOptions: ClientOptions = {},
): Promise<SignedUp> {
  const admin = await signUpAndVerify(server, account, clientOptions);
  await setRoleInDatabase(server, admin.session.user.id, 'admin');
  await refreshInto(admin.client);
  return admin;
}

/** Signs in with email and password on a new client (a new device) and keeps the access token. */
export async function signIn(
  server: TestServer,
  email: string,
  password: string,
  clientOptions: ClientOptions = {},
): Promise<TestClient> {
  const client = server.client(clientOptions);
  const result = await client.trpc.auth.login.mutate({ email, password });
  if (result.status !== 'signed_in') throw new Error(`expected signed_in, got ${result.status}`);
  client.useSession(result.session);
  return client;
}

export type SecurityEventRow = { type: string; actorId: string | null; at: number };

/** The security_events rows of a user as stored (the API does not show the actor), oldest first. */
export async function securityEventRows(server: TestServer, userId: string): Promise<SecurityEventRow[]> {
  const rows = await executeSql<Array<{ type: string; actor_id: string | null; at: number | string }>>(
    server.app.deps.orm.em.fork(),
    'select type, actor_id, at from security_events where user_id = ? order by at, id',
    [userId],
    'all',
  );
  return rows.map((row) => ({ type: row.type, actorId: row.actor_id, at: Number(row.at) }));
}

/**
 * An account made through an invitation: the admin behind `by` invites, a new client accepts the
 * link and is signed in. The only way in under REGISTRATION_MODE=invite_only, and no sign-up limit.
 */
export async function invitedAccount(
  server: TestServer,
  by: TestClient,
  account: { email?: string; password?: string; name?: string; role?: Role } = {},
  clientOptions: ClientOptions = {},
): Promise<Account> {
  const role = account.role ?? 'user';
  const email = account.email ?? uniqueEmail(role === 'admin' ? 'admin' : 'member');
  const password = account.password ?? strongPassword();
  const since = server.mail.mark();
  await by.trpc.admin.invitations.create.mutate({ email, role });
  const mail = await server.mail.waitForMail({ to: email, subject: INVITATION_SUBJECT, since });
  const client = server.client(clientOptions);
  const session = await client.trpc.auth.acceptInvitation.mutate({
    token: tokenIn(mail, '/invite?token='),
    password,
    ...(account.name === undefined ? {} : { name: account.name }),
  });
  client.useSession(session);
  return { session, client, email, password };
}
