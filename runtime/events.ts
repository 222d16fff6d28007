/**
 * The minimal event pipe: stamps each event with the context in force and hands it to the
 * registered sinks. The full logging API builds on this.
 */
import { type ContextVariables, type Frame, type LogmillContext, ambientContext } from './context.js';
import { logicalStack } from './stack.js';

/** What a sink receives. Field names follow the event envelope in ARCHITECTURE.md. */
export interface LogmillEvent {
  readonly kind: 'log' | 'event';
  readonly name: string;
  readonly ts: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly context: {
    readonly vars: ContextVariables;
    readonly stack: readonly Frame[];
  };
}

/** Receives every emitted event. A sink that throws is skipped; logging never throws into the app. */
export type Sink = (event: LogmillEvent) => void;

const sinksKey = Symbol.for('logmill.sinks.v1');
const globalScope = globalThis as typeof globalThis & { [sinksKey]?: Sink[] };
const sinks: Sink[] = (globalScope[sinksKey] ??= []);

/** Registers a sink; returns a function that removes it. */
export function addSink(sink: Sink): () => void {
  sinks.push(sink);
  return () => {
    const index = sinks.indexOf(sink);
    if (index >= 0) sinks.splice(index, 1);
  };
}

/** Emits an event tagged with `context` (by default the ambient context). */
export function emitEvent(
  kind: LogmillEvent['kind'],
  name: string,
  attributes: Readonly<Record<string, unknown>> = {},
  context: LogmillContext = ambientContext(),
): void {
  if (sinks.length === 0) return;
  const event: LogmillEvent = {
    kind,
    name,
    ts: Date.now(),
    attributes,
    context: { vars: context.variables, stack: logicalStack(context) },
  };
  for (const sink of sinks) {
    try {
      sink(event);
    } catch {
      // A broken sink must not take the app, or the other sinks, down with it.
    }
  }
}
