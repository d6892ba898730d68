import { orgCan, type OrgPermission } from '#shared/roles.ts';
import { OrgIdInputSchema } from '#shared/schemas/orgs.ts';
import { AppError } from '#server/lib/app-error.ts';
import { findMembership, orgNotFound } from '#server/modules/orgs/org-access.ts';
import { authedProcedure } from './init.ts';

/**
 * For procedures scoped to one organization (API.md §14): the input carries `orgId`; the caller must
 * be a member (else NOT_FOUND, as for an organization that does not exist) whose role grants the
 * permission (else FORBIDDEN). The procedure sees `ctx.org` and `ctx.orgRole`. Chain `.input()` with
 * the rest of the input: tRPC merges it with `{orgId}`.
 */
export function orgProcedure(permission: OrgPermission) {
  return authedProcedure.input(OrgIdInputSchema).use(async ({ ctx, input, next }) => {
    const access = await findMembership(ctx.em, input.orgId, ctx.auth.userId);
    if (!access) throw orgNotFound();
    if (!orgCan(access.role, permission))
      throw new AppError('FORBIDDEN', 'Your role in this organization does not allow this.');
    return next({ ctx: { org: access.org, orgRole: access.role } });
  });
}
