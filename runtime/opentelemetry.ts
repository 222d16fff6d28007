/**
 * `logmill/opentelemetry`: an OpenTelemetry `ContextManager` backed by Logmill's propagation.
 *
 * `with(otelContext, fn)` enters a child Logmill context that carries the OpenTelemetry context
 * (its `carried` value, which every context below inherits); `active()` reads it back. Instrumented code hands its
 * Logmill context across native `await` (where zone.js cannot follow and browsers have no
 * AsyncLocalStorage), so spans started after an await still find their parent. On Node, code the
 * transformer did not reach falls back to AsyncLocalStorage, as the rest of Logmill does. Enabling
 * the manager also puts the active span's trace and span ids on every Logmill event.
 *
 * @example
 * import { context } from '@opentelemetry/api';
 * import { LogmillContextManager } from 'logmill/opentelemetry';
 * context.setGlobalContextManager(new LogmillContextManager().enable());
 */
import { type Context, type ContextManager, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { runIn, wantFallback } from './api.js';
import { Context as LogmillContextClass, type LogmillContext, ambientContext } from './context.js';
import { setTraceContextProvider } from './trace-context.js';

/** The OpenTelemetry context in force in `context`: the one its Logmill context carries. */
export function openTelemetryContextOf(context: LogmillContext): Context {
  return (context.carried as Context | undefined) ?? ROOT_CONTEXT;
}

export class LogmillContextManager implements ContextManager {
  #enabled = false;

  active(): Context {
    return this.#enabled ? openTelemetryContextOf(ambientContext()) : ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    if (!this.#enabled) return fn.call(thisArg, ...args);
    const parent = ambientContext();
    // Same frame and variables as the parent: this child only carries the OpenTelemetry context.
    const child = new LogmillContextClass(parent, undefined, parent.variables, context);
    return runIn(child, () => fn.call(thisArg, ...args));
  }

  /** Functions run in `context` wherever they are called from; other values are returned as they are. */
  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    const bound = function (this: unknown, ...args: unknown[]) {
      return manager.with(context, () => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { value: fn.length });
    return bound as unknown as T;
  }

  enable(): this {
    this.#enabled = true;
    // Code the transformer never saw keeps its context across awaits only through the fallback (Node).
    wantFallback();
    setTraceContextProvider((context) => {
      const span = trace.getSpan(openTelemetryContextOf(context));
      if (span === undefined) return undefined;
      const { traceId, spanId } = span.spanContext();
      return { traceId, spanId };
    });
    return this;
  }

  disable(): this {
    this.#enabled = false;
    setTraceContextProvider(undefined);
    return this;
  }
}
