import { z } from 'zod';
import { OK } from '#shared/schemas/common.ts';
import { ContactInputSchema, ProfileGetInputSchema, ProfileUpdateInputSchema } from '#shared/schemas/profile.ts';
import { authedProcedure, publicProcedure, router } from '#server/trpc/init.ts';
import { removeAvatar, uploadAvatar } from './avatar.service.ts';
import { contactMember } from './contact.service.ts';
import { getPublicProfile, updateProfileName } from './profile.service.ts';

export const profileRouter = router({
  get: publicProcedure.input(ProfileGetInputSchema).query(({ ctx, input }) => getPublicProfile(ctx.em, input.userId)),

  update: authedProcedure
    .input(ProfileUpdateInputSchema)
    .mutation(async ({ ctx, input }) => updateProfileName(ctx.em, await ctx.auth.loadUser(), input.name)),

  // multipart/form-data with a `file` field (tRPC v11 FormData input).
  uploadAvatar: authedProcedure
    .input(z.instanceof(FormData, { message: 'Send the image as multipart/form-data with a "file" field.' }))
    .mutation(async ({ ctx, input }) => uploadAvatar(ctx.em, ctx.deps, await ctx.auth.loadUser(), input)),

  removeAvatar: authedProcedure.mutation(async ({ ctx }) => {
    await removeAvatar(ctx.em, await ctx.auth.loadUser());
    return OK;
  }),

  contact: authedProcedure.input(ContactInputSchema).mutation(async ({ ctx, input }) => {
    await contactMember(ctx.em, ctx.deps, await ctx.auth.loadUser(), input);
    return OK;
  }),
});
