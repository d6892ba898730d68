import { buildApp, type App } from './app.ts';
import { loadConfig } from './config.ts';
import { describeStartupFailure } from './lib/startup-failure.ts';

let app: App | undefined;
try {
  const config = loadConfig();
  app = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  app.log.info(`Latchkey is serving ${config.publicUrl} (listening on ${config.host}:${config.port})`);
} catch (error) {
  console.error(describeStartupFailure(error));
  await app?.close().catch(() => {});
  process.exit(1);
}
const server = app;

const SHUTDOWN_GRACE_MS = 10_000; // 10 seconds
let stopping = false;
// Stop accepting, let in-flight requests finish, then close the database (an onClose hook).
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  server.log.info({ signal }, 'shutting down');
  // Clients that keep their connections busy must not hold the process forever: after the grace
  // period the remaining connections are cut (their requests were never answered, so never acknowledged).
  setTimeout(() => {
    server.log.warn('connections still open after 10 s: closing them');
    server.server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS).unref();
  try {
    await server.close();
    process.exit(0);
  } catch (error) {
    server.log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
