import type { EntityManager } from '@mikro-orm/core';
import type { AcceptInvitationInput } from '#shared/schemas/auth.ts';
import type { InvitationDetails } from '#shared/schemas/orgs.ts';
import type { Client, Deps } from '#server/deps.ts';
import { sha256Hex } from '#server/lib/hash.ts';
import { findOrgInvitation, joinAsNewAccount } from '#server/modules/orgs/org-invitations.service.ts';
import type { Organization } from '#server/modules/orgs/organization.entity.ts';
import type { SignedIn } from '#server/modules/sessions/sessions.service.ts';
import { findUserByEmail } from '#server/modules/users/users.service.ts';
import { InvitationEntity } from './invitation.entity.ts';
import { invalidInvitation, statusOf } from './invitation-state.ts';
import { acceptInvitation } from './invitations.service.ts';

// One /invite?token= link for both kinds (API.md §10 and §14): the token says which.

const findSystemInvitation = (em: EntityManager, token: string) =>
  em.findOne(InvitationEntity, { tokenHash: sha256Hex(token) });

const detailsFor = async (
  em: EntityManager,
  email: string,
  organization: InvitationDetails['organization'],
): Promise<InvitationDetails> => ({ email, accountExists: (await findUserByEmail(em, email)) !== null, organization });

/** What the invitation page shows first; INVALID_TOKEN unless the invitation can still be accepted. */
export async function invitationDetails(em: EntityManager, deps: Deps, token: string): Promise<InvitationDetails> {
  const now = deps.now();
  const system = await findSystemInvitation(em, token);
  if (system) {
    if (statusOf(system, now) !== 'pending') throw invalidInvitation();
    return detailsFor(em, system.email, null);
  }
  const invitation = await findOrgInvitation(em, token);
  if (!invitation || statusOf(invitation, now) !== 'pending') throw invalidInvitation();
  const org = invitation.org as Organization;
  return detailsFor(em, invitation.email, { name: org.name, slug: org.slug, role: invitation.role });
}

/** A person without an account accepts: the account is made with what the invitation carries. */
export async function acceptInvitationLink(
  em: EntityManager,
  deps: Deps,
  input: AcceptInvitationInput,
  client: Client,
): Promise<SignedIn> {
  const system = await findSystemInvitation(em, input.token);
  if (system) return acceptInvitation(em, deps, system, input, client);
  const invitation = await findOrgInvitation(em, input.token);
  if (invitation) return joinAsNewAccount(em, deps, invitation, input, client);
  throw invalidInvitation();
}
