import { z } from 'zod';
// The router is thin: the input schema from shared/, one service call, the result as the API says.
import { OK, OkSchema } from '#shared/schemas/common.ts';
import {
  FlyerCreateInputSchema,
  FlyerIdInputSchema,
  FlyerSchema,
  FlyerUpdateInputSchema,
} from '#shared/schemas/flyers.ts';
import { authedProcedure, router } from '#server/trpc/init.ts';
import { createFlyer, deleteFlyer, listMyFlyers, setFlyerPublished, updateFlyer } from './flyers.service.ts';

export const flyersRouter = router({
  mine: authedProcedure
    .output(z.array(FlyerSchema))
    .query(async ({ ctx }) => listMyFlyers(ctx.em, await ctx.auth.loadUser())),

  create: authedProcedure
    .input(FlyerCreateInputSchema)
    .output(FlyerSchema)
    .mutation(async ({ ctx, input }) => createFlyer(ctx.em, await ctx.auth.loadUser(), input, ctx.deps.now())),

  update: authedProcedure
    .input(FlyerUpdateInputSchema)
    .output(FlyerSchema)
    .mutation(async ({ ctx, input }) => updateFlyer(ctx.em, await ctx.auth.loadUser(), input, ctx.deps.now())),

  publish: authedProcedure
    .input(FlyerIdInputSchema)
    .output(FlyerSchema)
    .mutation(async ({ ctx, input }) =>
      setFlyerPublished(ctx.em, await ctx.auth.loadUser(), input.id, true, ctx.deps.now()),
    ),

  unpublish: authedProcedure
    .input(FlyerIdInputSchema)
    .output(FlyerSchema)
    .mutation(async ({ ctx, input }) =>
      setFlyerPublished(ctx.em, await ctx.auth.loadUser(), input.id, false, ctx.deps.now()),
    ),

  delete: authedProcedure
    .input(FlyerIdInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await deleteFlyer(ctx.em, await ctx.auth.loadUser(), input.id);
      return OK;
    }),
});
