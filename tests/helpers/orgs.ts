import type { OrgRole } from '#shared/roles.ts';
import type { Org } from '#shared/schemas/orgs.ts';
import { tokenIn, type CapturedMail } from './mail-capture.ts';
import type { SignedUp, TestServer } from './test-server.ts';

export type SentInvitation = { id: string; expiresAt: string; mail: CapturedMail; token: string };

/** `by` invites `email` into `org`; returns the answer, the mail and the token of its link. */
export async function inviteToOrg(
  server: TestServer,
  by: SignedUp,
  org: Org,
  email: string,
  role: OrgRole = 'member',
): Promise<SentInvitation> {
  const since = server.mail.mark();
  const created = await by.client.trpc.orgs.invitations.create.mutate({ orgId: org.id, email, role });
  if ('results' in created) throw new Error('The single form answered a list.');
  const mail = await server.mail.waitForMail({ to: email, subject: `invited you to ${org.name}`, since });
  return { ...created, mail, token: tokenIn(mail, '/invite?token=') };
}

/** The answer of the list form of orgs.invitations.create (the procedure answers either form). */
export function batchOf<T extends object>(answer: T): Extract<T, { results: unknown }> {
  if (!('results' in answer)) throw new Error('The list form answered a single invitation.');
  return answer as Extract<T, { results: unknown }>;
}

/** `who`, an existing account, joins `org` with `role` through the mailed link of an invitation from `by`. */
export async function joinOrg(server: TestServer, by: SignedUp, org: Org, who: SignedUp, role: OrgRole): Promise<void> {
  const { token } = await inviteToOrg(server, by, org, who.email, role);
  await who.client.trpc.orgs.invitations.accept.mutate({ token });
}
