/**
 * Where errors were thrown: instrumented code notes, for each error leaving an activation, the
 * innermost context it left (its variables and logical stack). Uncaught-error reports read it
 * back, because by the time `window.onerror` or `unhandledrejection` runs, every activation the
 * error passed through has already put the ambient slot back.
 */
import { type LogmillContext, ambientContext } from './context.js';
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
  return (typeof error === 'object' && error !== null) || typeof error === 'function' ? thrownIn.get(error) : undefined;
}
