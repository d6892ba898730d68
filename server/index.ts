import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const app = await buildApp(config);
await app.listen({ port: config.port, host: config.host });
app.log.info(`Latchkey is serving ${config.publicUrl} (listening on ${config.host}:${config.port})`);

const SHUTDOWN_GRACE_MS = 10_000; // 10 seconds
let stopping = false;
// Stop accepting, let in-flight requests finish, then close the database (an onClose hook).
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'shutting down');
  // Clients that keep their connections busy must not hold the process forever: after the grace
  // period the remaining connections are cut (their requests were never answered, so never acknowledged).
  setTimeout(() => {
    app.log.warn('connections still open after 10 s: closing them');
    app.server.closeAllConnections();
  }, SHUTDOWN_GRACE_MS).unref();
  try {
    await app.close();
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
