/**
 * Assembles the collector: fastify with strict body parsing, CORS, the routes, uniform JSON errors
 * (4xx name the problem, the domain's QueryError included; storage failures are 503 with Retry-After, so clients keep the batch, and
 * name the cause when the store says it (StoreUnavailableError: a shard down)),
 * and request metrics.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { QueryError } from '../domain/query-error.js';
import type { Store } from '../store/store.js';
import { StoreUnavailableError } from '../store/store-unavailable.js';
import { BodyBudget, CollectorBusyError } from './body-budget.js';
import { ClientError, clientErrorOf } from './client-error.js';
import type { CollectorConfig } from './config.js';
import { registerCors } from './cors.js';
import { registerDashboard } from './dashboard-assets.js';
import { KeyRing } from './keys.js';
import { CollectorMetrics } from './metrics.js';
import { registerBodyParsing } from './request-body.js';
import { Analytics } from '../analytics/analytics.js';
import { AuditLog } from '../analytics/audit-log.js';
import { Gdpr } from '../analytics/gdpr.js';
import { registerAnalyticsRoutes } from './routes-analytics.js';
import { registerGdprRoutes } from './routes-gdpr.js';
import { LiveTail } from './live-tail.js';
import { badUrlHandler, malformedHttpHandler } from './malformed-http.js';
import { registerRoutes } from './routes.js';
import { registerTailRoute } from './routes-tail.js';
import { Scrubber } from './scrub.js';

export interface Collector {
  app: FastifyInstance;
  metrics: CollectorMetrics;
  store: Store;
  /** Stops accepting requests, waits for those in flight, then closes the store. */
  close(): Promise<void>;
}

/** Fastify's own client-error codes, renamed to the collector's reasons. */
const fastifyReasons: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'empty_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_VALIDATION: 'invalid_request',
};

/**
 * Fastify says only "Unsupported Media Type". The usual sender of another type is an OpenTelemetry
 * exporter in its protobuf encoding (the OpenTelemetry Collector's `otlphttp` default), so the
 * answer names the encoding to switch to.
 */
function unsupportedMediaType(url: string, contentType: string | undefined): string {
  const given = contentType === undefined ? 'no Content-Type' : `Content-Type "${contentType}"`;
  if (url.split('?')[0] === '/v1/logs') {
    return `${given} is not accepted: /v1/logs takes OTLP/HTTP JSON (Content-Type: application/json), not protobuf; `
      + 'set `encoding: json` on the OpenTelemetry Collector\'s otlphttp exporter, or use an SDK\'s OTLP/HTTP JSON exporter';
  }
  return `${given} is not accepted: send application/json, application/x-ndjson or text/plain`;
}

export async function createCollector(config: CollectorConfig, store: Store): Promise<Collector> {
  const keys = new KeyRing(config.keys, config.project);
  const metrics = new CollectorMetrics(store);
  const scrubber = new Scrubber(config.scrub);
  const requestMilliseconds = Math.ceil(config.limits.requestSeconds * 1000);
  const app = Fastify({
    bodyLimit: config.limits.bodyBytes,
    logger: false,
    // Clients behind proxies: keep-alive connections stay open across batches.
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    // Node's own bound (300 s) is turned off by Fastify: without one, a client that sends part of a
    // body and stalls holds its connection and the body's memory for as long as it likes.
    requestTimeout: requestMilliseconds,
    clientErrorHandler: malformedHttpHandler(config.limits.requestSeconds),
    frameworkErrors: badUrlHandler,
    http: { headersTimeout: Math.min(60_000, requestMilliseconds), connectionsCheckingInterval: Math.min(30_000, Math.max(100, requestMilliseconds / 4)) },
    // A user id of up to 1024 characters (the schema's bound), percent-encoded, in /api/users/:id.
    routerOptions: { maxParamLength: 12 * 1024 },
  });
  // Before CORS: the preflight route it adds takes the error handler in place when it is added.
  app.setErrorHandler((thrown: FastifyError | ClientError | QueryError | CollectorBusyError, request, reply) => {
    const error = thrown instanceof QueryError ? clientErrorOf(thrown) : thrown;
    if (error instanceof ClientError) {
      metrics.rejectedRequests.inc({ reason: error.reason });
      return reply.code(error.statusCode).send({ error: error.reason, message: error.message, ...error.details });
    }
    if (error instanceof CollectorBusyError) {
      metrics.rejectedRequests.inc({ reason: error.reason });
      return reply.code(503).header('retry-after', '1').send({ error: error.reason, message: error.message });
    }
    if (error instanceof StoreUnavailableError) {
      process.stderr.write(`logmill collector: ${error.message}\n`);
      return reply.code(503).header('retry-after', '1').send({ error: 'store_unavailable', message: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const reason = fastifyReasons[error.code] ?? 'bad_request';
      metrics.rejectedRequests.inc({ reason });
      const message = reason === 'unsupported_media_type' ? unsupportedMediaType(request.url, request.headers['content-type']) : error.message;
      return reply.code(status).send({ error: reason, message });
    }
    // Anything else is ours (usually storage): 503 so that clients keep the batch and retry.
    process.stderr.write(`logmill collector: ${error.stack ?? String(error)}\n`);
    return reply.code(503).header('retry-after', '1').send({ error: 'unavailable', message: 'the collector could not store the batch; retry' });
  });
  registerBodyParsing(app, config.limits.bodyBytes, new BodyBudget(config.limits.bodiesInFlightBytes, config.limits.bodyBytes));
  await registerCors(app, [...config.allowedOrigins, ...keys.boundOrigins]);

  app.setNotFoundHandler((request, reply) => {
    // The path only: a query string may hold a key someone put in the URL.
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestDuration.observe({ route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  await registerDashboard(app);
  const tail = new LiveTail();
  registerRoutes(app, keys, store, metrics, { store, scrubber, limits: config.limits, metrics, onAccepted: (rows) => tail.publish(rows), wantsAccepted: () => tail.subscribers > 0 });
  registerTailRoute(app, keys, tail);
  const audit = new AuditLog(config.data ?? './logmill-data', config.salt);
  registerAnalyticsRoutes(app, keys, new Analytics(store, config.salt, audit, 'user_id', config.privacy.minimumUsers));
  const gdpr = new Gdpr(store, config.data ?? './logmill-data', 'user_id', audit);
  registerGdprRoutes(app, keys, gdpr, config.retention, store);
  // Retention runs at start and hourly; a failure is reported and retried at the next hour.
  const applyRetention = (): void => {
    if (config.retention.days === undefined && Object.keys(config.retention.names ?? {}).length === 0) return;
    gdpr.applyRetention(config.retention).catch((error: unknown) => process.stderr.write(`logmill retention: ${String(error)}\n`));
  };
  applyRetention();
  const retentionTimer = setInterval(applyRetention, 3_600_000);
  retentionTimer.unref();
  app.addHook('onClose', async () => clearInterval(retentionTimer));
  return {
    app,
    metrics,
    store,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
