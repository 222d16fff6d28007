/**
 * The query model → ClickHouse SQL that runs on 18.16. ClickHouse 18.16 has no query parameters,
 * so every value goes through `sqlLiteral` (schema.ts), the one audited escaping function; column
 * names, grains and function names come from fixed tables here, never from the query. Each
 * expression is written to give exactly what the DuckDB dialect gives (store/duckdb/query-sql.ts):
 * interpolated percentiles, NULL for a missing JSON member, the same time buckets (UTC) and the
 * same 64-bit entity hash (the first 8 bytes of MD5, `halfMD5`), so both stores answer alike.
 */
import type { Aggregate, Cohort, Dimension, EventQuery, Field, Filter, FilterValue } from '../../analytics/query-model.js';
import type { ExperimentQuery } from '../../analytics/experiment.js';
import type { FunnelQuery } from '../../analytics/funnel-model.js';
import type { TemplateQuery } from '../../analytics/template-view.js';
import { jsonColumns } from '../../analytics/query-model.js';
import { sqlLiteral } from './schema.js';

/** Every read deduplicates: a ReplacingMergeTree merges repeated ids only eventually. */
export const EVENTS = 'events FINAL';

const seconds = 'toDateTime(intDiv(ts, 1000))';
const grains: Record<string, string> = {
  minute: `toStartOfMinute(${seconds})`,
  '5 minutes': `toStartOfFiveMinute(${seconds})`,
  hour: `toStartOfHour(${seconds})`,
  day: `toStartOfDay(${seconds})`,
  // DuckDB's 7-day buckets start on Mondays (its origin is Monday 2000-01-03).
  week: `toDateTime(toMonday(${seconds}))`,
};

const quantiles: Record<string, number> = { p50: 0.5, p90: 0.9, p99: 0.99 };

/**
 * What the server can do beyond 18.16, probed once per store (`capabilitiesOf(version())`): SQL
 * that only newer servers run stays behind these flags, and the 18.16 form is the default.
 */
export interface Capabilities {
  /** JSONExtract* (19.x): members found by parsing, so a nested object's same-named key is never read instead. */
  jsonFunctions: boolean;
}

export const baseline: Capabilities = { jsonFunctions: false };

/** The capabilities of a server version (`18.16.1`, `24.8.4.13`). */
export function capabilitiesOf(version: string): Capabilities {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return { jsonFunctions: major > 19 || (major === 19 && minor >= 4) };
}

/** A JSON member as DuckDB's json_extract_string gives it: strings unquoted, other values as JSON text, null as NULL. */
function jsonMember(column: string, key: string, capabilities: Capabilities): string {
  if (capabilities.jsonFunctions) {
    const raw = `JSONExtractRaw(${column}, ${sqlLiteral(key)})`;
    return `if(${raw} IN ('', 'null'), NULL, if(substring(${raw}, 1, 1) = '"', JSONExtractString(${column}, ${sqlLiteral(key)}), ${raw}))`;
  }
  const raw = `visitParamExtractRaw(${column}, ${sqlLiteral(key)})`;
  return `if(visitParamHas(${column}, ${sqlLiteral(key)}) AND ${raw} != 'null', if(substring(${raw}, 1, 1) = '"', visitParamExtractString(${column}, ${sqlLiteral(key)}), ${raw}), NULL)`;
}

/** quantile_cont: linear interpolation between the two nearest ranks of the sorted values. */
export function interpolatedQuantile(values: string, fraction: number): string {
  return interpolatedQuantileOf(`groupArray(${values})`, fraction);
}

/** quantile_cont of an array's non-NULL values. */
function interpolatedQuantileOf(array: string, fraction: number): string {
  const sorted = `arraySort(arrayFilter(x -> isNotNull(x), ${array}))`;
  const position = `(${fraction} * (length(${sorted}) - 1))`;
  const low = `arrayElement(${sorted}, toUInt64(floor(${position})) + 1)`;
  const high = `arrayElement(${sorted}, toUInt64(ceil(${position})) + 1)`;
  return `if(length(${sorted}) = 0, NULL, ${low} + (${position} - floor(${position})) * (${high} - ${low}))`;
}

/** The 64-bit entity hash both stores digest (DuckDB: the first 16 hex digits of md5). */
export function entityHash(expression: string): string {
  return `halfMD5(${expression})`;
}

class Builder {
  constructor(readonly capabilities: Capabilities) {}

  field(field: Field): string {
    if ('column' in field) return field.column === 'name' ? "nullIf(name, '')" : field.column;
    return jsonMember(jsonColumns[field.json], field.key, this.capabilities);
  }

  numeric(field: Field): string {
    return `toFloat64OrNull(toString(${this.field(field)}))`;
  }

  filter(filter: Filter): string {
    const values = Array.isArray(filter.value) ? filter.value : [filter.value];
    const numeric = values.every((value) => typeof value === 'number');
    const expression = numeric ? this.numeric(filter.field) : `toString(${this.field(filter.field)})`;
    const literal = (value: FilterValue) => sqlLiteral(numeric ? value : String(value));
    switch (filter.op) {
      case 'eq': return `${expression} = ${literal(values[0]!)}`;
      case 'ne': return `(isNull(${expression}) OR ${expression} != ${literal(values[0]!)})`;
      case 'lt': return `${expression} < ${literal(values[0]!)}`;
      case 'lte': return `${expression} <= ${literal(values[0]!)}`;
      case 'gt': return `${expression} > ${literal(values[0]!)}`;
      case 'gte': return `${expression} >= ${literal(values[0]!)}`;
      case 'prefix': return `startsWith(${expression}, ${sqlLiteral(String(values[0]))})`;
      case 'contains': return `position(lowerUTF8(${expression}), lowerUTF8(${sqlLiteral(String(values[0]))})) > 0`;
      case 'in': return `${expression} IN (${values.map(literal).join(', ')})`;
    }
  }

  dimension(dimension: Dimension): string {
    if ('time' in dimension) return `toUInt64(${grains[dimension.time]}) * 1000`;
    if (dimension.bin !== undefined) return `floor(${this.numeric(dimension.field)} / ${sqlLiteral(dimension.bin)}) * ${sqlLiteral(dimension.bin)}`;
    return this.field(dimension.field);
  }

  aggregate(aggregate: Aggregate): string {
    switch (aggregate.fn) {
      case 'count': return 'count()';
      // uniqExact of only NULLs is NULL in ClickHouse; DuckDB's count(DISTINCT) is 0.
      case 'users': return 'ifNull(uniqExact(user_id), 0)';
      case 'sum': return `sum(${this.numeric(aggregate.field)})`;
      case 'avg': return `avg(${this.numeric(aggregate.field)})`;
      case 'min': return `min(${this.numeric(aggregate.field)})`;
      case 'max': return `max(${this.numeric(aggregate.field)})`;
      default: return interpolatedQuantile(this.numeric(aggregate.field), quantiles[aggregate.fn]!);
    }
  }

  where(project: string, query: EventQuery, extra: string[] = []): string {
    const conditions = [`project = ${sqlLiteral(project)}`];
    if (query.from !== undefined) conditions.push(`ts >= ${sqlLiteral(query.from)}`);
    if (query.to !== undefined) conditions.push(`ts < ${sqlLiteral(query.to)}`);
    for (const filter of query.where) conditions.push(this.filter(filter));
    if (query.cohort !== undefined) conditions.push(this.cohort(project, query.cohort));
    if (query.unless !== undefined) {
      // A condition that is NULL on a row (a missing JSON key) excludes the row: NOT of it keeps it.
      const unless = query.unless;
      const parts: string[] = [];
      if (unless.from !== undefined) parts.push(`ts >= ${sqlLiteral(unless.from)}`);
      if (unless.to !== undefined) parts.push(`ts < ${sqlLiteral(unless.to)}`);
      for (const filter of unless.where) parts.push(this.filter(filter));
      if (unless.cohort !== undefined) parts.push(this.cohort(project, unless.cohort));
      if (parts.length > 0) conditions.push(`NOT ifNull((${parts.join(' AND ')}), 0)`);
    }
    return [...conditions, ...extra].join(' AND ');
  }

  cohort(project: string, cohort: Cohort): string {
    const inner = [`project = ${sqlLiteral(project)}`, 'isNotNull(user_id)', `name = ${sqlLiteral(cohort.name)}`];
    if (cohort.from !== undefined) inner.push(`ts >= ${sqlLiteral(cohort.from)}`);
    if (cohort.to !== undefined) inner.push(`ts < ${sqlLiteral(cohort.to)}`);
    for (const filter of cohort.where) inner.push(this.filter(filter));
    return `user_id IN (SELECT user_id FROM ${EVENTS} WHERE ${inner.join(' AND ')})`;
  }
}

/** The exact answer: one row per group, columns `d0..` (dimensions) and `a0..` (aggregates). */
export function compileQuery(project: string, query: EventQuery, capabilities = baseline): string {
  const builder = new Builder(capabilities);
  const dimensions = query.groupBy.map((dimension, index) => `${builder.dimension(dimension)} AS d${index}`);
  const aggregates = query.aggregates.map((aggregate, index) => `${builder.aggregate(aggregate)} AS a${index}`);
  const names = query.groupBy.map((_, index) => `d${index}`);
  const groupBy = names.length === 0 ? '' : ` GROUP BY ${names.join(', ')} ORDER BY ${names.join(', ')}`;
  return `SELECT ${[...dimensions, ...aggregates].join(', ')} FROM ${EVENTS} WHERE ${builder.where(project, query)}${groupBy} LIMIT ${query.limit}`;
}

/**
 * What the privacy guard needs per group, computed in ClickHouse (see the DuckDB dialect's
 * compileGroupStatistics): distinct entities, the XOR of their hashes, events, the six largest
 * per-entity counts, and the labels' JSON as the key.
 */
export function compileGroupStatistics(project: string, query: EventQuery, entity: string, options: { onlyGroups?: string[]; keep?: number; facts?: boolean } = {}, capabilities = baseline): string {
  const builder = new Builder(capabilities);
  const names = query.groupBy.map((_, index) => `d${index}`);
  const dimensions = query.groupBy.map((dimension, index) => `${builder.dimension(dimension)} AS d${index}`);
  const where = builder.where(project, query, [`isNotNull(${entity})`]);
  // The key only has to come back unchanged (onlyGroups), so any injective text of the labels does.
  const keyOf = (columns: string[]) => (columns.length === 0 ? "'[]'" : `concat(${columns.map((column) => `ifNull(hex(toString(${column})), 'N')`).join(", '.', ")}, '')`);
  const facts = options.facts ? ', min(ts) AS first_seen, max(ts) AS last_seen, max(severity_number) AS severity_number' : '';
  const mergedFacts = options.facts ? ', min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(severity_number) AS severity_number' : '';
  const statistics = "count() AS entities, toString(groupBitXor(entity)) AS digest, sum(c) AS events, arraySlice(arrayReverseSort(groupArray(c)), 1, 6) AS top";
  const perEntity = `SELECT ${[...dimensions, `${entityHash(`assumeNotNull(${entity})`)} AS entity`, 'count() AS c'].join(', ')}${facts} FROM ${EVENTS} WHERE ${where} GROUP BY ${[...names, 'entity'].join(', ')}`;
  if (options.onlyGroups !== undefined) {
    const kept = names.slice(0, Math.max(0, Math.min(names.length, options.keep ?? 0)));
    const keyed = `SELECT * FROM (${perEntity}) WHERE ${keyOf(names)} IN (${options.onlyGroups.map(sqlLiteral).join(', ') || 'NULL'})`;
    const merged = `SELECT ${[...kept, 'entity', 'sum(c) AS c'].join(', ')}${mergedFacts} FROM (${keyed}) GROUP BY ${[...kept, 'entity'].join(', ')}`;
    const groupBy = kept.length === 0 ? '' : ` GROUP BY ${kept.join(', ')} ORDER BY ${kept.join(', ')}`;
    return `SELECT ${[...kept, `${keyOf(kept)} AS label_key`, statistics].join(', ')}${mergedFacts} FROM (${merged})${groupBy}`;
  }
  // Ordered by the labels, as the exact answer is, so both stores list groups alike.
  const groupBy = names.length === 0 ? '' : ` GROUP BY ${names.join(', ')} ORDER BY ${names.join(', ')}`;
  return `SELECT ${[...names, `${keyOf(names)} AS label_key`, statistics].join(', ')}${mergedFacts} FROM (${perEntity})${groupBy}`;
}

/** The funnel's events, one row each: user, time, id, step and exclusion masks, breakdown. */
function funnelEventsSelect(builder: Builder, project: string, funnel: FunnelQuery, entity: string, onlyNamed: boolean): string {
  const stepMask = funnel.steps
    // A filter on a missing member is NULL: no match, as in DuckDB (and masks stay plain integers).
    .map((step, index) => `if(ifNull(name = ${sqlLiteral(step.name)}${step.where.map((filter) => ` AND ${builder.filter(filter)}`).join('')}, 0), ${2 ** index}, 0)`)
    .join(' + ');
  const exclusionMask = funnel.exclusions.length === 0 ? '0' : funnel.exclusions.map((exclusion, index) => `if(name = ${sqlLiteral(exclusion.name)}, ${2 ** index}, 0)`).join(' + ');
  const breakdown = funnel.breakdown === undefined ? 'NULL' : `toString(${builder.field(funnel.breakdown)})`;
  const conditions = [`project = ${sqlLiteral(project)}`, `isNotNull(${entity})`];
  if (funnel.from !== undefined) conditions.push(`ts >= ${sqlLiteral(funnel.from)}`);
  if (funnel.to !== undefined) conditions.push(`ts < ${sqlLiteral(funnel.to + funnel.window)}`);
  if (onlyNamed) {
    const names = [...new Set([...funnel.steps.map((step) => step.name), ...funnel.exclusions.map((exclusion) => exclusion.name)])];
    conditions.push(`name IN (${names.map(sqlLiteral).join(', ')})`);
  }
  return `SELECT assumeNotNull(${entity}) AS user_key, ts AS time, id, ${stepMask} AS steps, ${exclusionMask} AS exclusions, ${breakdown} AS breakdown FROM ${EVENTS} WHERE ${conditions.join(' AND ')}`;
}

/** The events a funnel reads, in user and time order (strict order needs every event of the user). */
export function compileFunnelEvents(project: string, funnel: FunnelQuery, entity: string, capabilities = baseline): string {
  const strict = funnel.order === 'strict';
  const inner = funnelEventsSelect(new Builder(capabilities), project, funnel, entity, !strict);
  const keep = strict ? '' : ' WHERE steps != 0 OR exclusions != 0';
  return `SELECT user_key, time, steps, exclusions, breakdown FROM (${inner})${keep} ORDER BY user_key, time, id`;
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
  const events = `SELECT * FROM (${funnelEventsSelect(new Builder(capabilities), project, funnel, entity, true)}) WHERE steps != 0 OR exclusions != 0`;
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

/** Exposures to one experiment and the goal events, per user in time order. */
export function compileExperimentEvents(project: string, query: ExperimentQuery, entity: string, capabilities = baseline): string {
  const variant = jsonMember('attributes', 'variant', capabilities);
  return `SELECT assumeNotNull(${entity}) AS user_key, ts AS time, name = '$exposure' AS exposure, ${variant} AS variant
    FROM ${EVENTS}
    WHERE project = ${sqlLiteral(project)} AND isNotNull(${entity})
      AND ((name = '$exposure' AND ${jsonMember('attributes', 'experiment', capabilities)} = ${sqlLiteral(query.experiment)}) OR name = ${sqlLiteral(query.goal)})
    ORDER BY user_key, time, exposure DESC, id`;
}

/** Per template: events, users, first and last seen, the highest severity, and the three latest args. */
export function compileTemplateView(project: string, query: TemplateQuery, entity: string): string {
  const conditions = [`project = ${sqlLiteral(project)}`, "kind = 'log'"];
  if (query.from !== undefined) conditions.push(`ts >= ${sqlLiteral(query.from)}`);
  if (query.to !== undefined) conditions.push(`ts < ${sqlLiteral(query.to)}`);
  if (query.minimumSeverity !== undefined) conditions.push(`severity_number >= ${sqlLiteral(query.minimumSeverity)}`);
  const limit = Math.max(1, Math.min(10_000, Math.floor(query.limit)));
  return `SELECT template, count() AS events, ifNull(uniqExact(${entity}), 0) AS users, max(severity_number) AS severity_number,
      min(ts) AS first_seen, max(ts) AS last_seen,
      concat('[', arrayStringConcat(arraySlice(arrayMap(x -> x.2, arrayReverseSort(x -> x.1, groupArray((ts, args)))), 1, 3), ','), ']') AS sample_args
    FROM ${EVENTS} WHERE ${conditions.join(' AND ')} GROUP BY template ORDER BY events DESC LIMIT ${limit}`;
}

/** One event's user journey: that user's events within `around` milliseconds of it, in order. */
export function compileJourney(project: string, eventId: string, around: number, entity: string): string {
  const anchor = `FROM ${EVENTS} WHERE project = ${sqlLiteral(project)} AND id = ${sqlLiteral(eventId)}`;
  return `SELECT * FROM ${EVENTS}
    WHERE project = ${sqlLiteral(project)} AND ${entity} = (SELECT any(${entity}) ${anchor})
      AND ts BETWEEN (SELECT any(ts) ${anchor}) - ${sqlLiteral(around)} AND (SELECT any(ts) ${anchor}) + ${sqlLiteral(around)}
    ORDER BY ts, id LIMIT 1000`;
}
