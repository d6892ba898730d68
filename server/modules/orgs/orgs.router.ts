import { z } from 'zod';
import type { OrgRole } from '#shared/roles.ts';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import {
  InvitationTokenInputSchema,
  MemberInputSchema,
  MemberPageSchema,
  MemberSetRoleInputSchema,
  MembersListInputSchema,
  MyOrgSchema,
  OrgCreateInputSchema,
  OrgDeleteInputSchema,
  OrgEventPageSchema,
  OrgInvitationCreateInputSchema,
  OrgInvitationCreateResultSchema,
  OrgInvitationIdInputSchema,
  OrgInvitationSchema,
  OrgLogInputSchema,
  OrgSchema,
  OrgUpdateInputSchema,
  OrgWithRoleSchema,
} from '#shared/schemas/orgs.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { orgProcedure } from '#server/trpc/org-procedure.ts';
import { orgSsoRouter } from '#server/modules/sso/sso.router.ts';
import { listMembers, removeMember, setMemberRole } from './members.service.ts';
import { toOrg, type OrgAccess } from './org-access.ts';
import {
  acceptOrgInvitation,
  createOrgInvitations,
  listOrgInvitations,
  revokeOrgInvitation,
} from './org-invitations.service.ts';
import { listOrgLog } from './org-log.ts';
import type { Organization } from './organization.entity.ts';
import { createOrg, deleteOrg, listMyOrgs, updateOrg } from './orgs.service.ts';

const accessOf = (ctx: { org: Organization; orgRole: OrgRole }): OrgAccess => ({ org: ctx.org, role: ctx.orgRole });

export const orgsRouter = router({
  create: authedProcedure
    .input(OrgCreateInputSchema)
    .output(OrgSchema)
    .mutation(async ({ ctx, input }) => createOrg(ctx.em, ctx.deps, await ctx.auth.loadUser(), input)),

  mine: authedProcedure.output(z.array(MyOrgSchema)).query(({ ctx }) => listMyOrgs(ctx.em, ctx.auth.userId)),

  get: orgProcedure('members:read')
    .output(OrgWithRoleSchema)
    .query(({ ctx }) => ({ ...toOrg(ctx.org), role: ctx.orgRole })),

  update: orgProcedure('org:update')
    .input(OrgUpdateInputSchema)
    .output(OrgSchema)
    .mutation(({ ctx, input }) => updateOrg(ctx.em, ctx.deps, ctx.auth.userId, ctx.org, input)),

  delete: orgProcedure('org:delete')
    .input(OrgDeleteInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await deleteOrg(ctx.em, await ctx.auth.loadUser(), ctx.org, input.password);
      return OK;
    }),

  leave: orgProcedure('members:read')
    .output(OkSchema)
    .mutation(async ({ ctx }) => {
      await removeMember(ctx.em, ctx.deps, ctx.auth.userId, accessOf(ctx), ctx.auth.userId);
      return OK;
    }),

  members: router({
    list: orgProcedure('members:read')
      .input(MembersListInputSchema)
      .output(MemberPageSchema)
      .query(({ ctx, input }) => listMembers(ctx.em, accessOf(ctx), input)),

    setRole: orgProcedure('members:manage')
      .input(MemberSetRoleInputSchema)
      .output(OkSchema)
      .mutation(async ({ ctx, input }) => {
        await setMemberRole(ctx.em, ctx.deps, ctx.auth.userId, accessOf(ctx), input.userId, input.role);
        return OK;
      }),

    remove: orgProcedure('members:manage')
      .input(MemberInputSchema)
      .output(OkSchema)
      .mutation(async ({ ctx, input }) => {
        await removeMember(ctx.em, ctx.deps, ctx.auth.userId, accessOf(ctx), input.userId);
        return OK;
      }),
  }),

  invitations: router({
    create: orgProcedure('members:invite')
      .input(OrgInvitationCreateInputSchema)
      .output(OrgInvitationCreateResultSchema)
      .mutation(({ ctx, input }) => createOrgInvitations(ctx.em, ctx.deps, ctx.auth.userId, accessOf(ctx), input)),

    list: orgProcedure('members:invite')
      .output(z.array(OrgInvitationSchema))
      .query(({ ctx }) => listOrgInvitations(ctx.em, ctx.deps, accessOf(ctx))),

    revoke: orgProcedure('members:invite')
      .input(OrgInvitationIdInputSchema)
      .output(OkSchema)
      .mutation(async ({ ctx, input }) => {
        await revokeOrgInvitation(ctx.em, ctx.deps, ctx.auth.userId, accessOf(ctx), input.id);
        return OK;
      }),

    accept: authedProcedure
      .input(InvitationTokenInputSchema)
      .output(OrgSchema)
      .mutation(async ({ ctx, input }) =>
        acceptOrgInvitation(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.token),
      ),
  }),

  sso: orgSsoRouter,

  log: orgProcedure('members:manage')
    .input(OrgLogInputSchema)
    .output(OrgEventPageSchema)
    .query(({ ctx, input }) => listOrgLog(ctx.em, accessOf(ctx), input)),
});
