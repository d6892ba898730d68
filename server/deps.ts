import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { Orm } from './db/orm.ts';
import type { Mailer } from './mail/mailer.ts';
import type { KeyRing } from './modules/keys/signing-keys.ts';
import type { SecretBox } from './modules/mfa/secret-box.ts';
import type { DeviceCookies } from './modules/sessions/device-cookie.ts';

/** Everything long-lived that services need, built once by buildApp. */
export type Deps = {
  config: Config;
  orm: Orm;
  keys: KeyRing;
  secretBox: SecretBox;
  devices: DeviceCookies;
  mailer: Mailer;
  log: FastifyBaseLogger;
  now: () => Date;
};

/** Who is calling, as far as the network tells: kept on sessions and security events. */
export type Client = { ip: string; userAgent: string };
