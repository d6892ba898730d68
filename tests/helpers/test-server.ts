import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import type { AuthSession } from '#shared/schemas/auth.ts';
import { buildApp, type App } from '#server/app.ts';
import { loadConfig, type Config } from '#server/config.ts';
import type { AppRouter } from '#server/trpc/router.ts';
import { startMailCapture, tokenIn, type CapturedMail, type MailCapture } from './mail-capture.ts';
import { freePort } from '#tests/helpers/free-port.ts';
import { freshDatabaseEnv } from '#tests/helpers/test-database.ts';
import { parseSetCookie, type SetCookie } from './cookie-jar.ts';

// One parser for Set-Cookie headers across the helpers (the provider flows' cookie jar has it).
export { parseSetCookie };
export type ParsedSetCookie = SetCookie;

/** True when the Set-Cookie header tells the browser to drop the cookie. */
export function isDeletion(cookie: ParsedSetCookie): boolean {
  const maxAge = cookie.attributes.get('max-age');
  if (typeof maxAge === 'string' && Number(maxAge) <= 0) return true;
  const expires = cookie.attributes.get('expires');
  if (typeof expires === 'string' && Date.parse(expires) <= Date.now()) return true;
  return cookie.value === '';
}

export type ClientOptions = {
  /** The Origin header to send: the server's own origin by default, null for none. */
  origin?: string | null;
  bearer?: string | null;
  /** Use httpBatchLink instead of httpLink. */
  batch?: boolean;
  userAgent?: string;
  /**
   * The client's address, sent as X-Forwarded-For (test servers trust it, TRUST_PROXY=true):
   * each client gets its own by default, as different people would, so the per-IP limits of
   * API.md §6 only meet the tests written for them. null sends none (the socket's 127.0.0.1).
   */
  ip?: string | null;
};

let nextAddress = 0;

/** A fresh address from 198.18.0.0/15, the range reserved for benchmark and test traffic. */
export function testIp(): string {
  nextAddress += 1;
  return `198.18.${(nextAddress >> 8) & 255}.${nextAddress & 255}`;
}

export type ResponseRecord = { status: number; headers: Headers; setCookies: ParsedSetCookie[] };

/** One browser tab, roughly: a cookie jar, an Origin, an optional bearer token. */
export class TestClient {
  readonly trpc: TRPCClient<AppRouter>;
  readonly cookies = new Map<string, string>();
  origin: string | null;
  bearer: string | null;
  userAgent: string | undefined;
  ip: string | null;
  /** Every response this client received, oldest first. */
  readonly responses: ResponseRecord[] = [];

  constructor(
    readonly server: { url: string },
    options: ClientOptions = {},
  ) {
    this.origin = options.origin === undefined ? server.url : options.origin;
    this.bearer = options.bearer ?? null;
    this.userAgent = options.userAgent;
    this.ip = options.ip === undefined ? testIp() : options.ip;
    const link = (options.batch ? httpBatchLink : httpLink)<AppRouter>({
      url: `${server.url}/trpc`,
      fetch: (input, init) => this.fetch(input, init),
    });
    this.trpc = createTRPCClient<AppRouter>({ links: [link] });
  }

  setBearer(token: string | null): void {
    this.bearer = token;
  }

  /** Signs this client in with a session: keeps its access token as the bearer. */
  useSession(session: AuthSession): void {
    this.bearer = session.accessToken;
  }

  get lastResponse(): ResponseRecord | undefined {
    return this.responses[this.responses.length - 1];
  }

  /** The refresh cookie value this client holds, if any. */
  refreshToken(name = 'refresh_token'): string | undefined {
    return this.cookies.get(name);
  }

  /** A second tab of the same browser: same cookies and bearer from now on (copied, not shared). */
  fork(options: ClientOptions = {}): TestClient {
    const other = new TestClient(this.server, {
      origin: this.origin,
      bearer: this.bearer,
      userAgent: this.userAgent,
      ip: this.ip,
      ...options,
    });
    for (const [name, value] of this.cookies) other.cookies.set(name, value);
    return other;
  }

  private async fetch(input: RequestInfo | URL | string, init?: RequestInit | object): Promise<Response> {
    const request = (init ?? {}) as RequestInit;
    const headers = new Headers(request.headers);
    if (this.origin !== null) headers.set('Origin', this.origin);
    if (this.bearer) headers.set('Authorization', `Bearer ${this.bearer}`);
    if (this.userAgent) headers.set('User-Agent', this.userAgent);
    if (this.ip) headers.set('X-Forwarded-For', this.ip);
    if (this.cookies.size > 0)
      headers.set('Cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(input as string | URL, { ...request, headers });
    const setCookies = response.headers.getSetCookie().map(parseSetCookie);
    for (const cookie of setCookies) {
      if (isDeletion(cookie)) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    this.responses.push({ status: response.status, headers: response.headers, setCookies });
    return response;
  }
}

export type TestServer = {
  url: string;
  app: App;
  config: Config;
  mail: MailCapture;
  dataDir: string;
  client(options?: ClientOptions): TestClient;
  /** Plain fetch to the server, nothing added (no Origin, no cookies). */
  fetch(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  /** Puts the server's clock `seconds` ahead of real time (0 puts it back). */
  shiftClock(seconds: number): void;
  close(): Promise<void>;
};

export type StartOptions = {
  /** Receives every log line (LOG_LEVEL defaults to info when given, silent otherwise). */
  logStream?: NodeJS.WritableStream;
  /**
   * The host name of PUBLIC_URL (and `url`); the server listens on 127.0.0.1 either way. `localhost`
   * for passkeys in Chromium, which refuses an IP address as the WebAuthn relying party id.
   */
  publicHost?: '127.0.0.1' | 'localhost';
};

/**
 * A real server on 127.0.0.1 with a fresh SQLite file in a temp DATA_DIR, its mail going through
 * the production Resend transport to a local stand-in. PUBLIC_URL is the real listening origin.
 */
export async function startTestServer(
  envOverrides: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'latchkey-test-'));
  const database = envOverrides.DATABASE_URL ? {} : await freshDatabaseEnv(dataDir);
  const mail = await startMailCapture();
  let lastError: unknown;
  // The probed port could be taken between probe and listen: try again with another one.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const url = `http://${options.publicHost ?? '127.0.0.1'}:${port}`;
    const config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      ...database,
      PUBLIC_URL: url,
      RESEND_API_KEY: 'test-key',
      RESEND_BASE_URL: mail.url,
      LOG_LEVEL: options.logStream ? 'info' : 'silent',
      NODE_ENV: 'test',
      TRUST_PROXY: 'true',
      ...envOverrides,
    });
    let app: App;
    try {
      app = await buildApp(config, options.logStream ? { logStream: options.logStream } : {});
    } catch (error) {
      await mail.close();
      await fs.rm(dataDir, { recursive: true, force: true });
      throw error;
    }
    try {
      await app.listen({ port, host: '127.0.0.1' });
    } catch (error) {
      lastError = error;
      await app.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
      break;
    }
    const realNow = app.deps.now;
    const server: TestServer = {
      url,
      app,
      config,
      mail,
      dataDir,
      client: (clientOptions) => new TestClient(server, clientOptions),
      fetch: (pathAndQuery, init) => fetch(`${url}${pathAndQuery}`, init),
      shiftClock(seconds) {
        app.deps.now = seconds === 0 ? realNow : () => new Date(realNow().getTime() + seconds * 1000);
      },
      async close() {
        await app.close();
        await mail.close();
        await fs.rm(dataDir, { recursive: true, force: true });
      },
    };
    return server;
  }
  await mail.close();
  await fs.rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

let counter = 0;

/** A fresh address per call, so tests in one file never collide. */
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}-${counter}-${randomBytes(4).toString('hex')}@example.com`;
}

/** A random password that passes the default policy (20 characters, score 4). */
export function strongPassword(): string {
  return `Tq7-${randomBytes(12).toString('base64url')}`;
}

export const VERIFY_SUBJECT = 'Confirm your email';
export const ACCOUNT_EXISTS_SUBJECT = 'Someone tried to sign up';

export type SignedUp = {
  session: AuthSession;
  client: TestClient;
  email: string;
  password: string;
  verificationMail: CapturedMail;
};

/** Registers, follows the verification link from the captured mail, and returns the signed-in client. */
export async function signUpAndVerify(
  server: TestServer,
  account: { email?: string; password?: string; name?: string } = {},
  clientOptions: ClientOptions = {},
): Promise<SignedUp> {
  const email = account.email ?? uniqueEmail();
  const password = account.password ?? strongPassword();
  const client = server.client(clientOptions);
  const since = server.mail.mark();
  await client.trpc.auth.register.mutate({
    email,
    password,
    ...(account.name === undefined ? {} : { name: account.name }),
  });
  const verificationMail = await server.mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since });
  const session = await client.trpc.auth.verifyEmail.mutate({
    token: tokenIn(verificationMail, '/verify-email?token='),
  });
  client.useSession(session);
  return { session, client, email, password, verificationMail };
}

export type AppClientError = TRPCClientError<AppRouter>;

/** The tRPC error the call failed with; fails the test when the call succeeds. */
export async function trpcError(call: Promise<unknown>): Promise<AppClientError> {
  let value: unknown;
  try {
    value = await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as AppClientError;
    throw error;
  }
  throw new Error(`Expected the call to fail, but it answered ${JSON.stringify(value)}`);
}

/** The call fails with this tRPC code and API.md §2 reason; returns the error for more checks. */
export async function expectReason(call: Promise<unknown>, code: string, reason: string): Promise<AppClientError> {
  const error = await trpcError(call);
  expect({ code: error.data?.code, reason: error.data?.reason }).toEqual({ code, reason });
  return error;
}

/** The claims and header of a JWT, without verifying it. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header = '', payload = ''] = token.split('.');
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload) };
}

/** A writable stream that keeps everything written to it: for capturing the server log. */
export function logCollector(): { stream: Writable; text(): string; lines(): Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  return {
    stream,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** A raw tRPC call over HTTP, for checks on status codes, headers and bodies. */
export async function rawTrpc(
  server: TestServer,
  call: {
    path: string;
    method?: 'GET' | 'POST';
    input?: unknown;
    headers?: Record<string, string>;
    body?: string;
    query?: string;
  },
): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const method = call.method ?? 'POST';
  let url = `/trpc/${call.path}`;
  const init: RequestInit = { method, headers: { ...call.headers } };
  if (method === 'GET') {
    const query =
      call.query ?? (call.input === undefined ? '' : `input=${encodeURIComponent(JSON.stringify(call.input))}`);
    if (query) url += `?${query}`;
  } else {
    if (call.query) url += `?${call.query}`;
    init.headers = { 'Content-Type': 'application/json', ...call.headers };
    init.body = call.body ?? (call.input === undefined ? undefined : JSON.stringify(call.input));
  }
  const response = await server.fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
