import { OK } from '#shared/schemas/common.ts';
import {
  DeletePasskeyInputSchema,
  PasskeySignInInputSchema,
  RegisterPasskeyInputSchema,
  RegistrationOptionsInputSchema,
  RenamePasskeyInputSchema,
} from '#shared/schemas/passkeys.ts';
import { deliverSession } from '#server/modules/sessions/deliver-session.ts';
import { authedProcedure, publicProcedure, router } from '#server/trpc/init.ts';
import { authenticationOptions, signInWithPasskey } from './passkey-sign-in.service.ts';
import {
  deletePasskey,
  listPasskeys,
  registerPasskey,
  registrationOptions,
  renamePasskey,
} from './passkeys.service.ts';

/** API.md §13. */
export const passkeysRouter = router({
  registrationOptions: authedProcedure
    .input(RegistrationOptionsInputSchema)
    .mutation(({ ctx, input }) => registrationOptions(ctx.em, ctx.deps, ctx.auth, input)),

  register: authedProcedure
    .input(RegisterPasskeyInputSchema)
    .mutation(({ ctx, input }) => registerPasskey(ctx.em, ctx.deps, ctx.auth, input, ctx.client)),

  list: authedProcedure.query(({ ctx }) => listPasskeys(ctx.em, ctx.auth.userId)),

  rename: authedProcedure
    .input(RenamePasskeyInputSchema)
    .mutation(({ ctx, input }) => renamePasskey(ctx.em, ctx.auth.userId, input)),

  delete: authedProcedure.input(DeletePasskeyInputSchema).mutation(async ({ ctx, input }) => {
    await deletePasskey(ctx.em, ctx.deps, { userId: ctx.auth.userId, passkeyId: input.id, client: ctx.client });
    return OK;
  }),

  authenticationOptions: publicProcedure.mutation(({ ctx }) => authenticationOptions(ctx.em, ctx.deps, ctx.client)),

  signIn: publicProcedure
    .input(PasskeySignInInputSchema)
    .mutation(async ({ ctx, input }) =>
      deliverSession(ctx, await signInWithPasskey(ctx.em, ctx.deps, input, ctx.client)),
    ),
});
