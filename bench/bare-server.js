// The reference the bench measures beside Latchkey: Fastify and tRPC's fastify adapter serving
// one no-op query, nothing else (no hooks, no logging, no database). It shows what the fixed
// stack costs per request on this machine, which bounds every latency Latchkey can reach.
import Fastify from 'fastify';
import { initTRPC } from '@trpc/server';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';

const t = initTRPC.create();
const router = t.router({ ping: t.procedure.query(() => ({ ok: true })) });
const app = Fastify({ logger: false });
await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions: { router } });
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
