/**
 * The statements that read events for analytics computed in Node, for any dialect: a funnel's
 * events (steps and exclusions as bit masks), an experiment's exposures and goals, and the
 * template view. Sequential funnels computed where the data is start from `funnelEventsSelect`.
 */
import type { ExperimentQuery } from '../../domain/experiment-model.js';
import type { FunnelQuery } from '../../domain/funnel-model.js';
import type { TemplateQuery } from '../../domain/template-view.js';
import type { Dialect } from './dialect.js';
import { type CompiledQuery, SqlBuilder } from './sql-builder.js';

/**
 * The events a funnel reads, one row each: user_key, who (the entity), time, id, the steps and
 * exclusions it matches (as bit masks) and its breakdown value. `onlyNamed` keeps the scan to the
 * funnel's event names; `hashKey` keys users by the dialect's 64-bit entity hash.
 */
export function funnelEventsSelect(builder: SqlBuilder, project: string, funnel: FunnelQuery, entity: string, onlyNamed: boolean, hashKey = false): string {
  const { dialect } = builder;
  const entityColumn = dialect.column(entity);
  // A filter on a missing member is NULL: no match (and masks stay plain integers).
  const stepMask = funnel.steps
    .map((step, index) => `(CASE WHEN ${dialect.isTrue(`name = ${builder.value(step.name)}${step.where.map((filter) => ` AND ${builder.filter(filter)}`).join('')}`)} THEN ${2 ** index} ELSE 0 END)`)
    .join(' + ');
  const exclusionMask = funnel.exclusions.length === 0
    ? '0'
    : funnel.exclusions.map((exclusion, index) => `(CASE WHEN name = ${builder.value(exclusion.name)} THEN ${2 ** index} ELSE 0 END)`).join(' + ');
  const breakdown = funnel.breakdown === undefined ? 'NULL' : dialect.toText(builder.field(funnel.breakdown));
  // Events up to a window after the last moment a first step may happen.
  const conditions = [`project = ${builder.value(project)}`, `${entityColumn} IS NOT NULL`, ...builder.timeRange(funnel.from, funnel.to === undefined ? undefined : funnel.to + funnel.window)];
  if (onlyNamed) {
    const names = [...new Set([...funnel.steps.map((step) => step.name), ...funnel.exclusions.map((exclusion) => exclusion.name)])];
    conditions.push(`name IN (${names.map((name) => builder.value(name)).join(', ')})`);
  }
  // A 64-bit hash partitions, sorts and joins much faster than the string (a collision among 10⁶
  // users has odds of about 10⁻⁸).
  const key = hashKey ? dialect.entityKey(dialect.notNull(entityColumn)) : dialect.notNull(entityColumn);
  return `SELECT ${key} AS user_key, ${entityColumn} AS who, ${dialect.epochMilliseconds('ts')} AS time, id, ${stepMask} AS steps, ${exclusionMask} AS exclusions, ${breakdown} AS breakdown FROM ${dialect.events} WHERE ${conditions.join(' AND ')}`;
}

/**
 * Each user's events for a funnel, in time order. Strict order needs every event of the user (any
 * other event breaks a strict sequence); the other orders only the matching ones.
 */
export function compileFunnelEvents(dialect: Dialect, project: string, funnel: FunnelQuery, entity: string): CompiledQuery {
  const builder = new SqlBuilder(dialect);
  const strict = funnel.order === 'strict';
  const inner = funnelEventsSelect(builder, project, funnel, entity, !strict);
  const keep = strict ? '' : ' WHERE steps <> 0 OR exclusions <> 0';
  return builder.compiled(`SELECT user_key, time, steps, exclusions, breakdown FROM (${inner}) AS funnel_events${keep} ORDER BY user_key, time, id`);
}

/** Exposures to one experiment and the goal events, per user in time order. */
export function compileExperimentEvents(dialect: Dialect, project: string, query: ExperimentQuery, entity: string): CompiledQuery {
  const builder = new SqlBuilder(dialect);
  const entityColumn = dialect.column(entity);
  const variant = builder.field({ json: 'attributes', key: 'variant' });
  const experiment = builder.field({ json: 'attributes', key: 'experiment' });
  // An exposure is one to this experiment: another experiment's `$exposure` is at most a goal.
  // (The expression is used twice; its parameters are bound once.)
  const exposure = `(name = '$exposure' AND ${experiment} = ${builder.value(query.experiment)})`;
  return builder.compiled(`SELECT ${dialect.notNull(entityColumn)} AS user_key, ${dialect.epochMilliseconds('ts')} AS time, ${dialect.isTrue(exposure)} AS exposure, ${variant} AS variant
    FROM ${dialect.events}
    WHERE project = ${builder.value(project)} AND ${entityColumn} IS NOT NULL
      AND (${exposure} OR name = ${builder.value(query.goal)})
    ORDER BY user_key, time, exposure DESC, id`);
}

/** Per template: events, users, first and last seen, the highest severity, and the three latest args. */
export function compileTemplateView(dialect: Dialect, project: string, query: TemplateQuery, entity: string): CompiledQuery {
  const builder = new SqlBuilder(dialect);
  const conditions = [`project = ${builder.value(project)}`, "kind = 'log'", ...builder.timeRange(query.from, query.to)];
  if (query.minimumSeverity !== undefined) conditions.push(`severity_number >= ${builder.value(query.minimumSeverity)}`);
  const limit = Math.max(1, Math.min(10_000, Math.floor(query.limit)));
  return builder.compiled(`SELECT template, count(*) AS events, ${dialect.countDistinct(dialect.column(entity))} AS users, max(severity_number) AS severity_number,
      ${dialect.epochMilliseconds('min(ts)')} AS first_seen, ${dialect.epochMilliseconds('max(ts)')} AS last_seen, ${dialect.latestAsJson('args', 'ts', 3)} AS sample_args
    FROM ${dialect.events} WHERE ${conditions.join(' AND ')} GROUP BY template ORDER BY events DESC, template LIMIT ${limit}`);
}
