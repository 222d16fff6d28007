/**
 * The query API under `/api/` for read keys (and the admin key): `POST /api/query` takes the query
 * model as JSON; `GET /api/count?where=field=value&...` is the small form scripts use;
 * `GET /api/whoami` tells a key its role and access level. What the
 * answer may show is decided by the key's access level (see analytics/access-rules.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Analytics } from '../analytics/analytics.js';
import { parseExperiment } from '../domain/experiment-model.js';
import { parseFunnel } from '../domain/funnel-model.js';
import { type EventQuery, parseQuery, parseSeverity, parseWhere } from '../domain/query-model.js';
import { authorize } from './access.js';
import { ClientError } from './client-error.js';
import { singleParameters } from './query-parameters.js';
import type { AccessLevel } from '../domain/access-level.js';
import type { KeyRing } from './keys.js';
import type { RawBody } from './request-body.js';
import { isoTime } from './user-export.js';

function presented(headers: Record<string, unknown>): string {
  const authorization = headers['authorization'];
  if (typeof authorization === 'string') return authorization.replace(/^Bearer\s+/i, '');
  return String(headers['x-logmill-key'] ?? '');
}

/** The JSON body of a query request, or a 400 naming what was expected. */
function jsonBody(body: unknown, what: string): unknown {
  try {
    return JSON.parse((body as RawBody | undefined)?.text ?? '');
  } catch {
    throw new ClientError(400, 'invalid_json', `${what} must be a JSON object`);
  }
}

/**
 * A query answer's time buckets (`time:hour` and the other grains) as ISO 8601 UTC strings, the
 * form PostHog's and Sentry's APIs give and every JSON consumer parses; the stores give epoch
 * milliseconds, as numbers or as digit strings. The merged `*` row keeps its `*`.
 */
function isoTimeBuckets(answer: Awaited<ReturnType<Analytics['query']>>): typeof answer {
  const buckets = answer.columns.filter((column) => column.startsWith('time:'));
  if (buckets.length === 0) return answer;
  return { ...answer, rows: answer.rows.map((row) => ({ ...row, ...Object.fromEntries(buckets.map((column) => [column, row[column] === '*' ? '*' : isoTime(row[column])])) })) };
}

export function registerAnalyticsRoutes(app: FastifyInstance, keys: KeyRing, analytics: Analytics): void {
  // What a read key may see: the dashboard shapes itself by it (the API enforces it regardless).
  app.get('/api/whoami', async (request) => {
    const grant = authorize(request, keys, 'read');
    return { role: grant.role, access: grant.access, project: grant.project };
  });

  // The JSON-bodied questions: parsed into their model, answered at the key's access level.
  const questions: [path: string, what: string, answer: (project: string, input: unknown, access: AccessLevel, key: string) => Promise<unknown>][] = [
    ['/api/query', 'the query', async (project, input, access, key) => isoTimeBuckets(await analytics.query(project, parseQuery(input), access, key))],
    ['/api/funnel', 'the funnel', (project, input, access, key) => analytics.funnel(project, parseFunnel(input), access, key)],
    ['/api/experiment', 'the experiment query', (project, input, access, key) => analytics.experiment(project, parseExperiment(input), access, key)],
  ];
  for (const [path, what, answer] of questions) {
    app.post(path, async (request) => {
      const grant = authorize(request, keys, 'read');
      return answer(grant.project, jsonBody(request.body, what), grant.access, presented(request.headers));
    });
  }

  app.get('/api/templates', async (request) => {
    const grant = authorize(request, keys, 'read');
    const parameters = singleParameters(request.query, ['from', 'to', 'severity', 'limit']);
    const range = parseQuery({ from: parameters['from'], to: parameters['to'] });
    const minimumSeverity = parameters['severity'] === undefined ? undefined : parseSeverity(parameters['severity']);
    const limit = Math.min(1000, Math.max(1, Number(parameters['limit'] ?? 100) || 100));
    return analytics.templates(grant.project, { from: range.from, to: range.to, minimumSeverity, limit }, grant.access, presented(request.headers));
  });

  app.get('/api/count', async (request) => {
    const grant = authorize(request, keys, 'read');
    // --where may be given many times; the others once.
    const parameters = singleParameters(request.query, ['from', 'to']);
    const where = (request.query as Record<string, string | string[] | undefined>)['where'];
    const wheres = where === undefined ? [] : Array.isArray(where) ? where : [where];
    if (wheres.length > 20) throw new ClientError(400, 'invalid_query', 'at most 20 --where filters');
    const query: EventQuery = { ...parseQuery({ from: parameters['from'], to: parameters['to'] }), where: wheres.map(parseWhere), aggregates: [{ fn: 'count' }] };
    const answer = await analytics.query(grant.project, query, grant.access, presented(request.headers));
    const row = answer.rows[0];
    return {
      count: Number(row?.['count'] ?? 0),
      noiseSd: answer.noiseSd[0]?.['count'] ?? 0,
      exact: answer.exact,
      // A guarded count over too few people is not shown at all: 0, and suppressed.
      suppressed: !answer.exact && row === undefined,
    };
  });
}
