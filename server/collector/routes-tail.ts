/**
 * `GET /api/tail?severity=WARN&module=api/checkout&q=text`: acknowledged events as they arrive,
 * as Server-Sent Events. Raw events are one person's data, so the tail needs direct access.
 */
import type { FastifyInstance } from 'fastify';
import { parseSeverity } from '../domain/query-model.js';
import { authorize } from './access.js';
import { ClientError } from './client-error.js';
import { singleParameters } from './query-parameters.js';
import type { KeyRing } from './keys.js';
import { type LiveTail, maxSubscribers } from './live-tail.js';

export function registerTailRoute(app: FastifyInstance, keys: KeyRing, tail: LiveTail): void {
  app.get('/api/tail', async (request, reply) => {
    const grant = authorize(request, keys, 'read');
    if (grant.access !== 'direct') throw new ClientError(403, 'access_level', 'the live tail shows raw events and needs direct access');
    const parameters = singleParameters(request.query, ['severity', 'module', 'q']);
    const minimumSeverity = parameters['severity'] === undefined ? undefined : parseSeverity(parameters['severity']);
    const response = reply.raw;
    const subscription = tail.subscribe(
      { project: grant.project, minimumSeverity, module: parameters['module'], text: parameters['q'] },
      { write: (chunk) => void response.write(chunk), queuedBytes: () => response.writableLength },
    );
    if (subscription === undefined) {
      return reply.code(503).header('retry-after', '5').send({ error: 'busy', message: `${maxSubscribers} live tails are open, the most the collector serves at once; try again when one closes` });
    }
    reply.hijack();
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    response.write(': logmill live tail\n\n');
    response.on('drain', () => subscription.drained());
    // A comment now and then keeps proxies from closing an idle stream.
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      subscription.close();
    });
  });
}
