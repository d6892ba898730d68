import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenIn, type MailCapture } from './mail-capture.ts';
import type { SharedDataDir } from './shared-data-dir.ts';
import { TestClient, VERIFY_SUBJECT, strongPassword, uniqueEmail, type ClientOptions } from './test-server.ts';
import type { AuthSession } from '#shared/schemas/auth.ts';
import { freePort } from '#tests/helpers/free-port.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type ProcessExit = { code: number | null; signal: NodeJS.Signals | null };

/** The production server (`node --import tsx server/index.ts`) running as its own process. */
export type ServerProcess = {
  url: string;
  port: number;
  child: ChildProcess;
  /** Settles when the process has exited. */
  exited: Promise<ProcessExit>;
  /** What the process wrote to stdout and stderr so far. */
  output(): string;
  client(options?: ClientOptions): TestClient;
  /** Sends the signal (SIGTERM by default) and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ProcessExit>;
};

/**
 * The environment of a server process on a shared data directory (and its database) sending mail
 * to the capture, trusting X-Forwarded-For as the in-process test servers do.
 */
export function processEnv(
  data: SharedDataDir,
  mail: MailCapture,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    ...data.env,
    RESEND_API_KEY: 'test-key',
    RESEND_BASE_URL: mail.url,
    TRUST_PROXY: 'true',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...overrides,
  };
}

async function waitForHealth(
  url: string,
  exited: Promise<ProcessExit>,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  let exit: ProcessExit | null = null;
  void exited.then((value) => (exit = value));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit) throw new Error(`The server process exited (${JSON.stringify(exit)}) before serving:\n${output()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`The server process did not answer /healthz within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Spawns `node --import tsx server/index.ts` (or `options.command`) from the repository root with only `env` (plus PATH
 * and HOME), on a free port with PUBLIC_URL matching it, and resolves once /healthz answers 200.
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number; command?: [string, ...string[]] } = {},
): Promise<ServerProcess> {
  const [program, ...args] = options.command ?? [process.execPath, '--import', 'tsx', 'server/index.ts'];
  let lastError: unknown;
  // The probed port could be taken before the process listens: try again with another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(program, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), PUBLIC_URL: url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    const exited = new Promise<ProcessExit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const output = () => text;
    try {
      await waitForHealth(url, exited, output, options.timeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      if (text.includes('EADDRINUSE')) continue;
      throw error;
    }
    const serverProcess: ServerProcess = {
      url,
      port,
      child,
      exited,
      output,
      client: (clientOptions) => new TestClient({ url }, clientOptions),
      async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
        if (child.exitCode !== null || child.signalCode !== null) return exited;
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      },
    };
    return serverProcess;
  }
  throw lastError;
}

export type ProcessMember = { client: TestClient; session: AuthSession; email: string; password: string };

/** Signs a new member up on a server process: register, the mailed link, verifyEmail. */
export async function signUpOnProcess(
  server: ServerProcess,
  mail: MailCapture,
  clientOptions: ClientOptions = {},
): Promise<ProcessMember> {
  const email = uniqueEmail('process');
  const password = strongPassword();
  const client = server.client(clientOptions);
  const since = mail.mark();
  await client.trpc.auth.register.mutate({ email, password });
  const verification = await mail.waitForMail({ to: email, subject: VERIFY_SUBJECT, since }, 10_000);
  const session = await client.trpc.auth.verifyEmail.mutate({ token: tokenIn(verification, '/verify-email?token=') });
  client.useSession(session);
  return { client, session, email, password };
}
