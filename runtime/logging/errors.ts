/** Errors as events carry them: type, message, stack and the `cause` chain. */
import { safely } from '../format/represent.js';

export interface ErrorInfo {
  type: string;
  message: string;
  stack?: string | undefined;
  cause?: ErrorInfo | { value: string } | undefined;
}


/** Describes an error (and its causes, up to a depth) without ever throwing. */
export function describeError(error: unknown, depth = 0): ErrorInfo {
  if (!(error instanceof Error)) return { type: typeof error, message: safely(() => String(error), '[unprintable]') };
  const info: ErrorInfo = {
    type: safely(() => error.name || error.constructor?.name || 'Error', 'Error'),
    message: safely(() => String(error.message), ''),
  };
  const stack = safely(() => error.stack, undefined);
  if (typeof stack === 'string') info.stack = stack;
  const cause = safely(() => (error as { cause?: unknown }).cause, undefined);
  if (cause !== undefined && depth < 8) {
    info.cause = cause instanceof Error ? describeError(cause, depth + 1) : { value: safely(() => String(cause), '[unprintable]') };
  }
  return info;
}

/** The first Error among a call's args, if any. */
export function findError(args: readonly unknown[]): Error | undefined {
  for (const arg of args) if (arg instanceof Error) return arg;
  return undefined;
}
