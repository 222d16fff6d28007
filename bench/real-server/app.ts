// The server of the real-server benchmark: a fastify JSON API, handler → service → repository with
// four awaits per request and one log call. One source, compiled twice (plain tsc and through the
// transformer); MODE picks the logger and how the request's context gets into it:
//   pino            plain build, pino
//   pino-als        plain build, pino + AsyncLocalStorage (`run` per request, a mixin reads it)
//   logmill-plain   plain build, Logmill's logger (no context per request)
//   logmill         instrumented build, Logmill's logger, `withContext` per request
import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as tick } from 'node:timers/promises';
import Fastify from 'fastify';
import { pino } from 'pino';
import { log, ndjsonSink, withContext } from 'logmill';

const mode = process.env['MODE'] ?? 'pino';
const usesLogmill = mode === 'logmill' || mode === 'logmill-plain';
const requestStore = new AsyncLocalStorage<{ requestId: string }>();
const pinoLogger = pino(
  mode === 'pino-als' ? { mixin: () => ({ requestId: requestStore.getStore()?.requestId }) } : {},
  pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }),
);
const sink = usesLogmill ? ndjsonSink({ destination: '/dev/null' }) : undefined;

interface Order {
  id: string;
  customer: string;
  lines: Array<{ sku: string; quantity: number; cents: number }>;
}

// The repository: a lookup that leaves the microtask queue once, as a database call would.
async function findOrder(id: string): Promise<Order | undefined> {
  await tick();
  const lines = [1, 2, 3].map((index) => ({ sku: `sku-${index}`, quantity: index, cents: 250 * index }));
  return { id, customer: `customer-${id.length}`, lines };
}

async function findCustomer(id: string): Promise<{ id: string; tier: string }> {
  await null;
  return { id, tier: 'gold' };
}

// The service: two lookups and the one log line of the request.
async function orderSummary(id: string): Promise<{ id: string; customer: string; tier: string; totalCents: number }> {
  const order = await findOrder(id);
  if (order === undefined) throw new Error(`no order ${id}`);
  const customer = await findCustomer(order.customer);
  const totalCents = order.lines.reduce((sum, line) => sum + line.quantity * line.cents, 0);
  if (usesLogmill) log.info('order %s summarised for %s', id, customer.id);
  else pinoLogger.info({ orderId: id, customer: customer.id }, 'order summarised');
  return { id, customer: customer.id, tier: customer.tier, totalCents };
}

// The handler.
let served = 0;
async function getOrder(request: { params: { id: string } }): Promise<unknown> {
  served++;
  const summary = await orderSummary(request.params.id);
  return { ...summary, currency: 'EUR' };
}

const app = Fastify({ logger: false });
let requestCount = 0;
if (mode === 'pino-als') {
  app.addHook('onRequest', (_request, _reply, done) => requestStore.run({ requestId: `r${++requestCount}` }, done));
} else if (mode === 'logmill') {
  app.addHook('onRequest', (_request, _reply, done) => withContext({ requestId: `r${++requestCount}` }, done));
}
app.get<{ Params: { id: string } }>('/orders/:id', getOrder);

// The runner reads the server's CPU time around a load phase through this route.
app.get('/__cpu', async () => {
  const usage = process.cpuUsage();
  return { cpuMicroseconds: usage.user + usage.system, requests: served };
});

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`);
process.on('SIGTERM', () => {
  void app.close().then(async () => {
    await sink?.flush();
    process.exit(0);
  });
});
