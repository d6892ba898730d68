import { z } from 'zod';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import {
  AvatarResultSchema,
  ContactInputSchema,
  ProfileGetInputSchema,
  ProfileUpdateInputSchema,
  PublicProfileSchema,
} from '#shared/schemas/profile.ts';
import { authedProcedure, publicProcedure, router } from '#server/trpc/init.ts';
import { removeAvatar, uploadAvatar } from './avatar.service.ts';
import { contactMember } from './contact.service.ts';
import { getPublicProfile, updateProfileName } from './profile.service.ts';

export const profileRouter = router({
  get: publicProcedure
    .input(ProfileGetInputSchema)
    .output(PublicProfileSchema)
    .query(({ ctx, input }) => getPublicProfile(ctx.em, input.userId)),

  update: authedProcedure
    .input(ProfileUpdateInputSchema)
    .output(PublicProfileSchema)
    .mutation(async ({ ctx, input }) => updateProfileName(ctx.em, await ctx.auth.loadUser(), input.name)),

  // multipart/form-data with a `file` field (tRPC v11 FormData input).
  uploadAvatar: authedProcedure
    .input(z.instanceof(FormData, { message: 'Send the image as multipart/form-data with a "file" field.' }))
    .output(AvatarResultSchema)
    .mutation(async ({ ctx, input }) => uploadAvatar(ctx.em, ctx.deps, await ctx.auth.loadUser(), input)),

  removeAvatar: authedProcedure.output(OkSchema).mutation(async ({ ctx }) => {
    await removeAvatar(ctx.em, await ctx.auth.loadUser());
    return OK;
  }),

  contact: authedProcedure
    .input(ContactInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await contactMember(ctx.em, ctx.deps, await ctx.auth.loadUser(), input);
      return OK;
    }),
});
