import { OkSchema } from '#shared/schemas/common.ts';
import { publicProcedure, router } from '#server/trpc/init.ts';

export const systemRouter = router({
  /** Does nothing: the baseline every benchmark figure is compared with (docs/benchmarks.md). */
  ping: publicProcedure.output(OkSchema).query(() => ({ status: 'ok' as const })),
});
