import { z } from 'zod';
import { OK, OkSchema } from '#shared/schemas/common.ts';
import {
  AdminVerifyDomainInputSchema,
  DomainChallengeSchema,
  SsoConnectionCreateInputSchema,
  SsoConnectionIdInputSchema,
  SsoConnectionSchema,
  SsoConnectionUpdateInputSchema,
  SsoDiscoverInputSchema,
  SsoDiscoverResultSchema,
  SsoDomainInputSchema,
  SsoDomainSchema,
} from '#shared/schemas/sso.ts';
import { permittedProcedure, publicProcedure, router } from '#server/trpc/init.ts';
import { orgProcedure } from '#server/trpc/org-procedure.ts';
import { createConnection, deleteConnection, listConnections, updateConnection } from './connections.service.ts';
import { discoverConnection } from './discovery.ts';
import { domainChallenge, listDomains, removeDomain, verifyDomain, verifyDomainAsAdmin } from './domains.service.ts';

const manageSso = orgProcedure('sso:manage');

/** `orgs.sso.*` (API.md §15): an organization's connections and domains, for its owners. */
export const orgSsoRouter = router({
  list: manageSso.output(z.array(SsoConnectionSchema)).query(({ ctx }) => listConnections(ctx.em, ctx.deps, ctx.org)),

  create: manageSso
    .input(SsoConnectionCreateInputSchema)
    .output(SsoConnectionSchema)
    .mutation(({ ctx, input }) => createConnection(ctx.em, ctx.deps, ctx.auth.userId, ctx.org, input)),

  update: manageSso
    .input(SsoConnectionUpdateInputSchema)
    .output(SsoConnectionSchema)
    .mutation(({ ctx, input }) => updateConnection(ctx.em, ctx.deps, ctx.auth.userId, ctx.org, input)),

  delete: manageSso
    .input(SsoConnectionIdInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await deleteConnection(ctx.em, ctx.deps, ctx.auth.userId, ctx.org, input.connectionId);
      return OK;
    }),

  domains: manageSso.output(z.array(SsoDomainSchema)).query(({ ctx }) => listDomains(ctx.em, ctx.org)),

  domainChallenge: manageSso
    .input(SsoDomainInputSchema)
    .output(DomainChallengeSchema)
    .mutation(({ ctx, input }) => domainChallenge(ctx.em, ctx.deps, ctx.org, input.domain)),

  verifyDomain: manageSso
    .input(SsoDomainInputSchema)
    .output(SsoDomainSchema)
    .mutation(({ ctx, input }) => verifyDomain(ctx.em, ctx.deps, ctx.auth.userId, ctx.org, input.domain)),

  removeDomain: manageSso
    .input(SsoDomainInputSchema)
    .output(OkSchema)
    .mutation(async ({ ctx, input }) => {
      await removeDomain(ctx.em, ctx.deps, ctx.auth.userId, ctx.org, input.domain);
      return OK;
    }),
});

/** `auth.sso.discover`: from the email's domain alone, before any password is asked. */
export const authSsoRouter = router({
  discover: publicProcedure
    .input(SsoDiscoverInputSchema)
    .output(SsoDiscoverResultSchema)
    .mutation(({ ctx, input }) => discoverConnection(ctx.em, input.email)),
});

/** `admin.orgs.verifyDomain`: for an IdP whose customer cannot publish DNS records. */
export const adminOrgsRouter = router({
  verifyDomain: permittedProcedure('users:manage')
    .input(AdminVerifyDomainInputSchema)
    .output(SsoDomainSchema)
    .mutation(({ ctx, input }) => verifyDomainAsAdmin(ctx.em, ctx.deps, ctx.auth.userId, input.orgId, input.domain)),
});
