import { z } from 'zod';
import { AccountMembershipSchema } from '#shared/schemas/privacy.ts';
import {
  AdminUserPageSchema,
  AdminUsersListInputSchema,
  CreatedInvitationSchema,
  CreateInvitationInputSchema,
  InvitationIdInputSchema,
  InvitationSchema,
  SetDisabledInputSchema,
  SetRoleInputSchema,
  UserIdInputSchema,
} from '#shared/schemas/admin.ts';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import { AdminSecurityEventPageSchema, AdminSecurityEventsInputSchema } from '#shared/schemas/security-monitoring.ts';
import {
  createInvitation,
  listInvitations,
  revokeInvitation,
} from '#server/modules/invitations/invitations.service.ts';
import { listAllSecurityEvents } from '#server/modules/audit/security-monitoring.ts';
import { adminOrgsRouter } from '#server/modules/sso/sso.router.ts';
import { permittedProcedure, router } from '#server/trpc/init.ts';
import { listUserOrgs, listUsers, revokeUserSessions, setDisabled, setRole } from './admin-users.service.ts';

const readUsers = permittedProcedure('users:read');
const manageUsers = permittedProcedure('users:manage');
const manageInvitations = permittedProcedure('invitations:manage');

export const adminRouter = router({
  orgs: adminOrgsRouter,

  users: router({
    list: readUsers
      .input(AdminUsersListInputSchema)
      .output(AdminUserPageSchema)
      .query(({ ctx, input }) => listUsers(ctx.em, input)),

    orgs: readUsers
      .input(UserIdInputSchema)
      .output(z.array(AccountMembershipSchema))
      .query(({ ctx, input }) => listUserOrgs(ctx.em, input.userId)),

    setRole: manageUsers
      .input(SetRoleInputSchema)
      .output(OkSchema)
      .mutation(async ({ ctx, input }) => {
        await setRole(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.userId, input.role, ctx.client);
        return OK;
      }),

    setDisabled: manageUsers
      .input(SetDisabledInputSchema)
      .output(OkSchema)
      .mutation(async ({ ctx, input }) => {
        await setDisabled(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.userId, input.disabled, ctx.client);
        return OK;
      }),

    revokeSessions: manageUsers
      .input(UserIdInputSchema)
      .output(OkSchema)
      .mutation(async ({ ctx, input }) => {
        await revokeUserSessions(ctx.em, ctx.deps, await ctx.auth.loadUser(), input.userId, ctx.client);
        return OK;
      }),
  }),

  // Events are part of each member's record: reading them is reading users.
  securityEvents: readUsers
    .input(AdminSecurityEventsInputSchema)
    .output(AdminSecurityEventPageSchema)
    .query(({ ctx, input }) => listAllSecurityEvents(ctx.em, input)),

  invitations: router({
    create: manageInvitations
      .input(CreateInvitationInputSchema)
      .output(CreatedInvitationSchema)
      .mutation(async ({ ctx, input }) => createInvitation(ctx.em, ctx.deps, await ctx.auth.loadUser(), input)),

    list: manageInvitations.output(z.array(InvitationSchema)).query(({ ctx }) => listInvitations(ctx.em, ctx.deps)),

    revoke: manageInvitations
      .input(InvitationIdInputSchema)
      .output(OkSchema)
      .mutation(async ({ ctx, input }) => {
        await revokeInvitation(ctx.em, ctx.deps, input.id);
        return OK;
      }),
  }),
});
