// A small service on the instrumented fastify: an onReady hook runs inside fastify's own
// (instrumented) hook wrapper, and each request's events keep its request id.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { log, withContext } from 'logmill';
import { printEvents } from './print-events.js';

interface Request { id: string; params: { id: string } }
interface App {
  addHook(name: 'onReady', hook: () => Promise<void>): void;
  get(path: string, handler: (request: Request) => Promise<unknown>): void;
  ready(): Promise<void>;
  inject(path: string): Promise<{ statusCode: number }>;
  close(): Promise<void>;
}
const projectDirectory = process.argv[2]!;
const fastify = createRequire(join(projectDirectory, 'package.json'))(projectDirectory) as () => App;

printEvents();

async function loadOrder(id: string): Promise<{ id: string }> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  log.info('loaded order %s', id);
  return { id };
}

const app = fastify();
app.addHook('onReady', async function warmCaches() {
  log.info('caches warm');
});
app.get('/orders/:id', async function getOrder(request) {
  return withContext({ requestId: request.id }, () => loadOrder(request.params.id));
});

await withContext({ deploy: 'blue' }, () => app.ready());
await Promise.all([app.inject('/orders/1'), app.inject('/orders/2')]);
await app.close();
