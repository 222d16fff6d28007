// A page's code, compiled with the transformer and bundled for the browser: interleaved requests
// across native awaits (timers, fetch, microtasks), a DOM listener registered in instrumented
// code, and OpenTelemetry spans through LogmillContextManager. No AsyncLocalStorage exists here;
// only the transformer carries the context. What each piece saw goes to `window.results`.
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { contextVariables, log, logicalStack, memorySink, withContext } from 'logmill';
import { LogmillContextManager } from 'logmill/opentelemetry';

export interface Seen {
  label: string;
  requestId: unknown;
  stack: string[];
  traceId: string | null;
  spanId: string | null;
}

/** A finished span, as the page hands it to the test. */
export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parent: string | null;
}

const results: Seen[] = [];
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new LogmillContextManager().enable());
const tracer = trace.getTracer('page');
const sink = memorySink();

function see(label: string): void {
  const span = trace.getActiveSpan()?.spanContext();
  results.push({ label, requestId: contextVariables()['requestId'], stack: logicalStack().map((frame) => frame.function), traceId: span?.traceId ?? null, spanId: span?.spanId ?? null });
}

async function loadProfile(id: string, delay: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, delay));
  see(`${id}:after-timer`);
  await fetch(`/profile?id=${id}`).then((response) => response.text());
  see(`${id}:after-fetch`);
  await tracer.startActiveSpan(`render ${id}`, async (span) => {
    await Promise.resolve();
    see(`${id}:in-render-span`);
    log.info('rendered %s', id);
    span.end();
  });
}

async function request(id: string, delay: number): Promise<void> {
  await withContext({ requestId: id }, () =>
    tracer.startActiveSpan(`request ${id}`, async (span) => {
      await loadProfile(id, delay);
      see(`${id}:done`);
      span.end();
    }));
}

async function registerButton(): Promise<void> {
  await withContext({ requestId: 'button-setup' }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    document.getElementById('buy')!.addEventListener('click', () => see('click'));
  });
}

async function main(): Promise<void> {
  await Promise.all([request('slow', 30), request('fast', 5), request('middle', 15), registerButton()]);
  see('top');
  (window as unknown as Record<string, unknown>)['results'] = results;
  (window as unknown as Record<string, unknown>)['spans'] = exporter.getFinishedSpans().map((span): SpanRecord => ({
    name: span.name, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, parent: span.parentSpanContext?.spanId ?? null,
  }));
  (window as unknown as Record<string, unknown>)['events'] = sink.events.map((event) => ({ message: event.message, requestId: event.logContext.variables['requestId'], traceId: event.trace?.traceId ?? null }));
  (window as unknown as Record<string, unknown>)['ready'] = true;
}

void main();
