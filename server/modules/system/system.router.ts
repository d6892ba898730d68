import { publicProcedure, router } from '#server/trpc/init.ts';

export const systemRouter = router({
  /** Does nothing: the baseline every benchmark figure is compared with (docs/benchmarks.md). */
  ping: publicProcedure.query(() => ({ status: 'ok' as const })),
});
