import { createCallerFactory } from './init.ts';
import { appRouter } from './router.ts';

/** The procedures called from code with a request's context: the REST form (server/http/rest-api.ts). */
export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;
