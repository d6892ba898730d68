import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PASSWORD_MIN_LENGTH } from '#shared/constants.ts';
import {
  PROVIDER_SECRET_VARIABLES,
  parseProviders,
  type ProviderConfig,
} from '#server/modules/identities/provider-config.ts';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '#server/modules/keys/signing-keys.ts';

/**
 * Which X-Forwarded-For entries to believe (API.md §11): none (false), every one (true), those
 * added by the nearest `hops` proxies, or those added by proxies at these addresses or CIDR ranges.
 */
export type TrustProxy = boolean | { hops: number } | { proxies: string[] };

const MAX_PROXY_HOPS = 100;
const TRUST_PROXY_FORMS =
  'must be true, false, a number of proxy hops, or proxy IP addresses and CIDR ranges separated by commas';

/** A TRUST_PROXY list entry: an IP address (no zone) or a CIDR range such as 10.0.0.0/8 or fd00::/8. */
function isProxyEntry(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || address.includes('%') || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128);
}

// DNS_SERVERS: what Resolver.setServers takes: `1.1.1.1`, `127.0.0.1:5353`, `[::1]:53`, comma-separated.
const dnsServersText = z.string().transform((value, ctx) => {
  const servers = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const server of servers) {
    const match = /^(?:\[([0-9a-fA-F:]+)\]|([0-9.]+)|([0-9a-fA-F:]+))(?::(\d{1,5}))?$/.exec(server);
    const host = match && (match[1] ?? match[2] ?? match[3]);
    const port = match?.[4] === undefined ? 53 : Number(match[4]);
    const plainV6WithPort = match?.[3] !== undefined && match[4] !== undefined;
    if (!host || !isIP(host) || port < 1 || port > 65535 || plainV6WithPort) {
      ctx.addIssue({ code: 'custom', message: `"${server}" is not an IP address with an optional :port` });
      return z.NEVER;
    }
  }
  if (servers.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must list at least one server' });
    return z.NEVER;
  }
  return servers;
});

const trustProxyText = z.string().transform((value, ctx): TrustProxy => {
  if (value === 'true' || value === 'yes') return true;
  if (value === 'false' || value === 'no') return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops <= MAX_PROXY_HOPS) return hops === 0 ? false : { hops };
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_PROXY_HOPS} proxy hops` });
    return z.NEVER;
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const wrong = entries.find((entry) => !isProxyEntry(entry));
  if (entries.length > 0 && wrong === undefined) return { proxies: entries };
  // "maybe" is no list at all; "10.0.0.1,10.0.0.300" is a list with one wrong entry.
  const aList = wrong !== undefined && (entries.length > 1 || /[.:/]/.test(wrong));
  ctx.addIssue({
    code: 'custom',
    message: aList ? `"${wrong}" is not an IP address or a CIDR range such as 10.0.0.0/8` : TRUST_PROXY_FORMS,
  });
  return z.NEVER;
});

const integerText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { message: `must be at least ${min}` })
        .max(max, { message: `must be at most ${max}` }),
    );

const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
const urlText = z.string().refine(isHttpUrl, { message: 'must be an absolute http or https URL' });

// RFC 1123 host names, or an IP address.
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const hostText = z
  .string()
  .refine((value) => isIP(value) !== 0 || HOST_NAME.test(value), { message: 'must be an IP address or a host name' });

// "Name <address>" or a bare address, as Resend takes it.
const mailFromText = z.string().refine(
  (value) => {
    const address = /^[^<>]*<([^<>]+)>$/.exec(value.trim())?.[1] ?? value.trim();
    return /^[^\s@<>]+@[^\s@<>]+$/.test(address);
  },
  { message: 'must be an address, or a name and an address: Latchkey <no-reply@example.com>' },
);

/** The `sslmode` values of libpq that node-postgres can honour (server/db/postgres-ssl.ts); it cannot fall back, so no allow or prefer. */
const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'];

const isPostgresUrl = (value: string) =>
  /^postgres(ql)?:\/\//.test(value) && URL.canParse(value) && new URL(value).pathname.length > 1;

// A database URL's password is never repeated: user:password@ shows as user:***@.
const withoutPassword = (value: string) => value.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');

// Never echoed in a problem line: an operator's terminal or log is no place for it.
const SECRET_VARIABLES = new Set(['RESEND_API_KEY', 'MASTER_KEY', ...PROVIDER_SECRET_VARIABLES]);

const EnvSchema = z.object({
  PORT: integerText(0, 65535).default(3000),
  HOST: hostText.default('127.0.0.1'),
  PUBLIC_URL: urlText.default('http://localhost:3000'),
  DATABASE_URL: z
    .string()
    .refine((value) => /^sqlite:.+/.test(value) || isPostgresUrl(value), {
      message: 'must look like sqlite:<path to file> or postgres://user:password@host:port/database',
    })
    .refine(
      (value) => {
        const mode = isPostgresUrl(value) ? new URL(value).searchParams.get('sslmode') : null;
        return mode === null || SSL_MODES.includes(mode);
      },
      { message: `sslmode must be one of ${SSL_MODES.join(', ')}` },
    )
    .default('sqlite:./data/app.db'),
  DATA_DIR: z.string().min(1).default('./data'),
  MASTER_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}=?$/, {
      message: 'must be 32 random bytes in base64url (openssl rand -base64 32 | tr +/ -_)',
    })
    .optional(),
  RESEND_API_KEY: z
    .string()
    .regex(/^[\x21-\x7e]+$/, { message: 'must be the key as Resend shows it, without spaces' })
    .optional(),
  RESEND_BASE_URL: urlText.optional(),
  MAIL_FROM: mailFromText.default('Latchkey <no-reply@localhost>'),
  REGISTRATION_MODE: z.enum(['open', 'invite_only'], { message: 'must be open or invite_only' }).default('open'),
  ALLOWED_ORIGINS: z.string().default(''),
  TRUST_PROXY: trustProxyText.default(false),
  REFRESH_REUSE_GRACE_SECONDS: integerText(0, 300).default(10),
  PASSWORD_MIN_LENGTH: integerText(8, 64).default(DEFAULT_PASSWORD_MIN_LENGTH),
  PWNED_PASSWORDS: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
  PWNED_PASSWORDS_URL: urlText.default('https://api.pwnedpasswords.com'),
  DNS_SERVERS: dnsServersText.optional(),
  ACCESS_TOKEN_ALG: z
    .enum(SIGNING_ALGORITHMS, { message: 'must be ES256 or RS256 (RSA 3072, for verifiers that accept only RSA)' })
    .default('ES256'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { message: 'must be development, production or test' })
    .default('development'),
});

/** Where the data lives (API.md §11): the embedded SQLite file, or a PostgreSQL server. */
export type DatabaseConfig = { dialect: 'sqlite'; path: string } | { dialect: 'postgresql'; url: string };

export type Config = {
  port: number;
  host: string;
  publicUrl: string;
  /** PUBLIC_URL's origin plus ALLOWED_ORIGINS: the only Origins cookie mutations accept. */
  allowedOrigins: string[];
  secureCookies: boolean;
  database: DatabaseConfig;
  dataDir: string;
  /** Seals the keys kept in the database (API.md §11); on SQLite, unset means DATA_DIR/keys/master.key. */
  masterKey?: Buffer;
  mail: { resendApiKey?: string; resendBaseUrl?: string; from: string };
  registrationMode: 'open' | 'invite_only';
  trustProxy: TrustProxy;
  refreshReuseGraceSeconds: number;
  passwordMinLength: number;
  /** The breached-password check of API.md §16: on by default in production only. */
  pwnedPasswords: { enabled: boolean; url: string };
  /** The resolvers domain verification asks (API.md §15); null: the system's. */
  dnsServers: string[] | null;
  /** The algorithm of the signing keys made from now on (API.md §16); tokens follow the ring's current key. */
  accessTokenAlg: SigningAlgorithm;
  logLevel: string;
  nodeEnv: 'development' | 'production' | 'test';
  /** The sign-in providers (API.md §12), in the order the SPA shows them. */
  providers: ProviderConfig[];
};

export class ConfigError extends Error {
  /** One line per problem, each complete on its own: what start-up prints, and nothing else. */
  constructor(readonly problems: string[]) {
    super(problems.map((line) => `Invalid configuration: ${line}`).join('\n'));
  }
}

/** The only reader of the environment. Throws ConfigError with one line per problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most .env conventions.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(present);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      const value = SECRET_VARIABLES.has(name) ? '(hidden)' : JSON.stringify(withoutPassword(present[name] ?? ''));
      problems.push(`${name}=${value}: ${issue.message}`);
    }
  }
  // The checks below read the raw values, so that every problem is reported at once.
  const allowedOriginsText = present.ALLOWED_ORIGINS ?? '';
  const extraOrigins: string[] = [];
  for (const entry of allowedOriginsText
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const origin = URL.canParse(entry) ? new URL(entry).origin : 'null';
    if (origin === 'null' || origin !== entry.replace(/\/$/, '')) {
      problems.push(
        `ALLOWED_ORIGINS=${JSON.stringify(allowedOriginsText)}: "${entry}" is not an origin like https://app.example.com`,
      );
    } else {
      extraOrigins.push(origin);
    }
  }
  if (/^postgres(ql)?:/.test(present.DATABASE_URL ?? '') && !present.MASTER_KEY) {
    problems.push('MASTER_KEY is not set: on PostgreSQL every instance needs the same one (API.md §11)');
  }
  if (present.NODE_ENV === 'production' && !present.RESEND_API_KEY) {
    problems.push('RESEND_API_KEY is not set: in production mail must go through Resend');
  }
  const providers = parseProviders(present, problems);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const publicUrl = new URL(e.PUBLIC_URL);
  const allowedOrigins = [publicUrl.origin, ...extraOrigins];
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: publicUrl.origin + publicUrl.pathname.replace(/\/$/, ''),
    allowedOrigins,
    secureCookies: publicUrl.protocol === 'https:',
    database: e.DATABASE_URL.startsWith('sqlite:')
      ? { dialect: 'sqlite', path: path.resolve(e.DATABASE_URL.slice('sqlite:'.length)) }
      : { dialect: 'postgresql', url: e.DATABASE_URL },
    dataDir: path.resolve(e.DATA_DIR),
    masterKey: e.MASTER_KEY ? Buffer.from(e.MASTER_KEY.replace(/=$/, ''), 'base64url') : undefined,
    mail: { resendApiKey: e.RESEND_API_KEY, resendBaseUrl: e.RESEND_BASE_URL, from: e.MAIL_FROM },
    registrationMode: e.REGISTRATION_MODE,
    trustProxy: e.TRUST_PROXY,
    refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    pwnedPasswords: {
      enabled: (e.PWNED_PASSWORDS ?? (e.NODE_ENV === 'production' ? 'on' : 'off')) === 'on',
      url: e.PWNED_PASSWORDS_URL.replace(/\/+$/, ''),
    },
    dnsServers: e.DNS_SERVERS ?? null,
    accessTokenAlg: e.ACCESS_TOKEN_ALG,
    logLevel: e.LOG_LEVEL,
    nodeEnv: e.NODE_ENV,
    providers,
  };
}
