/**
 * The context API for application code: variables inherited by everything called below, experiments,
 * and hand-wiring for code the transform cannot see.
 */
import {
  type ContextVariables,
  type Frame,
  type LogmillContext,
  ambientContext,
  childWithVariables,
  registry,
} from './context.js';
import { emitEvent } from './events.js';
import { withSiteModuleFields } from './logging/analytics.js';
import type { CallSite } from './logging/event.js';
import { invalidArgument, isRecord } from './invalid-argument.js';
import { logicalStack as stackOf } from './stack.js';

/** The context in force here: the ambient slot, then AsyncLocalStorage (Node, when enabled), then the root. */
export function currentContext(): LogmillContext {
  return ambientContext();
}

/** The logical async call stack here, innermost frame first. */
export function logicalStack(context: LogmillContext = ambientContext()): Frame[] {
  return stackOf(context);
}

/** The context variables in force here. */
export function contextVariables(context: LogmillContext = ambientContext()): ContextVariables {
  return context.variables;
}

/** Runs `fn` in `context` (the slot, and the fallback when on); for bridges such as logmill/opentelemetry. */
export function runIn<T>(context: LogmillContext, fn: () => T): T {
  if (registry.fallbackEnabled) return registry.fallback!.run(context, () => runInSlot(context, fn));
  return runInSlot(context, fn);
}

function runInSlot<T>(context: LogmillContext, fn: () => T): T {
  const outer = registry.current;
  registry.current = context;
  try {
    return fn();
  } finally {
    registry.current = outer;
  }
}

/** Code the transform did not reach only keeps context across its awaits through the fallback. */
export function wantFallback(): void {
  if (!registry.fallbackEnabled && !registry.fallbackDisabledByUser) registry.enableFallback();
}

/**
 * Runs `fn` with `variables` added to the context, for `fn` and everything it calls or schedules.
 * Variables shadow outer ones of the same name; nothing outside `fn` sees them.
 *
 * @example withContext({ requestId }, () => handle(request))
 */
export function withContext<T>(variables: ContextVariables, fn: () => T): T {
  if (!isRecord(variables) || typeof fn !== 'function') throw invalidArgument('withContext takes (variables object, function)');
  wantFallback();
  return runIn(childWithVariables(ambientContext(), variables), fn);
}

/**
 * Runs `fn` in an experiment variant: sets `experiment` and `variant`, adds the pair to `experiments`
 * (so nested experiments are all visible), and records an exposure event.
 */
export function experiment<T>(name: string, variant: string, fn: () => T): T {
  return experimentAt(undefined, name, variant, fn);
}

/** `experiment` as the transformer emits it, with the call's site on the exposure event. */
export function experimentAt<T>(site: CallSite | undefined, name: string, variant: string, fn: () => T): T {
  if (typeof name !== 'string' || name === '' || typeof variant !== 'string' || variant === '' || typeof fn !== 'function') {
    throw invalidArgument('experiment(name, variant, fn) takes an experiment name, a variant and a function');
  }
  wantFallback();
  const parent = ambientContext();
  const experiments = { ...(parent.variables['experiments'] as Record<string, string> | undefined), [name]: variant };
  const context = childWithVariables(parent, { experiment: name, variant, experiments });
  emitEvent('event', '$exposure', withSiteModuleFields(site, { experiment: name, variant }), context, site);
  return runIn(context, fn);
}

/**
 * Returns a function that always runs `fn` in the context current now, wherever it is called from;
 * for callbacks handed to code the transform never saw (like `AsyncContext.Snapshot.wrap`).
 */
export function bindContext<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  if (typeof fn !== 'function') throw invalidArgument('bindContext(fn) takes a function');
  wantFallback();
  const context = ambientContext();
  return function (this: unknown, ...args: A): R {
    return runIn(context, () => fn.apply(this, args));
  };
}

/** How the runtime finds context where no instrumented code is on the stack. */
export interface ContextOptions {
  /**
   * `auto` (default): AsyncLocalStorage is enabled the first time `withContext`, `experiment` or
   * `bindContext` runs. `always`: enable it now. `never`: never enable it (on Node 20 an enabled
   * AsyncLocalStorage slows every await in the process). Ignored where there is no AsyncLocalStorage.
   */
  asyncLocalStorage?: 'auto' | 'always' | 'never' | undefined;
}

/** Configures context propagation. */
export function configureContext(options: ContextOptions): void {
  const mode = options.asyncLocalStorage ?? 'auto';
  if (mode !== 'auto' && mode !== 'always' && mode !== 'never') throw invalidArgument(`asyncLocalStorage is 'auto', 'always' or 'never', not ${JSON.stringify(mode)}`);
  registry.fallbackDisabledByUser = mode === 'never';
  if (mode === 'never') registry.fallbackEnabled = false;
  if (mode === 'always') registry.enableFallback();
}

/** True when the AsyncLocalStorage fallback is on. */
export function isFallbackEnabled(): boolean {
  return registry.fallbackEnabled;
}
