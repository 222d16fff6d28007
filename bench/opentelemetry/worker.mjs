// One mode in its own process: installs the context manager, warms up, then times sequential
// traced requests; reports how many leaf spans found their request's span as parent.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { pathToFileURL } from 'node:url';

const [modulePath, iterationsText, manager] = process.argv.slice(2);
const iterations = Number(iterationsText);
let parented = 0;
let leaves = 0;
const requests = new Set();
// Checks each leaf's parent as it starts: the request span that is still open.
const checker = {
  onStart(span) {
    if (span.name === 'request') requests.add(span.spanContext().spanId);
    else {
      leaves++;
      if (requests.has(span.parentSpanContext?.spanId)) parented++;
    }
  },
  onEnd(span) {
    if (span.name === 'request') requests.delete(span.spanContext().spanId);
  },
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [checker] }));
if (manager === 'async-local-storage') context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
if (manager === 'logmill' || manager === 'logmill-fallback') {
  const logmill = await import('logmill');
  logmill.configureContext({ asyncLocalStorage: manager === 'logmill' ? 'never' : 'always' });
  const { LogmillContextManager } = await import('logmill/opentelemetry');
  context.setGlobalContextManager(new LogmillContextManager().enable());
}
const { request } = await import(pathToFileURL(modulePath).href);
let checksum = 0;
for (let i = 0; i < 20_000; i++) checksum += await request(i);
parented = 0;
leaves = 0;
const start = process.hrtime.bigint();
for (let i = 0; i < iterations; i++) checksum += await request(i);
const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write(JSON.stringify({ ms: elapsed, checksum, parented: parented / leaves }) + '\n');
