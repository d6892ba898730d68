import { z } from 'zod';
import { AuthSessionSchema } from '#shared/schemas/auth.ts';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import {
  AuthenticationOptionsSchema,
  DeletePasskeyInputSchema,
  PasskeySchema,
  PasskeySignInInputSchema,
  RegisterPasskeyInputSchema,
  RegistrationOptionsInputSchema,
  RegistrationOptionsSchema,
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
    .output(RegistrationOptionsSchema)
    .mutation(({ ctx, input }) => registrationOptions(ctx.em, ctx.deps, ctx.auth, input)),

  register: authedProcedure
    .input(RegisterPasskeyInputSchema)
    .output(PasskeySchema)
    .mutation(({ ctx, input }) => registerPasskey(ctx.em, ctx.deps, ctx.auth, input, ctx.client)),

  list: authedProcedure.output(z.array(PasskeySchema)).query(({ ctx }) => listPasskeys(ctx.em, ctx.auth.userId)),

  rename: authedProcedure
    .input(RenamePasskeyInputSchema)
    .output(PasskeySchema)
    .mutation(({ ctx, input }) => renamePasskey(ctx.em, ctx.auth.userId, input)),

  delete: authedProcedure
    .input(DeletePasskeyInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await deletePasskey(ctx.em, ctx.deps, { userId: ctx.auth.userId, passkeyId: input.id, client: ctx.client });
      return OK;
    }),

  authenticationOptions: publicProcedure
    .output(AuthenticationOptionsSchema)
    .mutation(({ ctx }) => authenticationOptions(ctx.em, ctx.deps, ctx.client)),

  signIn: publicProcedure
    .input(PasskeySignInInputSchema)
    .output(AuthSessionSchema)
    .mutation(async ({ ctx, input }) =>
      deliverSession(ctx, await signInWithPasskey(ctx.em, ctx.deps, input, ctx.client)),
    ),
});
