/**
 * The query model → DuckDB SQL: the shared compiler (store/sql/) over the DuckDB dialect, and the
 * statements only DuckDB runs (sequential funnels by ASOF joins, the journey). Every value, JSON
 * path included, is a numbered parameter; the only text spliced into SQL comes from fixed tables,
 * never from the query.
 */
import type { ExperimentQuery } from '../../domain/experiment-model.js';
import type { FunnelQuery } from '../../domain/funnel-model.js';
import type { EventQuery } from '../../domain/query-model.js';
import type { TemplateQuery } from '../../domain/template-view.js';
import * as events from '../sql/compile-events.js';
import { funnelEventsSelect } from '../sql/compile-events.js';
import type { GroupStatisticsOptions } from '../row-mapping.js';
import * as queries from '../sql/compile-query.js';
import { type CompiledQuery, SqlBuilder } from '../sql/sql-builder.js';
import { duckdbDialect, portableHash } from './dialect.js';

/** The exact answer: one row per group, columns `d0..` (dimensions) and `a0..` (aggregates). */
export function compileQuery(project: string, query: EventQuery): CompiledQuery {
  return queries.compileQuery(duckdbDialect, project, query);
}

/** What the privacy guard needs per group (see store/sql/compile-query.ts). */
export function compileGroupStatistics(project: string, query: EventQuery, entity: string, options: GroupStatisticsOptions = {}): CompiledQuery {
  return queries.compileGroupStatistics(duckdbDialect, project, query, entity, options);
}

export function compileFunnelEvents(project: string, funnel: FunnelQuery, entity: string): CompiledQuery {
  return events.compileFunnelEvents(duckdbDialect, project, funnel, entity);
}

export function compileExperimentEvents(project: string, query: ExperimentQuery, entity: string): CompiledQuery {
  return events.compileExperimentEvents(duckdbDialect, project, query, entity);
}

export function compileTemplateView(project: string, query: TemplateQuery, entity: string): CompiledQuery {
  return events.compileTemplateView(duckdbDialect, project, query, entity);
}

/**
 * A sequential funnel computed in DuckDB: per user, the best attempt (furthest step, earliest
 * start among equals), its breakdown value, step times, and whether an exclusion ruled it out.
 * Each attempt starts at a step-0 event; each next step is the user's first matching event after
 * the previous one (an ASOF join on the user's event order), kept if within the window. Taking the
 * earliest next step is optimal: finishing a step sooner never leaves fewer chances for the next.
 */
/** An ASOF join would match a NULL key; a step not reached joins on a sequence no event has. */
const NOT_REACHED = '9223372036854775807';

/**
 * The CTEs of each user's best sequential attempt, ending in `outcome` (user_key, breakdown,
 * reached, times); `hashKey` keys users by their 64-bit hash. `seq` numbers all events in (user,
 * time, id) order: one sort, no partitions, and still increasing within each user.
 */
function sequentialOutcomes(builder: SqlBuilder, project: string, funnel: FunnelQuery, entity: string, hashKey: boolean): string {
  const matched = funnelEventsSelect(builder, project, funnel, entity, true, hashKey);
  const window = builder.value(funnel.window);
  const startConditions = ['(steps & 1) <> 0'];
  if (funnel.from !== undefined) startConditions.push(`time >= ${builder.value(funnel.from)}`);
  if (funnel.to !== undefined) startConditions.push(`time < ${builder.value(funnel.to)}`);
  const ctes = [
    `matched AS (${matched})`,
    `e AS MATERIALIZED (SELECT *, row_number() OVER (ORDER BY user_key, time, id) AS seq FROM matched WHERE steps <> 0 OR exclusions <> 0)`,
    `a0 AS (SELECT user_key, who, breakdown, seq AS seq0, time AS t0, time + ${window} AS deadline FROM e WHERE ${startConditions.join(' AND ')})`,
  ];
  for (let step = 1; step < funnel.steps.length; step++) {
    const previous = `a${step - 1}`;
    ctes.push(
      `a${step} AS (SELECT p.*, CASE WHEN n.time <= p.deadline THEN n.seq END AS seq${step}, CASE WHEN n.time <= p.deadline THEN n.time END AS t${step}
        FROM ${previous} p ASOF LEFT JOIN (SELECT user_key, seq, time FROM e WHERE (steps & ${2 ** step}) <> 0) n
        ON p.user_key = n.user_key AND n.seq > coalesce(p.seq${step - 1}, ${NOT_REACHED}))`,
    );
  }
  const last = funnel.steps.length - 1;
  const reached = Array.from({ length: last }, (_, index) => `(seq${index + 1} IS NOT NULL)::INTEGER`).join(' + ') || '0';
  ctes.push(`ranked AS (SELECT *, ${reached} AS reached FROM a${last} QUALIFY row_number() OVER (PARTITION BY user_key ORDER BY ${reached} DESC, seq0) = 1)`);
  let current = 'ranked';
  funnel.exclusions.forEach((exclusion, index) => {
    // The first exclusion event after the exclusion's first step decides: before the later step
    // (or, if that step was not reached, within the window), the user is out.
    ctes.push(
      `x${index} AS (SELECT r.*, x.seq AS xseq${index}, x.time AS xtime${index} FROM ${current} r ASOF LEFT JOIN (SELECT user_key, seq, time FROM e WHERE (exclusions & ${2 ** index}) <> 0) x
        ON r.user_key = x.user_key AND x.seq > coalesce(r.seq${exclusion.fromStep}, ${NOT_REACHED}))`,
    );
    current = `x${index}`;
  });
  const excluded = funnel.exclusions
    .map((exclusion, index) => `(seq${exclusion.fromStep} IS NOT NULL AND xseq${index} IS NOT NULL AND (CASE WHEN seq${exclusion.toStep} IS NOT NULL THEN xseq${index} < seq${exclusion.toStep} ELSE xtime${index} <= deadline END))`)
    .join(' OR ') || 'FALSE';
  const times = funnel.steps.map((_, index) => `t${index}`).join(', ');
  ctes.push(`outcome AS (SELECT user_key, who, breakdown, reached, [${times}] AS times FROM ${current} WHERE NOT (${excluded}))`);
  return ctes.join(',\n');
}

/** Each user's outcome of a sequential funnel: user_key, who (the entity), breakdown, reached, times. */
export function compileSequentialFunnel(project: string, funnel: FunnelQuery, entity: string): CompiledQuery {
  const builder = new SqlBuilder(duckdbDialect);
  return { sql: `WITH ${sequentialOutcomes(builder, project, funnel, entity, false)} SELECT * FROM outcome`, parameters: builder.parameters };
}

/**
 * A sequential funnel's cells, counted where the data is: per (breakdown, step) the users who
 * reached the step, an order-free digest of them, and the median and middle percentiles of their
 * times from the previous step. Only these few rows leave DuckDB, not one row per user.
 */
export function compileSequentialFunnelCells(project: string, funnel: FunnelQuery, entity: string): CompiledQuery {
  const builder = new SqlBuilder(duckdbDialect);
  const perStep = 'SELECT breakdown, user_key, who, times, unnest(range(reached + 1)) AS step FROM outcome';
  const delta = 'CASE WHEN step > 0 THEN times[step + 1] - times[step] END';
  const sql = `WITH ${sequentialOutcomes(builder, project, funnel, entity, true)}
    SELECT breakdown, step, count(*) AS users, bit_xor(${portableHash('who')})::VARCHAR AS digest,
      median(${delta}) AS median_ms, quantile_cont(${delta}, [0.4, 0.5, 0.6]) AS middle_ms
    FROM (${perStep}) GROUP BY breakdown, step`;
  return { sql, parameters: builder.parameters };
}

/** One event's user journey: that user's events within `around` milliseconds of it, in order. */
export function compileJourney(project: string, eventId: string, around: number, entity: string): CompiledQuery {
  const builder = new SqlBuilder(duckdbDialect);
  const entityColumn = `"${entity}"`;
  const sql = `WITH anchor AS (SELECT ${entityColumn} AS who, ts FROM events WHERE project = ${builder.value(project)} AND id = ${builder.value(eventId)}::UUID LIMIT 1)
    SELECT e.* FROM events e, anchor
    WHERE e.project = ${builder.value(project)} AND e.${entityColumn} = anchor.who
      AND e.ts BETWEEN anchor.ts - to_milliseconds(${builder.value(around)}::BIGINT) AND anchor.ts + to_milliseconds(${builder.value(around)}::BIGINT)
    ORDER BY e.ts, e.id LIMIT 1000`;
  return { sql, parameters: builder.parameters };
}
