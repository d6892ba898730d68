// Thin, as every router: each procedure is orgProcedure (membership and permission read on every
// call), the input schema from shared/, one service call.
import type { OrgRole } from '#shared/roles.ts';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import {
  NoticeIdInputSchema,
  NoticeListInputSchema,
  NoticePageSchema,
  NoticePostInputSchema,
  NoticeSchema,
} from '#shared/schemas/notices.ts';
import type { Organization } from '#server/modules/orgs/organization.entity.ts';
import { router } from '#server/trpc/init.ts';
import { orgProcedure } from '#server/trpc/org-procedure.ts';
import { deleteNotice, listNotices, postNotice, type NoticeCaller } from './notices.service.ts';

const callerOf = (ctx: { org: Organization; orgRole: OrgRole; auth: { userId: string } }): NoticeCaller => ({
  orgId: ctx.org.id,
  role: ctx.orgRole,
  userId: ctx.auth.userId,
});

// Every member reads and posts; who may delete is decided per notice (its author, or members:manage).
const memberProcedure = orgProcedure('members:read');

export const noticesRouter = router({
  list: memberProcedure
    .input(NoticeListInputSchema)
    .output(NoticePageSchema)
    .query(({ ctx, input }) => listNotices(ctx.em, callerOf(ctx), input)),

  post: memberProcedure
    .input(NoticePostInputSchema)
    .output(NoticeSchema)
    .mutation(({ ctx, input }) => postNotice(ctx.em, callerOf(ctx), input, ctx.deps.now())),

  delete: memberProcedure
    .input(NoticeIdInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await deleteNotice(ctx.em, callerOf(ctx), input.noticeId);
      return OK;
    }),
});
