import { ConfigError } from '#server/config.ts';

/** A reason the server or a command cannot start that the operator can fix: said in one line. */
export class StartupError extends Error {}

/**
 * What to print when start-up fails: one line per problem, never a stack trace (API.md §10). A
 * system error (a port in use, a DATA_DIR that cannot be written) names what failed.
 */
export function describeStartupFailure(error: unknown): string {
  if (error instanceof ConfigError || error instanceof StartupError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Latchkey could not start: ${message.split('\n')[0]}`;
}
