/**
 * A logger for a named module. The transformer stamps every call with the module of its file, and
 * module levels and fields follow from that; calls the transformer did not stamp have no module, so
 * they follow the global level. `loggerForModule` names the module for such code (LogTape calls it
 * a category). It lives apart from `Logger` so that bundles which never ask for it leave it out.
 */
import type { LogmillContext } from '../context.js';
import { emitLog } from '../events.js';
import { frozenMerge } from '../frozen-merge.js';
import { invalidArgument } from '../invalid-argument.js';
import { loggingState } from './configure.js';
import { type LevelName, severityNumbers } from './levels.js';
import { Logger, type StampedSite, refresh, site, withModuleFields } from './logger.js';

/** @internal (exported for runtime/logging/test-doubles.ts) */
export class ModuleLogger extends Logger {
  /** The module as a site record, so its caches follow the configuration as a stamped site's do. */
  readonly #module: StampedSite;

  constructor(module: string, attributes: Readonly<Record<string, unknown>> | undefined) {
    super(attributes);
    this.#module = site(0, module, '', 0, 0, '');
  }

  /** The module whose level and fields this logger's calls follow. */
  get module(): string {
    return this.#module.module;
  }

  override with(attributes: Readonly<Record<string, unknown>>): Logger {
    return new ModuleLogger(this.#module.module, frozenMerge(this.attributes, attributes));
  }

  override isLevelEnabled(level: LevelName, module: string = this.#module.module): boolean {
    return super.isLevelEnabled(level, module);
  }

  override trace(template: string, ...args: unknown[]): void {
    this.#log(severityNumbers.trace, template, args);
  }
  override debug(template: string, ...args: unknown[]): void {
    this.#log(severityNumbers.debug, template, args);
  }
  override info(template: string, ...args: unknown[]): void {
    this.#log(severityNumbers.info, template, args);
  }
  override warn(template: string, ...args: unknown[]): void {
    this.#log(severityNumbers.warn, template, args);
  }
  override error(template: string, ...args: unknown[]): void {
    this.#log(severityNumbers.error, template, args);
  }
  override fatal(template: string, ...args: unknown[]): void {
    this.#log(severityNumbers.fatal, template, args);
  }

  /**
   * A stamped call keeps its file, line and function, and follows this logger's module.
   * @internal
   */
  override __logmillAt(stamped: StampedSite | number, context: LogmillContext | undefined, template: unknown, ...args: unknown[]): void {
    // The severity alone: the module's site records have not run yet (see Logger.__logmillAt).
    if (typeof stamped === 'number') {
      this.#emit(stamped, String(template), args, context, this.#module);
      return;
    }
    if (stamped.version !== loggingState.version) refresh(stamped);
    this.#emit(stamped.severityNumber, String(stamped.template ?? template), args, context, stamped);
  }

  #log(severity: number, template: unknown, args: unknown[]): void {
    // With no file or line to give, the event's site names only the module.
    this.#emit(severity, String(template), args, undefined, this.#module);
  }

  #emit(severity: number, template: string, args: unknown[], context: LogmillContext | undefined, at: StampedSite): void {
    const module = this.#module;
    if (module.version !== loggingState.version) refresh(module);
    if (severity < module.threshold) return;
    const attributes = module.fields === undefined ? this.attributes : withModuleFields(module, this.attributes);
    emitLog('log', '', severity, template, args, attributes, context, at);
  }
}

/**
 * A logger for `module`: its calls follow that module's level (`configureLogging({ modules })`)
 * and carry its fields (`moduleFields`), in transformed files and elsewhere.
 *
 * @example const checkoutLog = loggerForModule('api/checkout');
 */
export function loggerForModule(module: string, attributes?: Readonly<Record<string, unknown>>): Logger & { readonly module: string } {
  if (typeof module !== 'string' || module === '') throw invalidArgument('loggerForModule(module) takes a module name such as "api/checkout"');
  return new ModuleLogger(module.replace(/\/+$/, ''), attributes === undefined ? undefined : frozenMerge(undefined, attributes));
}

