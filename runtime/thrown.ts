/**
 * Where errors were thrown. Instrumented code has no `catch` (debuggers pausing on caught exceptions
 * would stop in every frame), so it never holds the error: an activation that a throw unwinds notes
 * only its context, the innermost one of the unwinding winning (`leave` in hooks.ts). The first
 * `contextOfThrown` asking about an error it does not know yet takes that note for it, so an
 * uncaught-error report (`window.onerror`, `unhandledrejection`, `uncaughtException`) or the
 * app's handler finds the context the error was thrown in, though every activation it passed
 * through has already put the ambient slot back.
 */
import { type LogmillContext, ambientContext, registry } from './context.js';
import { sharedState } from './shared-state.js';

// Shared by every copy of the runtime, like the context registry; only errors that were thrown
// are ever keys, so the map costs nothing on the paths that do not throw.
const thrownIn = /* @__PURE__ */ sharedState('thrown.v1', () => new WeakMap<object, LogmillContext>());

/** Notes that `error` left an activation in `context` (the ambient one if not given); returns it to rethrow. */
export function thrown(error: unknown, context?: LogmillContext): unknown {
  if ((typeof error === 'object' && error !== null) || typeof error === 'function') {
    if (!thrownIn.has(error)) thrownIn.set(error, context ?? ambientContext());
  }
  return error;
}

/**
 * The context an error was thrown in: the innermost instrumented activation it left, with that
 * activation's variables and logical stack. Undefined for errors that never passed through
 * instrumented code, and for thrown primitives (which cannot be remembered).
 */
export function contextOfThrown(error: unknown): LogmillContext | undefined {
  const remembered = (typeof error === 'object' && error !== null) || typeof error === 'function';
  const known = remembered ? thrownIn.get(error as object) : undefined;
  if (known !== undefined) return known;
  const noted = registry.abandoned;
  registry.abandoned = undefined;
  if (noted === undefined || !remembered) return undefined;
  thrownIn.set(error as object, noted);
  return noted;
}
