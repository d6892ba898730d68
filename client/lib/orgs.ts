import { ORG_ROLES, orgCan, type OrgRole } from '#shared/roles.ts';
import { useSession } from './session.ts';
import { trpc } from './trpc.ts';

export const ORG_ROLE_LABEL: Record<OrgRole, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/** The caller's organizations with their role: the switcher, /orgs and every /orgs/:slug page read this one query. */
export function useMyOrgs() {
  const session = useSession();
  return trpc.orgs.mine.useQuery(undefined, { enabled: session.status === 'signed_in' });
}

/** The roles a caller may give a member (the server checks again): owner only with owners:manage. */
export function rolesToGive(callerRole: OrgRole): OrgRole[] {
  if (!orgCan(callerRole, 'members:manage')) return [];
  return ORG_ROLES.filter((role) => role !== 'owner' || orgCan(callerRole, 'owners:manage'));
}

/** The roles a caller may invite with: only owners invite owners (API.md §14). */
export function rolesToInvite(callerRole: OrgRole): OrgRole[] {
  if (!orgCan(callerRole, 'members:invite')) return [];
  return ORG_ROLES.filter((role) => role !== 'owner' || orgCan(callerRole, 'owners:manage'));
}

/** Whether the caller may change or remove a member with `targetRole`: owners only by those with owners:manage. */
export function mayManageMember(callerRole: OrgRole, targetRole: OrgRole): boolean {
  return orgCan(callerRole, 'members:manage') && (targetRole !== 'owner' || orgCan(callerRole, 'owners:manage'));
}

/** For sentences: "join as an admin". */
export const ORG_ROLE_IN_SENTENCE: Record<OrgRole, string> = {
  owner: 'an owner',
  admin: 'an admin',
  member: 'a member',
};
