/**
 * Logging functions whose signature is the API, and a method decorator (standard, or TypeScript's
 * `experimentalDecorators`) that logs a method's calls with their duration, outcome and error.
 */
import { emitLog } from '../events.js';
import { invalidArgument, isRecord } from '../invalid-argument.js';
import { loggingState } from './configure.js';
import { severityNumbers } from './levels.js';

function emit(severity: number, name: string, template: string, args: readonly unknown[], attributes: Readonly<Record<string, unknown>>): void {
  if (severity >= loggingState.threshold) emitLog('log', name, severity, template, args, attributes, undefined, undefined);
}

/**
 * Turns `fn` into a logging function named after it: each call logs the name and the arguments
 * (template `audit %r %r`), with whatever object `fn` returns as extra attributes.
 *
 * @example export const audit = log(function audit(action: string, ...details: unknown[]) {})
 */
export function defineLogFunction<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => void {
  if (typeof fn !== 'function') throw invalidArgument('log(fn) takes a function');
  const name = fn.name || 'log';
  // A `%` in the name is text, not a conversion (names can be anything, through defineProperty).
  const escapedName = name.replace(/%/g, '%%');
  const logging = function (this: unknown, ...args: A): void {
    let extra: unknown;
    try {
      extra = fn.apply(this, args);
    } catch {
      extra = undefined;
    }
    emit(severityNumbers.info, name, escapedName + ' %r'.repeat(args.length), args, isRecord(extra) ? extra : {});
  };
  Object.defineProperty(logging, 'name', { value: name });
  return logging;
}

export interface TracedOptions {
  /**
   * The level of a successful call's event (default `info`, so a decorated method shows at the
   * default level; `debug` keeps busy methods out of production logs); failures always log at `error`.
   */
  level?: keyof typeof severityNumbers | undefined;
}

/**
 * What `traced()` returns: a method decorator in both of TypeScript's decorator forms, standard
 * (TC39, the default) and legacy (`experimentalDecorators: true`, as NestJS, TypeORM and Angular
 * projects use), told apart by the arguments it is called with.
 */
export interface TracedDecorator {
  /** Standard decorators: `(method, context)` → the replacement method. */
  <This, A extends unknown[], R>(method: (this: This, ...args: A) => R, context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>): (this: This, ...args: A) => R;
  /** `experimentalDecorators`: `(prototype, name, descriptor)` → the descriptor with the method replaced. */
  <T>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> | void;
}

/**
 * A method decorator that logs each call with its duration and outcome, and the error when it
 * throws or rejects. Works for synchronous and async methods alike, with standard decorators and
 * with `experimentalDecorators`.
 *
 * @example class Cart { @traced() async checkout() { … } }
 */
export function traced(options: TracedOptions = {}): TracedDecorator {
  const level = options.level ?? 'info';
  if (!Object.hasOwn(severityNumbers, level)) throw invalidArgument(`traced({ level }) takes one of ${Object.keys(severityNumbers).join(', ')}, not ${JSON.stringify(level)}`);
  const severity = severityNumbers[level];
  const wrap = <This, A extends unknown[], R>(method: (this: This, ...args: A) => R, name: string): ((this: This, ...args: A) => R) => {
    const finished = (start: number): number => Math.round((performance.now() - start) * 1000) / 1000;
    const ok = (start: number): void => {
      const durationMs = finished(start);
      emit(severity, name, '%s finished in %.3f ms', [name, durationMs], { method: name, durationMs, outcome: 'ok' });
    };
    const failed = (start: number, error: unknown): void => {
      const durationMs = finished(start);
      emit(severityNumbers.error, name, '%s failed after %.3f ms', [name, durationMs, error], { method: name, durationMs, outcome: 'error' });
    };
    return function (this: This, ...args: A): R {
      const start = performance.now();
      let result: R;
      try {
        result = method.apply(this, args);
      } catch (error) {
        failed(start, error);
        throw error;
      }
      if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        return (result as unknown as Promise<unknown>).then(
          (value) => {
            ok(start);
            return value;
          },
          (error: unknown) => {
            failed(start, error);
            throw error;
          },
        ) as R;
      }
      ok(start);
      return result;
    };
  };
  return function (first: unknown, second: unknown, descriptor?: PropertyDescriptor): unknown {
    if (typeof second === 'object' && second !== null && 'kind' in second) {
      const context = second as DecoratorContext;
      if (context.kind !== 'method' || typeof first !== 'function') throw invalidArgument(`@traced() decorates methods, not a ${context.kind}`);
      return wrap(first as (...args: unknown[]) => unknown, String(context.name));
    }
    if ((typeof second === 'string' || typeof second === 'symbol') && descriptor !== undefined && typeof descriptor.value === 'function') {
      return { ...descriptor, value: wrap(descriptor.value as (...args: unknown[]) => unknown, String(second)) };
    }
    throw invalidArgument('@traced() decorates methods');
  } as TracedDecorator;
}
