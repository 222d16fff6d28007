// A page's code, compiled with the transformer and bundled for the browser: interleaved requests
// across native awaits (timers, fetch, microtasks), a DOM listener registered in instrumented
// code, OpenTelemetry spans through LogmillContextManager, and uncaught errors reported by
// captureErrors. No AsyncLocalStorage exists here; only the transformer carries the context.
// What each piece saw goes to `window.results`, the spans and reports to `spans` and `reports`.
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { captureErrors, contextVariables, log, logicalStack, memorySink, withContext } from 'logmill';
import { LogmillContextManager } from 'logmill/opentelemetry';
import type { Report, Seen, SpanRecord } from './context-app-types.js';

const results: Seen[] = [];
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new LogmillContextManager().enable());
const tracer = trace.getTracer('page');
const sink = memorySink();
captureErrors({ breadcrumbs: 5 });

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

async function registerFailingButton(): Promise<void> {
  await withContext({ requestId: 'fail-setup' }, async () => {
    await Promise.resolve();
    document.getElementById('fail')!.addEventListener('click', () => {
      throw new Error('checkout button broke', { cause: new Error('price missing') });
    });
  });
}

async function rejectLater(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new Error('background sync failed');
}

async function main(): Promise<void> {
  console.log('opened the cart');
  console.warn('slow network');
  await Promise.all([request('slow', 30), request('fast', 5), request('middle', 15), registerButton(), registerFailingButton()]);
  // Nobody awaits this one: its rejection is unhandled.
  void withContext({ requestId: 'sync-job' }, () => rejectLater());
  see('top');
  (window as unknown as Record<string, unknown>)['results'] = results;
  (window as unknown as Record<string, unknown>)['spans'] = exporter.getFinishedSpans().map((span): SpanRecord => ({
    name: span.name, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, parent: span.parentSpanContext?.spanId ?? null,
  }));
  (window as unknown as Record<string, unknown>)['events'] = sink.events.map((event) => ({ message: event.message, requestId: event.logContext.variables['requestId'], traceId: event.trace?.traceId ?? null }));
  (window as unknown as Record<string, unknown>)['reports'] = (): Report[] => sink.events
    .filter((event) => event.attributes['mechanism'] !== undefined)
    .map((event) => ({
      template: event.template,
      message: event.message,
      mechanism: event.attributes['mechanism'],
      requestId: event.logContext.variables['requestId'],
      stack: logicalStack(event.logContext).map((frame) => frame.function),
      breadcrumbs: event.attributes['breadcrumbs'] as Report['breadcrumbs'],
      sessionId: event.sessionId,
      cause: (event.error?.cause as { message?: string } | undefined)?.message,
    }));
  (window as unknown as Record<string, unknown>)['ready'] = true;
}

void main();
