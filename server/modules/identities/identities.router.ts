import { z } from 'zod';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import {
  IdentitySchema,
  LinkTicketSchema,
  PendingLinkInputSchema,
  PendingLinkSchema,
  type Provider,
  ProviderSchema,
  UnlinkIdentityInputSchema,
} from '#shared/schemas/identities.ts';
import { authedProcedure, publicProcedure, router } from '#server/trpc/init.ts';
import { describePendingLink, listIdentities, unlinkIdentity } from './identities.service.ts';
import { createLinkTicket } from './oauth-flows.ts';
import { providerNameOf } from './provider-config.ts';

/** API.md §12, the procedures beside the start and callback routes (server/http/oauth-routes.ts). */
export const providersProcedure = publicProcedure
  .output(z.array(ProviderSchema))
  .query(({ ctx }): Provider[] => ctx.deps.config.providers.map(({ id, name, kind }) => ({ id, name, kind })));

export const oauthRouter = router({
  linkTicket: authedProcedure.output(LinkTicketSchema).mutation(async ({ ctx }) => ({
    ticket: await createLinkTicket(ctx.em, ctx.deps, await ctx.auth.loadUser()),
  })),

  pendingLink: publicProcedure
    .input(PendingLinkInputSchema)
    .output(PendingLinkSchema)
    .query(({ ctx, input }) =>
      describePendingLink(ctx.em, ctx.deps, input.token, (id) => providerNameOf(ctx.deps.config.providers, id)),
    ),
});

export const identitiesRouter = router({
  list: authedProcedure
    .output(z.array(IdentitySchema))
    .query(({ ctx }) => listIdentities(ctx.em, ctx.deps, ctx.auth.userId)),

  unlink: authedProcedure
    .input(UnlinkIdentityInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await unlinkIdentity(ctx.em, ctx.deps, { userId: ctx.auth.userId, identityId: input.id, client: ctx.client });
      return OK;
    }),
});
