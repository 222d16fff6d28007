/**
 * The query model → DuckDB SQL. Every value, JSON path included, is a positional parameter; the
 * only text spliced into SQL comes from fixed tables here (column names from the model's
 * allowlist, time grains, function names), never from the query.
 */
import type { Aggregate, Cohort, Dimension, EventQuery, Field, Filter, FilterValue } from '../../analytics/query-model.js';
import type { ExperimentQuery } from '../../analytics/experiment.js';
import type { FunnelQuery } from '../../analytics/funnel-model.js';
import type { TemplateQuery } from '../../analytics/template-view.js';
import { jsonColumns } from '../../analytics/query-model.js';

export interface CompiledQuery {
  sql: string;
  parameters: (string | number | boolean)[];
}

const grains: Record<string, string> = {
  minute: "INTERVAL '1 minute'",
  '5 minutes': "INTERVAL '5 minutes'",
  hour: "INTERVAL '1 hour'",
  day: "INTERVAL '1 day'",
  week: "INTERVAL '7 days'",
};

const quantiles: Record<string, number> = { p50: 0.5, p90: 0.9, p99: 0.99 };

/** A JSON pointer for one key: `/` and `~` escaped as RFC 6901 says. */
function pointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

class Builder {
  readonly parameters: (string | number | boolean)[] = [];

  value(value: FilterValue): string {
    this.parameters.push(value);
    return '?';
  }

  field(field: Field): string {
    if ('column' in field) return `"${field.column}"`;
    this.parameters.push(pointer(field.key));
    return `json_extract_string(${jsonColumns[field.json]}, ?)`;
  }

  numeric(field: Field): string {
    return `TRY_CAST(${this.field(field)} AS DOUBLE)`;
  }

  filter(filter: Filter): string {
    const values = Array.isArray(filter.value) ? filter.value : [filter.value];
    const numeric = values.every((value) => typeof value === 'number');
    const expression = numeric ? this.numeric(filter.field) : `CAST(${this.field(filter.field)} AS VARCHAR)`;
    const text = (value: FilterValue) => this.value(numeric ? value : String(value));
    switch (filter.op) {
      case 'eq': return `${expression} = ${text(values[0]!)}`;
      case 'ne': return `${expression} IS DISTINCT FROM ${text(values[0]!)}`;
      case 'lt': return `${expression} < ${text(values[0]!)}`;
      case 'lte': return `${expression} <= ${text(values[0]!)}`;
      case 'gt': return `${expression} > ${text(values[0]!)}`;
      case 'gte': return `${expression} >= ${text(values[0]!)}`;
      case 'prefix': return `starts_with(${expression}, ${this.value(String(values[0]))})`;
      case 'contains': return `contains(lower(${expression}), lower(${this.value(String(values[0]))}))`;
      case 'in': return `${expression} IN (${values.map(text).join(', ')})`;
    }
  }

  dimension(dimension: Dimension): string {
    if ('time' in dimension) return `epoch_ms(time_bucket(${grains[dimension.time]}, ts))`;
    if (dimension.bin !== undefined) {
      // The bin's lower bound; the width is a parameter like any value (parameters bind in order).
      const value = this.numeric(dimension.field);
      const width = this.value(dimension.bin);
      return `floor(${value} / ${width}) * ${this.value(dimension.bin)}`;
    }
    return this.field(dimension.field);
  }

  aggregate(aggregate: Aggregate): string {
    switch (aggregate.fn) {
      case 'count': return 'count(*)';
      case 'users': return 'count(DISTINCT user_id)';
      case 'sum': return `sum(${this.numeric(aggregate.field)})`;
      case 'avg': return `avg(${this.numeric(aggregate.field)})`;
      case 'min': return `min(${this.numeric(aggregate.field)})`;
      case 'max': return `max(${this.numeric(aggregate.field)})`;
      default: return `quantile_cont(${this.numeric(aggregate.field)}, ${quantiles[aggregate.fn]})`;
    }
  }

  where(project: string, query: EventQuery, extra: string[] = []): string {
    const conditions = [`project = ${this.value(project)}`];
    if (query.from !== undefined) conditions.push(`ts >= epoch_ms(${this.value(query.from)}::BIGINT)`);
    if (query.to !== undefined) conditions.push(`ts < epoch_ms(${this.value(query.to)}::BIGINT)`);
    for (const filter of query.where) conditions.push(this.filter(filter));
    if (query.cohort !== undefined) conditions.push(this.cohort(project, query.cohort));
    if (query.unless !== undefined) {
      // A condition that is NULL on a row (a missing JSON key) excludes the row: NOT of it keeps it.
      const unless = query.unless;
      const parts: string[] = [];
      if (unless.from !== undefined) parts.push(`ts >= epoch_ms(${this.value(unless.from)}::BIGINT)`);
      if (unless.to !== undefined) parts.push(`ts < epoch_ms(${this.value(unless.to)}::BIGINT)`);
      for (const filter of unless.where) parts.push(this.filter(filter));
      if (unless.cohort !== undefined) parts.push(this.cohort(project, unless.cohort));
      if (parts.length > 0) conditions.push(`NOT COALESCE((${parts.join(' AND ')}), FALSE)`);
    }
    return [...conditions, ...extra].join(' AND ');
  }

  /** The join on users: a semi-join DuckDB runs as a hash join on user_id. */
  cohort(project: string, cohort: Cohort): string {
    const inner = [`project = ${this.value(project)}`, 'user_id IS NOT NULL', `name = ${this.value(cohort.name)}`];
    if (cohort.from !== undefined) inner.push(`ts >= epoch_ms(${this.value(cohort.from)}::BIGINT)`);
    if (cohort.to !== undefined) inner.push(`ts < epoch_ms(${this.value(cohort.to)}::BIGINT)`);
    for (const filter of cohort.where) inner.push(this.filter(filter));
    return `user_id IN (SELECT user_id FROM events WHERE ${inner.join(' AND ')})`;
  }
}

/** The first 8 bytes of the MD5 of `expression`, big-endian, as ClickHouse's halfMD5 gives them. */
function portableHash(expression: string): string {
  return `('0x' || left(md5(${expression}), 16))::UBIGINT`;
}

/** The exact answer: one row per group, columns `d0..` (dimensions) and `a0..` (aggregates). */
export function compileQuery(project: string, query: EventQuery): CompiledQuery {
  const builder = new Builder();
  const dimensions = query.groupBy.map((dimension, index) => `${builder.dimension(dimension)} AS d${index}`);
  const aggregates = query.aggregates.map((aggregate, index) => `${builder.aggregate(aggregate)} AS a${index}`);
  const where = builder.where(project, query);
  const groupBy = dimensions.length === 0 ? '' : ` GROUP BY ${dimensions.map((_, index) => index + 1).join(', ')}`;
  const orderBy = dimensions.length === 0 ? '' : ` ORDER BY ${dimensions.map((_, index) => index + 1).join(', ')}`;
  const sql = `SELECT ${[...dimensions, ...aggregates].join(', ')} FROM events WHERE ${where}${groupBy}${orderBy} LIMIT ${query.limit}`;
  return { sql, parameters: builder.parameters };
}


/**
 * The events a funnel reads, one row each: user, time, id, the steps and exclusions it matches (as
 * bit masks) and its breakdown value. `onlyNamed` keeps the scan to the funnel's event names.
 */
function funnelEventsSelect(builder: Builder, project: string, funnel: FunnelQuery, entity: string, onlyNamed: boolean, hashKey = false): string {
  const entityColumn = `"${entity}"`;
  const stepMask = funnel.steps
    .map((step, index) => `(CASE WHEN name = ${builder.value(step.name)}${step.where.map((filter) => ` AND ${builder.filter(filter)}`).join('')} THEN ${2 ** index} ELSE 0 END)`)
    .join(' + ');
  const exclusionMask = funnel.exclusions.length === 0
    ? '0'
    : funnel.exclusions.map((exclusion, index) => `(CASE WHEN name = ${builder.value(exclusion.name)} THEN ${2 ** index} ELSE 0 END)`).join(' + ');
  const breakdown = funnel.breakdown === undefined ? 'NULL' : `CAST(${builder.field(funnel.breakdown)} AS VARCHAR)`;
  const conditions = [`project = ${builder.value(project)}`, `${entityColumn} IS NOT NULL`];
  if (funnel.from !== undefined) conditions.push(`ts >= epoch_ms(${builder.value(funnel.from)}::BIGINT)`);
  if (funnel.to !== undefined) conditions.push(`ts < epoch_ms(${builder.value(funnel.to + funnel.window)}::BIGINT)`);
  if (onlyNamed) {
    const names = [...new Set([...funnel.steps.map((step) => step.name), ...funnel.exclusions.map((exclusion) => exclusion.name)])];
    conditions.push(`name IN (${names.map((name) => builder.value(name)).join(', ')})`);
  }
  // A 64-bit hash partitions, sorts and joins much faster than the string (a collision among 10⁶
  // users has odds of about 10⁻⁸).
  const key = hashKey ? `hash(${entityColumn})` : entityColumn;
  return `SELECT ${key} AS user_key, ${entityColumn} AS who, epoch_ms(ts) AS time, id, ${stepMask} AS steps, ${exclusionMask} AS exclusions, ${breakdown} AS breakdown FROM events WHERE ${conditions.join(' AND ')}`;
}

/**
 * Each user's events for a funnel, in time order. Strict order needs every event of the user (any
 * other event breaks a strict sequence); the other orders only the matching ones.
 */
export function compileFunnelEvents(project: string, funnel: FunnelQuery, entity: string): CompiledQuery {
  const builder = new Builder();
  const strict = funnel.order === 'strict';
  const inner = funnelEventsSelect(builder, project, funnel, entity, !strict);
  const keep = strict ? '' : ' WHERE steps <> 0 OR exclusions <> 0';
  return { sql: `SELECT user_key, time, steps, exclusions, breakdown FROM (${inner})${keep} ORDER BY user_key, time, id`, parameters: builder.parameters };
}

/** Exposures to one experiment and the goal events, per user in time order. */
export function compileExperimentEvents(project: string, query: ExperimentQuery, entity: string): CompiledQuery {
  const builder = new Builder();
  const entityColumn = `"${entity}"`;
  const sql = `SELECT ${entityColumn} AS user_key, epoch_ms(ts) AS time, name = '$exposure' AS exposure,
      json_extract_string(attributes, '/variant') AS variant
    FROM events
    WHERE project = ${builder.value(project)} AND ${entityColumn} IS NOT NULL
      AND ((name = '$exposure' AND json_extract_string(attributes, '/experiment') = ${builder.value(query.experiment)}) OR name = ${builder.value(query.goal)})
    ORDER BY user_key, time, exposure DESC, id`;
  return { sql, parameters: builder.parameters };
}

/** Per template: events, users, first and last seen, the highest severity, and the three latest args. */
export function compileTemplateView(project: string, query: TemplateQuery, entity: string): CompiledQuery {
  const builder = new Builder();
  const conditions = [`project = ${builder.value(project)}`, "kind = 'log'"];
  if (query.from !== undefined) conditions.push(`ts >= epoch_ms(${builder.value(query.from)}::BIGINT)`);
  if (query.to !== undefined) conditions.push(`ts < epoch_ms(${builder.value(query.to)}::BIGINT)`);
  if (query.minimumSeverity !== undefined) conditions.push(`severity_number >= ${builder.value(query.minimumSeverity)}`);
  return {
    sql: `SELECT template, count(*) AS events, count(DISTINCT "${entity}") AS users, max(severity_number) AS severity_number,
        epoch_ms(min(ts)) AS first_seen, epoch_ms(max(ts)) AS last_seen, to_json(list(args ORDER BY ts DESC)[1:3]) AS sample_args
      FROM events WHERE ${conditions.join(' AND ')} GROUP BY 1 ORDER BY events DESC LIMIT ${Math.max(1, Math.min(10_000, Math.floor(query.limit)))}`,
    parameters: builder.parameters,
  };
}

/**
 * What the privacy guard needs per group, computed in DuckDB: distinct entities, an order-free
 * digest of them (bit_xor of their 64-bit hashes), the events, the six largest per-entity counts, and a
 * key of the labels (their JSON). `onlyGroups` restricts to those keys and merges them: into one
 * group (the suppress bin), or with `keep`, into one group per value of the first `keep`
 * dimensions (the low-effect merge). `facts` adds first and last seen and the highest severity.
 */
export function compileGroupStatistics(project: string, query: EventQuery, entity: string, options: { onlyGroups?: string[]; keep?: number; facts?: boolean } = {}): CompiledQuery {
  const builder = new Builder();
  const dimensions = query.groupBy.map((dimension, index) => `${builder.dimension(dimension)} AS d${index}`);
  const entityColumn = `"${entity}"`;
  const where = builder.where(project, query, [`${entityColumn} IS NOT NULL`]);
  const names = query.groupBy.map((_, index) => `d${index}`);
  const keyOf = (columns: string[]) => (columns.length === 0 ? "'[]'" : `json_array(${columns.join(', ')})::VARCHAR`);
  const facts = options.facts ? ', min(ts) AS first_seen, max(ts) AS last_seen, max(severity_number) AS severity_number' : '';
  const innerFacts = options.facts ? ', min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(severity_number) AS severity_number' : '';
  const outerFacts = options.facts ? ', epoch_ms(min(first_seen)) AS first_seen, epoch_ms(max(last_seen)) AS last_seen, max(severity_number) AS severity_number' : '';
  // The digest XORs each entity's portable hash (the first 8 bytes of its MD5, ClickHouse's
  // halfMD5), so both stores digest a group alike. MD5 is computed once per distinct entity and
  // joined on the entity's 64-bit hash, not once per (group, entity) row: at 10M events an hourly
  // series has about 7M such rows and 100,000 entities.
  const statistics = 'count(*) AS entities, bit_xor(digest_part)::VARCHAR AS digest, sum(c) AS events, max(c, 6) AS top';
  // Entities are grouped by their 64-bit hash, which is much cheaper to group on than the string.
  const perEntity = `SELECT ${[...dimensions, `hash(${entityColumn}) AS entity`, 'count(*) AS c'].join(', ')}${facts} FROM events WHERE ${where} GROUP BY ALL`;
  const entityWhere = builder.where(project, query, [`${entityColumn} IS NOT NULL`]);
  const digests = `SELECT hash(who) AS entity, min(${portableHash('who')}) AS digest_part FROM (SELECT DISTINCT ${entityColumn} AS who FROM events WHERE ${entityWhere}) GROUP BY 1`;
  const ctes = `WITH per_entity AS (${perEntity}), entity_digests AS (${digests}) `;
  if (options.onlyGroups !== undefined) {
    const keyed = `SELECT * FROM per_entity WHERE ${keyOf(names)} IN (${options.onlyGroups.map((group) => builder.value(group)).join(', ') || 'NULL'})`;
    // Each entity counted once per merged group.
    const kept = names.slice(0, Math.max(0, Math.min(names.length, options.keep ?? 0)));
    const merged = `SELECT ${[...kept, 'entity', 'sum(c) AS c'].join(', ')}${innerFacts} FROM (${keyed}) GROUP BY ${[...kept, 'entity'].join(', ')}`;
    const groupBy = kept.length === 0 ? '' : ` GROUP BY ${kept.join(', ')} ORDER BY ${kept.join(', ')}`;
    return {
      sql: `${ctes}SELECT ${[...kept, `${keyOf(kept)} AS label_key`, statistics].join(', ')}${outerFacts} FROM (${merged}) JOIN entity_digests USING (entity)${groupBy}`,
      parameters: builder.parameters,
    };
  }
  // The key is made once per group, after grouping.
  // Ordered by the labels, as the exact answer is, so every store lists groups alike.
  const groupBy = names.length === 0 ? '' : ` GROUP BY ${names.join(', ')} ORDER BY ${names.join(', ')}`;
  return {
    sql: `${ctes}SELECT ${[...names, `${keyOf(names)} AS label_key`, statistics].join(', ')}${outerFacts} FROM per_entity JOIN entity_digests USING (entity)${groupBy}`,
    parameters: builder.parameters,
  };
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
function sequentialOutcomes(builder: Builder, project: string, funnel: FunnelQuery, entity: string, hashKey: boolean): string {
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
  const builder = new Builder();
  return { sql: `WITH ${sequentialOutcomes(builder, project, funnel, entity, false)} SELECT * FROM outcome`, parameters: builder.parameters };
}

/**
 * A sequential funnel's cells, counted where the data is: per (breakdown, step) the users who
 * reached the step, an order-free digest of them, and the median and middle percentiles of their
 * times from the previous step. Only these few rows leave DuckDB, not one row per user.
 */
export function compileSequentialFunnelCells(project: string, funnel: FunnelQuery, entity: string): CompiledQuery {
  const builder = new Builder();
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
  const builder = new Builder();
  const entityColumn = `"${entity}"`;
  const sql = `WITH anchor AS (SELECT ${entityColumn} AS who, ts FROM events WHERE project = ${builder.value(project)} AND id = ${builder.value(eventId)}::UUID LIMIT 1)
    SELECT e.* FROM events e, anchor
    WHERE e.project = ${builder.value(project)} AND e.${entityColumn} = anchor.who
      AND e.ts BETWEEN anchor.ts - to_milliseconds(${builder.value(around)}::BIGINT) AND anchor.ts + to_milliseconds(${builder.value(around)}::BIGINT)
    ORDER BY e.ts, e.id LIMIT 1000`;
  return { sql, parameters: builder.parameters };
}
