/**
 * The public API every entry shares. It installs nothing: `index.ts` adds Python-exact message
 * rendering, `browser.ts` leaves it out (the collector renders for browsers).
 */
export type { ContextVariables, Frame, LogmillContext } from './context.js';
export { isContext } from './context.js';
export { contextOfThrown } from './thrown.js';
export { currentSessionId, setSessionId } from './session.js';
export {
  type ContextOptions,
  bindContext,
  configureContext,
  contextVariables,
  currentContext,
  experiment,
  isFallbackEnabled,
  logicalStack,
  withContext,
} from './api.js';
export { LogmillEvent, type Sink, type SinkOptions, addSink, dispatch, emitEvent } from './events.js';
export type { CallSite } from './logging/event.js';
export { type ErrorInfo, describeError } from './logging/errors.js';
export { type LevelName, type LevelSetting, severityNumbers, severityText } from './logging/levels.js';
export { type LoggingOptions, configureLogging, moduleFields } from './logging/configure.js';
export { type LogFunction, Logger, log } from './logging/logger.js';
export { loggerForModule } from './logging/module-logger.js';
export { type TracedOptions, defineLogFunction, traced } from './logging/define.js';
export { event, identify } from './logging/analytics.js';
export { type RedactionOptions, compileSensitiveKeys, defaultSensitiveKeys } from './logging/redact.js';
export { envelopeJson } from './logging/envelope.js';
export { uuidv7 } from './logging/uuid.js';
export { type MemorySink, memorySink } from './sinks/memory.js';
export { type PrettyOptions, formatPretty, prettySink } from './sinks/pretty.js';
export { type OtlpExporter, type OtlpOptions, otlpExporter, toLogRecord } from './sinks/otlp.js';
export {
  type FormatArgs,
  type FormatResult,
  formatPercent,
  formatPercentDetailed,
} from './format/format-percent.js';
