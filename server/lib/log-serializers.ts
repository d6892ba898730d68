import { DriverException } from '@mikro-orm/core';

type SerializedError = { type: string; message: string; stack: string; [key: string]: unknown };

/**
 * How errors are logged. A database driver's message repeats the failed statement with its
 * values (MikroORM inlines them), which could be a password hash or a token hash: for those only
 * the kind of failure is kept, and the stack without its first line.
 */
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: '' };
  if (error instanceof DriverException) {
    const frames = (error.stack ?? '')
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .join('\n');
    return {
      type: error.name,
      code: (error as { code?: string }).code,
      message: 'database statement failed (withheld: it can carry values)',
      stack: frames,
    };
  }
  return {
    type: error.name,
    message: error.message,
    stack: error.stack ?? '',
    ...(error.cause ? { cause: serializeError(error.cause) } : {}),
  };
}
