/**
 * Logging configuration: the global level, per-module levels (by module-name prefix, the way S3
 * lists keys under a prefix), module fields, redaction and the service identity.
 */
import { frozenMerge } from '../frozen-merge.js';
import { checkKnownOptions, invalidArgument, isRecord } from '../invalid-argument.js';
import { type LevelSetting, thresholdOf } from './levels.js';
import { type Redaction, type RedactionOptions, Redactor, defaultRedaction } from './redact.js';
import { sharedState } from '../shared-state.js';

export interface LoggingOptions {
  /** The minimum level for every module without its own (default `info`). */
  level?: LevelSetting | undefined;
  /** Levels by module-name prefix: `{ 'api/checkout': 'debug' }` covers `api/checkout/payment`. */
  modules?: Record<string, LevelSetting> | undefined;
  /** Scrubbing applied by the serializing sinks before anything leaves the process. */
  redact?: RedactionOptions | undefined;
  /** Who is logging, stamped on serialized events. */
  service?: { name?: string | undefined; version?: string | undefined; instance?: string | undefined } | undefined;
}

export interface LoggingState {
  threshold: number;
  modules: Array<[prefix: string, threshold: number]>;
  moduleFields: Map<string, Readonly<Record<string, unknown>>>;
  redactor: Redaction;
  service: { name?: string; version?: string; instance?: string } | undefined;
  /** Bumped on every change, so per-site caches know to recompute. */
  version: number;
}

export const loggingState = /* @__PURE__ */ sharedState<LoggingState>('logging.v1', () => ({
  threshold: thresholdOf('info'),
  modules: [],
  moduleFields: new Map(),
  redactor: defaultRedaction,
  service: undefined,
  version: 0,
}));

/** Configures logging; options left out keep their current values. */
export function configureLogging(options: LoggingOptions): void {
  if (!isRecord(options)) throw invalidArgument('configureLogging(options) takes an object');
  checkKnownOptions(options, ['level', 'modules', 'redact', 'service'], 'configureLogging');
  if (options.modules !== undefined && !isRecord(options.modules)) throw invalidArgument('modules maps module-name prefixes to levels');
  if (options.service !== undefined && !isRecord(options.service)) throw invalidArgument('service is an object: { name, version, instance }');
  if (options.service !== undefined) checkKnownOptions(options.service, ['name', 'version', 'instance'], 'configureLogging({ service })');
  // Everything is checked before anything is applied, so a bad option changes nothing.
  const redactor = options.redact === undefined ? undefined : new Redactor(options.redact);
  const threshold = options.level === undefined ? undefined : thresholdOf(options.level);
  const modules = options.modules === undefined
    ? undefined
    : Object.entries(options.modules)
      .map(([prefix, level]): [string, number] => [prefix.replace(/\/+$/, ''), thresholdOf(level)])
      .sort((a, b) => b[0].length - a[0].length);
  if (threshold !== undefined) loggingState.threshold = threshold;
  if (modules !== undefined) loggingState.modules = modules;
  if (redactor !== undefined) loggingState.redactor = redactor;
  if (options.service !== undefined) loggingState.service = options.service;
  loggingState.version++;
}

/** The threshold for a module: its longest configured prefix, else the global level. */
export function thresholdForModule(module: string): number {
  for (const [prefix, threshold] of loggingState.modules) {
    if (module === prefix || module.startsWith(`${prefix}/`)) return threshold;
  }
  return loggingState.threshold;
}

/**
 * Declares fields for every event this module logs, and no other module's. With the transformer,
 * the module is filled in from the call site; without it, pass the module name.
 *
 * @example moduleFields({ team: 'payments' })
 */
export function moduleFields(fields: Readonly<Record<string, unknown>>, module?: string): void {
  if (!isRecord(fields)) throw invalidArgument('moduleFields(fields) takes an object of fields');
  // The transformer adds the module; in a file it did not transform, the caller names it.
  if (typeof module !== 'string') throw invalidArgument('moduleFields(fields, module): name the module where the transformer did not run');
  loggingState.moduleFields.set(module, frozenMerge(loggingState.moduleFields.get(module), fields));
  loggingState.version++;
}
