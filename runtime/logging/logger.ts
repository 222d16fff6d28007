/**
 * The logger. A call below the level returns after one comparison; a call above it creates one
 * event and hands it to the sinks. With the transformer, calls arrive through `__logmillAt` with a
 * build-time call site and the caller's context, so nothing is looked up at run time. Without it,
 * calls have no module and follow the global level; `loggerForModule` names one.
 */
import type { CompiledTemplate } from '../format/compile-template.js';
import type { LogmillContext } from '../context.js';
import { sinkRegistry } from '../events.js';
import { frozenMerge } from '../frozen-merge.js';
import type { CallSite } from './event.js';
import { loggingState, thresholdForModule } from './configure.js';
import { defineLogFunction } from './define.js';
import { emitCall } from './loose-call.js';
import { type LevelName, severityNumbers, thresholdOf } from './levels.js';

/** A call site as the transformer records it, with the per-site caches the logger keeps on it. */
export interface StampedSite extends CallSite {
  readonly severityNumber: number;
  /** Cached: the threshold for the site's module, valid while `version` matches the configuration. */
  threshold: number;
  version: number;
  /** Cached: the module's fields, or undefined when the module has none. */
  fields: Readonly<Record<string, unknown>> | undefined;
  /** Cached: the last logger attributes seen here, and the module fields merged under them. */
  mergedFrom: Readonly<Record<string, unknown>> | undefined;
  merged: Readonly<Record<string, unknown>> | undefined;
}

const emptyAttributes: Readonly<Record<string, unknown>> = Object.freeze({});

/** Records a call site once, at module load (emitted by the transformer). */
export function site(
  severityNumber: number,
  module: string,
  file: string,
  line: number,
  column: number,
  fn: string,
  template?: string,
  compiledTemplate?: CompiledTemplate,
): StampedSite {
  return {
    severityNumber, module, file, line, column, function: fn, template, compiledTemplate,
    threshold: 0, version: -1, fields: undefined, mergedFrom: undefined, merged: undefined,
  };
}

/** Brings a site's cached threshold and module fields up to the configuration. */
export function refresh(stamped: StampedSite): void {
  stamped.threshold = thresholdForModule(stamped.module);
  stamped.fields = loggingState.moduleFields.get(stamped.module);
  stamped.merged = undefined;
  stamped.version = loggingState.version;
}

export class Logger {
  readonly #attributes: Readonly<Record<string, unknown>>;

  constructor(attributes: Readonly<Record<string, unknown>> = emptyAttributes) {
    this.#attributes = attributes;
  }

  /** A logger whose events also carry `attributes` (later keys win). Cheap enough per request. */
  with(attributes: Readonly<Record<string, unknown>>): Logger {
    return new Logger(frozenMerge(this.#attributes === emptyAttributes ? undefined : this.#attributes, attributes));
  }

  /** The attributes this logger adds to its events. */
  get attributes(): Readonly<Record<string, unknown>> {
    return this.#attributes;
  }

  /** Whether a call at `level` would log anywhere (for a module, when given). */
  isLevelEnabled(level: LevelName, module?: string): boolean {
    const severity = thresholdOf(level);
    const threshold = module === undefined ? loggingState.threshold : thresholdForModule(module);
    return severity >= threshold && severity >= sinkRegistry.lowest;
  }

  trace(template: string, ...args: unknown[]): void {
    if (severityNumbers.trace >= loggingState.threshold) this.#log(severityNumbers.trace, template, args);
  }
  debug(template: string, ...args: unknown[]): void {
    if (severityNumbers.debug >= loggingState.threshold) this.#log(severityNumbers.debug, template, args);
  }
  info(template: string, ...args: unknown[]): void {
    if (severityNumbers.info >= loggingState.threshold) this.#log(severityNumbers.info, template, args);
  }
  warn(template: string, ...args: unknown[]): void {
    if (severityNumbers.warn >= loggingState.threshold) this.#log(severityNumbers.warn, template, args);
  }
  error(template: string, ...args: unknown[]): void {
    if (severityNumbers.error >= loggingState.threshold) this.#log(severityNumbers.error, template, args);
  }
  fatal(template: string, ...args: unknown[]): void {
    if (severityNumbers.fatal >= loggingState.threshold) this.#log(severityNumbers.fatal, template, args);
  }

  #log(severity: number, template: unknown, args: unknown[]): void {
    emitCall(severity, template, args, this.#attributes);
  }

  /**
   * The transformer's entry: a stamped call site, the caller's context (or undefined outside
   * instrumented functions) and the call's arguments as written. Generated code calls it; it is
   * not part of the published types. In place of the site, the call's severity: the generated
   * `__logmillSite0 ?? 13` when the module's site records have not run yet (a circular ES module
   * import that calls into the module before its body ran); such a call logs as an unstamped one.
   * @internal
   */
  __logmillAt(stamped: StampedSite | number, context: LogmillContext | undefined, template: unknown, ...args: unknown[]): void {
    // A severity alone becomes a site of its own, with no module, file or line (fewer bytes for
    // pages than a branch of its own).
    if (typeof stamped === 'number') stamped = { severityNumber: stamped } as StampedSite;
    if (stamped.version !== loggingState.version) refresh(stamped);
    const severity = stamped.severityNumber;
    if (severity < stamped.threshold) return;
    const attributes = stamped.fields === undefined ? this.#attributes : withModuleFields(stamped, this.#attributes);
    emitCall(severity, stamped.template ?? template, args, attributes, context, stamped);
  }
}

/**
 * Module fields under a logger's attributes, merged once per site and logger rather than per
 * event (and frozen, so serializing sinks can cache their JSON too).
 */
export function withModuleFields(stamped: StampedSite, attributes: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (stamped.mergedFrom !== attributes || stamped.merged === undefined) {
    stamped.mergedFrom = attributes;
    stamped.merged = frozenMerge(stamped.fields, attributes);
  }
  return stamped.merged;
}

/**
 * The default logger, which is also callable: `log(function audit(...) {})` defines a logging
 * function named after the function (see `defineLogFunction`).
 */
export interface LogFunction extends Logger {
  <A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => void;
}

function callableLogger(base: Logger): LogFunction {
  const callable = function <A extends unknown[]>(fn: (...args: A) => unknown) {
    return defineLogFunction(fn);
  } as LogFunction;
  for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(Logger.prototype))) {
    if (name === 'constructor' || typeof descriptor.value !== 'function') continue;
    Object.defineProperty(callable, name, { value: (descriptor.value as (...args: unknown[]) => unknown).bind(base) });
  }
  Object.defineProperty(callable, 'attributes', { get: () => base.attributes });
  return callable;
}

/** The default logger. */
export const log: LogFunction = callableLogger(new Logger());
