/**
 * The query model → ClickHouse SQL that runs on 18.16: the shared compiler (store/sql/) over the
 * ClickHouse dialect (dialect.ts: every value an escaped literal, newer SQL behind capabilities),
 * and the statements only ClickHouse runs (sequential funnels with arrays, the journey).
 */
import type { ExperimentQuery } from '../../domain/experiment-model.js';
import type { FunnelQuery } from '../../domain/funnel-model.js';
import type { EventQuery } from '../../domain/query-model.js';
import type { TemplateQuery } from '../../domain/template-view.js';
import * as events from '../sql/compile-events.js';
import { funnelEventsSelect } from '../sql/compile-events.js';
import type { GroupStatisticsOptions } from '../row-mapping.js';
import * as queries from '../sql/compile-query.js';
import { SqlBuilder } from '../sql/sql-builder.js';
import { EVENTS, baseline, clickHouseDialect, entityHash, interpolatedQuantileOf } from './dialect.js';
import { sqlLiteral } from './schema.js';

/** The exact answer: one row per group, columns `d0..` (dimensions) and `a0..` (aggregates). */
export function compileQuery(project: string, query: EventQuery, capabilities = baseline): string {
  return queries.compileQuery(clickHouseDialect(capabilities), project, query).sql;
}

/** What the privacy guard needs per group (see store/sql/compile-query.ts). */
export function compileGroupStatistics(project: string, query: EventQuery, entity: string, options: GroupStatisticsOptions = {}, capabilities = baseline): string {
  return queries.compileGroupStatistics(clickHouseDialect(capabilities), project, query, entity, options).sql;
}

/** The events a funnel reads, in user and time order (strict order needs every event of the user). */
export function compileFunnelEvents(project: string, funnel: FunnelQuery, entity: string, capabilities = baseline): string {
  return events.compileFunnelEvents(clickHouseDialect(capabilities), project, funnel, entity).sql;
}

/** Exposures to one experiment and the goal events, per user in time order. */
export function compileExperimentEvents(project: string, query: ExperimentQuery, entity: string, capabilities = baseline): string {
  return events.compileExperimentEvents(clickHouseDialect(capabilities), project, query, entity).sql;
}

/** Per template: events, users, first and last seen, the highest severity, and the three latest args. */
export function compileTemplateView(project: string, query: TemplateQuery, entity: string, capabilities = baseline): string {
  return events.compileTemplateView(clickHouseDialect(capabilities), project, query, entity).sql;
}

/**
 * A sequential funnel's cells computed in ClickHouse, with DuckDB's semantics (see its
 * sequentialOutcomes): each user's events become arrays in (time, id) order, and every step-0
 * event one attempt row (arrayJoin); an attempt takes, step by step, the first later event of the
 * next step within the window (A1, A2, …: positions, 0 when not reached), and notes whether an
 * exclusion event came after its first step and before its last (or within the window). The best
 * attempt per user reaches furthest, the earliest among equals; excluded users drop out. Then users
 * per (breakdown, step), the XOR of their hashes, and the interpolated percentiles of their times
 * from the previous step.
 */
export function compileSequentialFunnelCells(project: string, funnel: FunnelQuery, entity: string, capabilities = baseline): string {
  const window = sqlLiteral(funnel.window);
  const events = `SELECT * FROM (${funnelEventsSelect(new SqlBuilder(clickHouseDialect(capabilities)), project, funnel, entity, true)}) WHERE steps != 0 OR exclusions != 0`;
  const perUser = `SELECT user_key, arraySort(x -> (x.1, x.2), groupArray((time, id, steps, exclusions, breakdown))) AS ev FROM (${events}) GROUP BY user_key`;
  const columns = `SELECT user_key, arrayMap(x -> x.1, ev) AS T, arrayMap(x -> x.3, ev) AS S, arrayMap(x -> x.4, ev) AS X, arrayMap(x -> x.5, ev) AS B, arrayEnumerate(ev) AS idx FROM (${perUser})`;
  const startConditions = ['bitAnd(s, 1) != 0'];
  if (funnel.from !== undefined) startConditions.push(`t >= ${sqlLiteral(funnel.from)}`);
  if (funnel.to !== undefined) startConditions.push(`t < ${sqlLiteral(funnel.to)}`);
  const starts = `SELECT *, arrayJoin(arrayFilter((n, t, s) -> ${startConditions.join(' AND ')}, idx, T, S)) AS i FROM (${columns})`;
  let attempts = `SELECT *, T[i] + ${window} AS deadline FROM (${starts})`;
  const last = funnel.steps.length - 1;
  for (let step = 1; step <= last; step++) {
    const previous = step === 1 ? 'i' : `A${step - 1}`;
    attempts = `SELECT *, if(${previous} = 0, 0, arrayFirstIndex((t, s, n, p, d) -> n > p AND bitAnd(s, ${2 ** step}) != 0 AND t <= d, T, S, idx, ${alongside(previous)}, ${alongside('deadline')})) AS A${step} FROM (${attempts})`;
  }
  const at = (step: number) => (step === 0 ? 'i' : `A${step}`);
  funnel.exclusions.forEach((exclusion, index) => {
    attempts = `SELECT *, if(${at(exclusion.fromStep)} = 0, 0, arrayFirstIndex((x, n, f) -> n > f AND bitAnd(x, ${2 ** index}) != 0, X, idx, ${alongside(at(exclusion.fromStep))})) AS next${index} FROM (${attempts})`;
  });
  const excluded = funnel.exclusions
    .map((exclusion, index) => `(next${index} > 0 AND if(${at(exclusion.toStep)} > 0, next${index} < ${at(exclusion.toStep)}, T[next${index}] <= deadline))`)
    .join(' OR ') || '0';
  const reached = Array.from({ length: last }, (_, index) => `toInt64(A${index + 1} > 0)`).join(' + ') || '0';
  const times = `[${Array.from({ length: funnel.steps.length }, (_, step) => `T[${at(step)}]`).join(', ')}]`;
  const scored = `SELECT user_key, tuple(B[i], ${reached}, ${times}, ${excluded}) AS attempt, (${reached}) * 1000000000 - i AS score FROM (${attempts})`;
  const best = `SELECT user_key, argMax(attempt, score) AS best FROM (${scored}) GROUP BY user_key`;
  const outcome = `SELECT user_key, tupleElement(best, 1) AS breakdown, tupleElement(best, 2) AS reached, tupleElement(best, 3) AS times FROM (${best}) WHERE NOT tupleElement(best, 4)`;
  const perStep = `SELECT user_key, breakdown, arrayJoin(range(toUInt64(reached + 1))) AS step, if(step > 0, toInt64(times[step + 1]) - toInt64(times[step]), NULL) AS delta FROM (${outcome})`;
  const cells = `SELECT breakdown, step, count() AS users, toString(groupBitXor(${entityHash('user_key')})) AS digest, groupArray(delta) AS deltas FROM (${perStep}) GROUP BY breakdown, step`;
  return `SELECT breakdown, step, users, digest, ${interpolatedQuantileOf('deltas', 0.5)} AS median_ms,
      [${[0.4, 0.5, 0.6].map((fraction) => interpolatedQuantileOf('deltas', fraction)).join(', ')}] AS middle_ms
    FROM (${cells})`;
}

/**
 * A column as an array as long as the user's events, to hand a lambda as an argument: 18.16 drops
 * columns a lambda only captures from the subquery that provides them ("Unknown identifier").
 */
function alongside(column: string): string {
  return `arrayResize([${column}], length(T), ${column})`;
}

/** One event's user journey: that user's events within `around` milliseconds of it, in order. */
export function compileJourney(project: string, eventId: string, around: number, entity: string): string {
  const anchor = `FROM ${EVENTS} WHERE project = ${sqlLiteral(project)} AND id = ${sqlLiteral(eventId)}`;
  return `SELECT * FROM ${EVENTS}
    WHERE project = ${sqlLiteral(project)} AND ${entity} = (SELECT any(${entity}) ${anchor})
      AND ts BETWEEN (SELECT any(ts) ${anchor}) - ${sqlLiteral(around)} AND (SELECT any(ts) ${anchor}) + ${sqlLiteral(around)}
    ORDER BY ts, id LIMIT 1000`;
}
