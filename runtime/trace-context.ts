/**
 * Trace ids on events: a tracing bridge (such as `logmill/opentelemetry`) registers how to find
 * the active trace and span for a Logmill context, and every event logged in that context carries
 * them. Without a bridge, events carry none and this costs one property read per event.
 */
import type { LogmillContext } from './context.js';
import { sharedState } from './shared-state.js';

/** The active trace and span, as W3C / OpenTelemetry hex ids. */
export interface TraceIds {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
}

/** Finds the active trace for a context; undefined when none is active. */
export type TraceContextProvider = (context: LogmillContext) => TraceIds | undefined;

interface TraceContextState {
  provider: TraceContextProvider | undefined;
}

// Shared by every copy of the runtime, like the context registry.
const state = /* @__PURE__ */ sharedState<TraceContextState>('trace-context.v1', () => ({ provider: undefined }));

/** Registers (or, with undefined, removes) the provider of trace ids for events. */
export function setTraceContextProvider(provider: TraceContextProvider | undefined): void {
  state.provider = provider;
}

/** The trace ids in force for `context`, if a bridge knows any; never throws. */
export function traceIdsOf(context: LogmillContext): TraceIds | undefined {
  const provider = state.provider;
  if (provider === undefined) return undefined;
  try {
    return provider(context);
  } catch {
    return undefined;
  }
}
