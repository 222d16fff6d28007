/**
 * Logmill: logging and eventing with the logical async call stack and context variables on every
 * event. This entry imports nothing platform-specific; `logmill` resolves to `node.ts` on Node.
 */
export type { ContextVariables, Frame, LogmillContext } from './context.js';
export { isContext } from './context.js';
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
export { type LogmillEvent, type Sink, addSink, emitEvent } from './events.js';
export {
  type FormatArgs,
  type FormatResult,
  formatPercent,
  formatPercentDetailed,
} from './format/format-percent.js';
