import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import type { AnyProcedure } from '@trpc/server';
import { JSON_BODY_LIMIT_BYTES, MAX_BATCH_SIZE } from '#shared/constants.ts';
import type { Config } from './config.ts';
import { openDatabase } from './db/orm.ts';
import type { Deps } from './deps.ts';
import { startHousekeeping } from './housekeeping.ts';
import { registerApiDocs } from './http/api-docs.ts';
import { registerBodyLimits } from './http/body-limits.ts';
import { registerDevMailRoute } from './http/dev-mail.ts';
import { clientErrorHandler, registerErrorHandler, sendError } from './http/error-handler.ts';
import { registerHealthRoutes } from './http/health.ts';
import { registerJwksRoute } from './http/jwks.ts';
import { registerOAuthRoutes } from './http/oauth-routes.ts';
import { registerSsoRoutes } from './http/sso-routes.ts';
import { providerClients } from './modules/identities/provider-clients.ts';
import { registerMediaRoutes } from './http/media.ts';
import { registerRequestLog } from './http/request-log.ts';
import { registerRestApi } from './http/rest-api.ts';
import { restRoutes } from './http/rest-routes.ts';
import { REST_PREFIX } from './http/rest-shape.ts';
import { registerSecurityHeaders, securityHeaders } from './http/security-headers.ts';
import { registerSpa } from './http/spa.ts';
import { registerTrpcRoute } from './http/trpc-route.ts';
import { serializeError } from './lib/log-serializers.ts';
import { prepareDummyHash } from './lib/passwords.ts';
import { createMailer } from './mail/mailer.ts';
import { registerSecurityEventsCsvRoute } from './modules/admin/security-events-csv.route.ts';
import { logSecurityEvents } from './modules/audit/security-event-log.ts';
import { openInstallKeys } from './modules/keys/install-keys.ts';
import { reloadKeysEveryMinute } from './modules/keys/key-reload.ts';
import { createSecretBox } from './modules/mfa/secret-box.ts';
import { importAvatarFiles } from './modules/profile/avatar-import.ts';
import { deviceCookies } from './modules/sessions/device-cookie.ts';
import { contextFactory } from './trpc/context.ts';
import { retryAfterHeader } from './trpc/error-format.ts';
import { appRouter } from './trpc/router.ts';

export type BuildOptions = {
  /** Where log lines go (tests capture them); stdout by default. */
  logStream?: NodeJS.WritableStream;
};

declare module 'fastify' {
  interface FastifyInstance {
    /** The services' dependencies, for tests and scripts that drive them directly. */
    deps: Deps;
  }
}

export type App = FastifyInstance;

// Never written to a log, whatever the level.
const REDACT = ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'];

/** The whole server, ready to listen; the caller decides where. Closing it closes the database. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const logger: FastifyServerOptions['logger'] = {
    level: config.logLevel,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: serializeError },
    ...(options.logStream ? { stream: options.logStream } : {}),
  };
  const setHeaders = securityHeaders(config);
  const app = Fastify({
    logger,
    // Fastify's two lines per request are replaced by one of ours (http/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    // The client IP is ours, by TRUST_PROXY (http/client-ip.ts); Fastify's req.ip stays the socket's.
    trustProxy: false,
    // A batch names its procedures in the path: allow ten long ones.
    routerOptions: { maxParamLength: 4096 },
    // Refusals before routing (an over-long path, a malformed URL) in the same error shape.
    frameworkErrors: (error, request, reply) => {
      setHeaders(request, reply);
      void sendError(error, request, reply);
    },
    // And refusals before Fastify sees the request at all (an address over 16 KiB, say).
    clientErrorHandler: clientErrorHandler(config),
  });

  const [orm] = await Promise.all([openDatabase(config), prepareDummyHash()]);
  // The key ring follows deps.now, which tests move.
  const installKeys = await openInstallKeys(orm, config, () => deps.now());
  await importAvatarFiles(orm, config.dataDir, app.log);
  const deps: Deps = {
    config,
    orm,
    keys: installKeys.keys,
    secretBox: createSecretBox(installKeys.secretBoxKey),
    devices: deviceCookies(config, installKeys.deviceCookieKey),
    mailer: createMailer(config, app.log),
    log: app.log,
    now: () => new Date(),
  };

  app.decorate('deps', deps);
  logSecurityEvents(orm, app.log);
  const stopHousekeeping = startHousekeeping(deps);
  const stopKeyReloads = reloadKeysEveryMinute(deps);
  // After in-flight requests: stop periodic work, let queued mail go out, then close the database.
  app.addHook('onClose', async () => {
    stopHousekeeping();
    stopKeyReloads();
    await deps.mailer.drain();
    await orm.close();
  });
  registerSecurityHeaders(app, setHeaders);
  registerRequestLog(app);
  registerErrorHandler(app);
  registerBodyLimits(app);
  await app.register(fastifyCookie);
  await registerTrpcRoute(app, '/trpc', {
    router: appRouter,
    createContext: contextFactory(deps),
    maxBatchSize: MAX_BATCH_SIZE,
    responseMeta: ({ errors }) => retryAfterHeader(errors),
    onError({ error, path, req }) {
      if (error.code === 'INTERNAL_SERVER_ERROR')
        req.log.error({ err: error.cause ?? error, path }, 'procedure failed');
    },
  });
  const restApi = restRoutes(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);
  registerRestApi(app, deps, restApi);
  registerApiDocs(app, config, restApi, REST_PREFIX);
  registerHealthRoutes(app, orm, config.database);
  registerJwksRoute(app, deps.keys);
  registerMediaRoutes(app, orm);
  registerOAuthRoutes(app, deps, providerClients(config.providers, deps));
  registerSsoRoutes(app, deps);
  registerSecurityEventsCsvRoute(app, deps);
  registerDevMailRoute(app, deps.mailer);
  await registerSpa(app, config);

  return app;
}
