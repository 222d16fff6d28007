/**
 * Dispatch: hands each event to the sinks whose level lets it through. A sink that throws is
 * skipped; logging never throws into the app.
 */
import { type LogmillContext, ambientContext } from './context.js';
import { invalidArgument } from './invalid-argument.js';
import { type CallSite, LogmillEvent } from './logging/event.js';
import { type LevelSetting, severityNumbers, thresholdOf } from './logging/levels.js';
import { sharedState } from './shared-state.js';

export { LogmillEvent } from './logging/event.js';

/** Receives every event at or above its level. */
export type Sink = (event: LogmillEvent) => void;

export interface SinkOptions {
  /** The minimum level this sink receives (default: everything the loggers emit). */
  level?: LevelSetting | undefined;
}

interface RegisteredSink {
  write: Sink;
  threshold: number;
}

interface SinkRegistry {
  sinks: RegisteredSink[];
  /** The lowest threshold among the sinks: below it, nothing is dispatched at all. */
  lowest: number;
}

export const sinkRegistry = /* @__PURE__ */ sharedState<SinkRegistry>('sinks.v2', () => ({ sinks: [], lowest: Infinity }));

function recomputeLowest(): void {
  sinkRegistry.lowest = sinkRegistry.sinks.reduce((lowest, sink) => Math.min(lowest, sink.threshold), Infinity);
}

/** Registers a sink; returns a function that removes it. */
export function addSink(write: Sink, options: SinkOptions = {}): () => void {
  if (typeof write !== 'function') throw invalidArgument('addSink(write) takes a function of the event');
  const registered: RegisteredSink = { write, threshold: options.level === undefined ? 0 : thresholdOf(options.level) };
  sinkRegistry.sinks.push(registered);
  recomputeLowest();
  return () => {
    const index = sinkRegistry.sinks.indexOf(registered);
    if (index >= 0) sinkRegistry.sinks.splice(index, 1);
    recomputeLowest();
  };
}

/** Hands `event` to every sink whose level lets it through. */
export function dispatch(event: LogmillEvent): void {
  const sinks = sinkRegistry.sinks;
  for (let index = 0; index < sinks.length; index++) {
    const sink = sinks[index]!;
    if (event.severityNumber < sink.threshold) continue;
    try {
      sink.write(event);
    } catch {
      // A broken sink must not take the app, or the other sinks, down with it.
    }
  }
}

/**
 * Creates and dispatches one event, unless no sink would take it; never throws. Level thresholds
 * are the caller's business (global, per call site, or none for analytic events).
 */
export function emitLog(
  kind: 'log' | 'event',
  name: string,
  severityNumber: number,
  template: string,
  args: readonly unknown[],
  attributes: Readonly<Record<string, unknown>>,
  context: LogmillContext | undefined,
  site: CallSite | undefined,
): void {
  if (severityNumber < sinkRegistry.lowest) return;
  try {
    dispatch(new LogmillEvent(kind, name, severityNumber, template, args, attributes, context ?? ambientContext(), site));
  } catch {
    // Logging never throws into the app.
  }
}

/** Emits an analytic or internal event tagged with `context` (by default the ambient context), at `site` when stamped. */
export function emitEvent(
  kind: 'log' | 'event',
  name: string,
  attributes: Readonly<Record<string, unknown>> = {},
  context?: LogmillContext,
  site?: CallSite,
): void {
  emitLog(kind, name, severityNumbers.info, name, [], attributes, context, site);
}
