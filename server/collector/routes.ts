/**
 * The collector's HTTP routes: ingest (`/v1/events`, OTLP `/v1/logs`), direct reads of one stored
 * event, and health (`/healthz`, `/readyz`, `/metrics`).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';
import { authorize } from './access.js';
import { ClientError } from './client-error.js';
import { type IngestDependencies, type IngestOutcome, ingest } from './ingest.js';
import type { KeyRing } from './keys.js';
import type { CollectorMetrics } from './metrics.js';
import { otlpToItems } from './otlp-to-envelope.js';
import { parseBatch } from './parse-batch.js';
import { singleParameters } from './query-parameters.js';
import type { RawBody } from './request-body.js';
import { withJsonValues } from './user-export.js';

const maxListedRejections = 100;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses and ingests a body; a plain function, so the parsed items are not held while the batch is made durable. */
function ingestBody(dependencies: IngestDependencies, project: string, body: RawBody | undefined): { total: number; outcome: Promise<IngestOutcome> } {
  const batch = parseBatch(body, dependencies.limits.eventsPerBatch);
  return { total: batch.items.length, outcome: ingest(dependencies, project, batch.items, batch.problems, batch.wellFormed) };
}

export function registerRoutes(app: FastifyInstance, keys: KeyRing, store: Store, metrics: CollectorMetrics, dependencies: IngestDependencies): void {
  app.post('/v1/events', async (request, reply) => {
    const grant = authorize(request, keys, 'ingest');
    metrics.recordClientReport(request.headers['x-logmill-client'] as string | undefined);
    const { total, outcome: ingested } = ingestBody(dependencies, grant.project, request.body as RawBody | undefined);
    // Fastify's request holds the body until the answer: its text goes now, not after the sync, so
    // the young generation does not copy and promote it while the batch waits.
    request.body = undefined;
    const outcome = await ingested;
    // Events kept with a string cut to the limit are named by count, so the client can say so.
    const truncated = outcome.truncated === 0 ? {} : { truncated: outcome.truncated, truncatedBeyond: dependencies.limits.stringLength };
    if (outcome.rejected.length === 0) return reply.code(200).send({ accepted: outcome.accepted, ...truncated });
    // A partly bad batch: the good events are stored (durably) before this answer, and the 4xx
    // tells the client not to resend, since the bad ones would only fail again.
    const first = outcome.rejected[0]!;
    metrics.rejectedRequests.inc({ reason: 'invalid_events' });
    return reply.code(outcome.accepted === 0 ? 400 : 422).send({
      error: 'invalid_events',
      message: `${outcome.rejected.length} of ${total} events refused; first at index ${first.index}${first.path === '' ? '' : `, ${first.path}`}: ${first.message} (${first.reason})`,
      accepted: outcome.accepted,
      ...truncated,
      rejected: outcome.rejected.slice(0, maxListedRejections),
    });
  });

  app.post('/v1/logs', async (request, reply) => {
    const grant = authorize(request, keys, 'ingest');
    const body = request.body as RawBody | undefined;
    if (body === undefined || body.text.trim() === '') throw new ClientError(400, 'empty_body', 'the body carries no log records');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.text);
    } catch (error) {
      throw new ClientError(400, 'invalid_json', `the body is not JSON: ${(error as Error).message}`);
    }
    let converted;
    try {
      converted = otlpToItems(parsed, Date.now());
    } catch (error) {
      // Whatever the conversion meets in the body is the client's: a nesting past every guard
      // still answers 400, never a 503 that exporters would retry forever.
      if (error instanceof RangeError) throw new ClientError(400, 'too_deep', 'the body nests values too deeply');
      throw error;
    }
    const { items: envelopes, problems } = converted;
    // Every record refused while converting (nested too deeply): the request is the client's error.
    const [first] = problems.values();
    if (first !== undefined && problems.size === envelopes.length) throw new ClientError(400, first.reason, first.message, { path: first.path });
    if (envelopes.length === 0) throw new ClientError(400, 'empty_body', 'the request carries no log records');
    if (envelopes.length > dependencies.limits.eventsPerBatch) {
      throw new ClientError(413, 'too_many_events', `a batch may carry at most ${dependencies.limits.eventsPerBatch} log records`);
    }
    const outcome = await ingest(dependencies, grant.project, envelopes, problems);
    // OTLP's partial-success answer: 200, with the count and reason of the records refused.
    // OTLP's warning form of partial success (nothing rejected, a message) says what was truncated.
    const truncation = outcome.truncated === 0 ? [] : [`${outcome.truncated} records kept with strings truncated to ${dependencies.limits.stringLength} characters`];
    if (outcome.rejected.length === 0) return reply.code(200).send(truncation.length === 0 ? {} : { partialSuccess: { rejectedLogRecords: 0, errorMessage: truncation[0] } });
    return reply.code(200).send({
      partialSuccess: {
        rejectedLogRecords: outcome.rejected.length,
        errorMessage: [...outcome.rejected.slice(0, 10).map((rejection) => `record ${rejection.index}: ${rejection.message}`), ...truncation].join('; '),
      },
    });
  });

  app.get('/api/events/:id', async (request) => {
    const grant = authorize(request, keys, 'read');
    if (grant.access !== 'direct') throw new ClientError(403, 'access_level', 'reading single events needs direct access');
    const { id } = request.params as { id: string };
    if (!uuid.test(id)) throw new ClientError(400, 'invalid_id', 'the event id must be a UUID');
    const row = await store.event(grant.project, id.toLowerCase());
    if (row === undefined) throw new ClientError(404, 'not_found', 'no event with that id');
    // As the export gives them: args an array, attributes an object, whichever store answered.
    return withJsonValues(row);
  });

  // One event's user journey: that user's events around it. Direct access only: it is one person.
  app.get('/api/events/:id/journey', async (request) => {
    const grant = authorize(request, keys, 'read');
    if (grant.access !== 'direct') throw new ClientError(403, 'access_level', 'a user journey needs direct access');
    const { id } = request.params as { id: string };
    if (!uuid.test(id)) throw new ClientError(400, 'invalid_id', 'the event id must be a UUID');
    const around = Number(singleParameters(request.query, ['around'])['around'] ?? 3600);
    if (!Number.isFinite(around) || around <= 0 || around > 30 * 86_400) throw new ClientError(400, 'invalid_query', 'around is seconds, at most 30 days');
    return { events: (await store.journey(grant.project, id.toLowerCase(), around * 1000, 'user_id')).map(withJsonValues) };
  });

  app.get('/healthz', async () => ({ status: 'ok', uptimeSeconds: (Date.now() - metrics.startedAt) / 1000 }));

  app.get('/readyz', async (_request, reply) => {
    const writable = await store.writable();
    return reply.code(writable ? 200 : 503).send({ status: writable ? 'ready' : 'storage not writable' });
  });

  // Prometheus metrics count events live, per project: read at the rate they arrive, they would
  // show single events that the guarded analytics never show. So they need a key with direct
  // access (the admin key, or a read key at `direct`), sent as Prometheus's `authorization`.
  app.get('/metrics', async (request, reply) => {
    const grant = authorize(request, keys, 'read');
    if (grant.access !== 'direct') {
      throw new ClientError(403, 'forbidden', `/metrics counts single events: it needs a key with direct access (the admin key, or a read key with access "direct"); this key is ${grant.access}`);
    }
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
