/**
 * Time series over the rollups (derived-layouts.ts): events per (hour, severity) for exact answers,
 * per (hour, severity, user) for the guard's statistics. A query whose grouping is by hour, day or week and severity, whose filters are on
 * severity, and whose time bounds fall on whole hours has the same answer there as over `events`,
 * from a few rows per hour; so do the privacy guard's group statistics for it, with each
 * user's digest on their rows. Anything else returns undefined and is compiled over `events`
 * (query-sql.ts). The SQL written here gives the same columns, types and order as query-sql.ts.
 */
import type { Dimension, EventQuery, Filter } from '../../domain/query-model.js';
import type { CompiledQuery } from '../sql/sql-builder.js';
import { type GroupStatisticsOptions, type VariantCase, type Variants, merging } from '../row-mapping.js';
import { peopleAsRollup, rollupOfGroupsNotShown } from './rollup-sources.js';

const hour = 3_600_000;
const grains: Partial<Record<string, string>> = { hour: "INTERVAL '1 hour'", day: "INTERVAL '1 day'", week: "INTERVAL '7 days'" };

function onWholeHours(...times: (number | undefined)[]): boolean {
  return times.every((time) => time === undefined || time % hour === 0);
}

function servedDimension(dimension: Dimension): boolean {
  if ('time' in dimension) return grains[dimension.time] !== undefined;
  return dimension.bin === undefined && 'column' in dimension.field && dimension.field.column === 'severity';
}

function servedFilter(filter: Filter): boolean {
  const values = Array.isArray(filter.value) ? filter.value : [filter.value];
  return 'column' in filter.field && filter.field.column === 'severity' && (filter.op === 'eq' || filter.op === 'ne' || filter.op === 'in') && values.every((value) => typeof value === 'string');
}

/** Whether the rollup answers the query exactly (for group statistics, with `user_id` as the entity). */
export function rollupServes(query: EventQuery): boolean {
  if (query.cohort !== undefined || query.unless?.cohort !== undefined) return false;
  if (!onWholeHours(query.from, query.to, query.unless?.from, query.unless?.to)) return false;
  if (!query.groupBy.every(servedDimension)) return false;
  return query.where.every(servedFilter) && (query.unless?.where ?? []).every(servedFilter);
}

class RollupBuilder {
  readonly parameters: (string | number)[] = [];

  value(value: string | number): string {
    this.parameters.push(value);
    return '?';
  }

  filter(filter: Filter): string {
    const values = (Array.isArray(filter.value) ? filter.value : [filter.value]).map(String);
    if (filter.op === 'eq') return `severity = ${this.value(values[0]!)}`;
    if (filter.op === 'ne') return `severity IS DISTINCT FROM ${this.value(values[0]!)}`;
    return `severity IN (${values.map((value) => this.value(value)).join(', ')})`;
  }

  dimension(dimension: Dimension): string {
    return 'time' in dimension ? `epoch_ms(time_bucket(${grains[dimension.time]}, hour))` : 'severity';
  }

  where(project: string, query: EventQuery, extra: string[] = []): string {
    const conditions = [`project = ${this.value(project)}`];
    if (query.from !== undefined) conditions.push(`hour >= epoch_ms(${this.value(query.from)}::BIGINT)`);
    if (query.to !== undefined) conditions.push(`hour < epoch_ms(${this.value(query.to)}::BIGINT)`);
    for (const filter of query.where) conditions.push(this.filter(filter));
    const unless = query.unless;
    if (unless !== undefined) {
      const parts: string[] = [];
      if (unless.from !== undefined) parts.push(`hour >= epoch_ms(${this.value(unless.from)}::BIGINT)`);
      if (unless.to !== undefined) parts.push(`hour < epoch_ms(${this.value(unless.to)}::BIGINT)`);
      for (const filter of unless.where) parts.push(this.filter(filter));
      if (parts.length > 0) conditions.push(`NOT COALESCE((${parts.join(' AND ')}), FALSE)`);
    }
    return [...conditions, ...extra].join(' AND ');
  }
}

/** The exact answer from `series_hourly` (counts only), or undefined when the rollup cannot give it. */
export function compileRollupQuery(project: string, query: EventQuery): CompiledQuery | undefined {
  if (!rollupServes(query) || !query.aggregates.every((aggregate) => aggregate.fn === 'count')) return undefined;
  const builder = new RollupBuilder();
  const dimensions = query.groupBy.map((dimension, index) => `${builder.dimension(dimension)} AS d${index}`);
  const aggregates = query.aggregates.map((_, index) => `coalesce(sum(events), 0)::BIGINT AS a${index}`);
  const where = builder.where(project, query);
  const positions = dimensions.map((_, index) => index + 1).join(', ');
  const grouped = dimensions.length === 0 ? '' : ` GROUP BY ${positions} ORDER BY ${positions}`;
  return { sql: `SELECT ${[...dimensions, ...aggregates].join(', ')} FROM series_hourly WHERE ${where}${grouped} LIMIT ${query.limit}`, parameters: builder.parameters };
}

/** The (hour in ms, severity) of each group key of an hour-and-severity grouping, or undefined if one does not read as such. */
export function groupPairs(query: EventQuery, keys: readonly string[] | undefined): [number, string][] | undefined {
  if (keys === undefined) return undefined;
  const timeIndex = query.groupBy.findIndex((dimension) => 'time' in dimension);
  const pairs: [number, string][] = [];
  for (const key of keys) {
    let labels: unknown;
    try {
      labels = JSON.parse(key);
    } catch {
      return undefined;
    }
    if (!Array.isArray(labels) || labels.length !== 2) return undefined;
    const [time, severity] = [labels[timeIndex], labels[1 - timeIndex]];
    if (typeof time !== 'number' || !Number.isSafeInteger(time) || typeof severity !== 'string') return undefined;
    pairs.push([time, severity]);
  }
  return pairs;
}

/**
 * The privacy guard's statistics per group from the rollup, as compileGroupStatistics gives them
 * over `events` (same columns: labels, label_key, entities, digest, events, top), or undefined.
 */
export function compileRollupGroupStatistics(project: string, query: EventQuery, entity: string, options: GroupStatisticsOptions = {}): CompiledQuery | undefined {
  if (entity !== 'user_id' || options.facts === true || options.variants !== undefined || options.exceptGroups !== undefined || !rollupServes(query)) return undefined;
  const builder = new RollupBuilder();
  const dimensions = query.groupBy.map((dimension, index) => `${builder.dimension(dimension)} AS d${index}`);
  const names = query.groupBy.map((_, index) => `d${index}`);
  const keyOf = (columns: string[]) => (columns.length === 0 ? "'[]'" : `json_array(${columns.join(', ')})::VARCHAR`);
  const statistics = 'count(*) AS entities, bit_xor(digest_part)::VARCHAR AS digest, sum(c) AS events, max(c, 6) AS top';
  // Grouped by exactly hour and severity, each group's statistics are a row of series_hourly.
  const hourly = query.groupBy.length === 2 && query.groupBy.some((dimension) => 'time' in dimension && dimension.time === 'hour') && query.groupBy.some((dimension) => !('time' in dimension));
  if (hourly && (options.onlyGroups === undefined || options.keep === 2)) {
    const where = builder.where(project, query, ['entities > 0']);
    const only = options.onlyGroups === undefined ? '' : ` AND ${keyOf(names)} IN (${options.onlyGroups.map((group) => builder.value(group)).join(', ') || 'NULL'})`;
    return {
      sql: `SELECT ${[...dimensions, `${keyOf(names)} AS label_key`, 'entities', 'entity_digest::VARCHAR AS digest', 'entity_events::HUGEINT AS events', 'top'].join(', ')}
        FROM series_hourly WHERE ${where}${only} ORDER BY ${names.join(', ')}`,
      parameters: builder.parameters,
    };
  }
  // Grouped by hour alone, over every severity: each group's statistics are its row of series_hours.
  if (byHourAlone(query) && options.onlyGroups === undefined) {
    return {
      sql: `SELECT ${[...dimensions, `${keyOf(names)} AS label_key`, 'entities', 'entity_digest::VARCHAR AS digest', 'entity_events::HUGEINT AS events', 'top'].join(', ')}
        FROM series_hours WHERE ${builder.where(project, query, ['entities > 0'])} ORDER BY ${names.join(', ')}`,
      parameters: builder.parameters,
    };
  }
  // Groups asked again by key, when grouped by exactly hour and severity: the rollup's rows of those
  // (hour, severity) pairs, joined on the columns, rather than each row's key built and compared.
  const pairs = hourly ? groupPairs(query, options.onlyGroups) : undefined;
  const join = pairs === undefined || pairs.length === 0 ? '' : ` SEMI JOIN (VALUES ${pairs.map(([time, severity]) => `(${builder.value(time)}::BIGINT, ${builder.value(severity)})`).join(', ')}) AS asked(time, severity)
      ON epoch_ms(series_rollup.hour) = asked.time AND series_rollup.severity = asked.severity`;
  const where = builder.where(project, query, ['user_key IS NOT NULL']);
  // By hour and severity, a rollup row is already one user's count in one group (one row per key).
  const byRow = query.groupBy.some((dimension) => 'time' in dimension && dimension.time === 'hour') && query.groupBy.some((dimension) => !('time' in dimension));
  const rollup = untimed(query) ? `${peopleAsRollup(project, boundsOf(query))} AS series_rollup` : 'series_rollup';
  const perEntity = byRow
    ? `SELECT ${[...dimensions, 'user_key AS entity', 'digest AS digest_part', 'events AS c'].join(', ')} FROM series_rollup${join} WHERE ${where}`
    : `SELECT ${[...dimensions, 'user_key AS entity', 'any_value(digest) AS digest_part', 'sum(events)::BIGINT AS c'].join(', ')} FROM ${rollup} WHERE ${where} GROUP BY ${[...names, 'entity'].join(', ')}`;
  const ctes = `WITH per_entity AS (${perEntity}) `;
  if (options.onlyGroups !== undefined) {
    const keyed = `SELECT * FROM per_entity WHERE ${keyOf(names)} IN (${options.onlyGroups.map((group) => builder.value(group)).join(', ') || 'NULL'})`;
    const kept = names.slice(0, Math.max(0, Math.min(names.length, options.keep ?? 0)));
    const merged = `SELECT ${[...kept, 'entity', 'any_value(digest_part) AS digest_part', 'sum(c) AS c'].join(', ')} FROM (${keyed}) GROUP BY ${[...kept, 'entity'].join(', ')}`;
    const groupBy = kept.length === 0 ? '' : ` GROUP BY ${kept.join(', ')} ORDER BY ${kept.join(', ')}`;
    return { sql: `${ctes}SELECT ${[...kept, `${keyOf(kept)} AS label_key`, statistics].join(', ')} FROM (${merged})${groupBy}`, parameters: builder.parameters };
  }
  const groupBy = names.length === 0 ? '' : ` GROUP BY ${names.join(', ')} ORDER BY ${names.join(', ')}`;
  return { sql: `${ctes}SELECT ${[...names, `${keyOf(names)} AS label_key`, statistics].join(', ')} FROM per_entity${groupBy}`, parameters: builder.parameters };
}

/** Not grouped by time: its statistics can come from `series_people` (rollup-sources.ts). */
function untimed(query: EventQuery): boolean {
  return query.groupBy.every((dimension) => !('time' in dimension));
}

/** Every time bound a question (and its variants' conditions) draws. */
export function boundsOf(query: EventQuery, variants?: Variants): number[] {
  return [query.from, query.to, query.unless?.from, query.unless?.to, ...(variants?.conditions ?? []).flatMap((condition) => [condition.from, condition.to])]
    .filter((bound): bound is number => bound !== undefined);
}

/** Grouped by hour alone, with no condition on severity: what `series_hours` holds per hour. */
function byHourAlone(query: EventQuery): boolean {
  const [dimension] = query.groupBy;
  return query.groupBy.length === 1 && dimension !== undefined && 'time' in dimension && dimension.time === 'hour' && query.where.length === 0 && (query.unless?.where ?? []).length === 0;
}

/** Whether every condition of `variants` selects whole rollup rows: severity filters and time bounds on whole hours, no cohort. */
export function rollupServesVariants(variants: Variants): boolean {
  return variants.conditions.every((condition) => condition.cohort === undefined && onWholeHours(condition.from, condition.to) && condition.where.every(servedFilter));
}

/**
 * The guard's several questions in one pass (`variants`), over `series_rollup` rather than
 * `events`, as compileGroupStatistics gives them (same columns, types and order), or undefined.
 * Every condition selects whole (hour, severity) rows there, so a rollup row meets a condition
 * exactly when each of its events does, and falls in the variant all its events would: its user's
 * count in the group is the sum of its rows' events. Grouped by hour and severity, a rollup row is
 * already one user's row in one group and variant.
 */
export function compileRollupVariantStatistics(project: string, query: EventQuery, entity: string, options: GroupStatisticsOptions): CompiledQuery | undefined {
  const variants = options.variants;
  if (variants === undefined || entity !== 'user_id' || !rollupServes(query) || !rollupServesVariants(variants)) return undefined;
  // Facts: a group's first and last event (the rollups keep them per row), for the guard's time
  // seed; no severity number (the template view never reads the rollup).
  const facts = options.facts === true;
  const builder = new RollupBuilder();
  const names = query.groupBy.map((_, index) => `d${index}`);
  const dimensions = query.groupBy.map((dimension, index) => `${builder.dimension(dimension)} AS d${index}`);
  const keyOf = (columns: readonly string[]) => (columns.length === 0 ? "'[]'" : `json_array(${columns.join(', ')})::VARCHAR`);
  const hourly = query.groupBy.length === 2 && query.groupBy.some((dimension) => 'time' in dimension && dimension.time === 'hour') && query.groupBy.some((dimension) => !('time' in dimension));
  // Grouped by hour and severity and not merged, every row of a group meets the same conditions,
  // so the whole group falls in one variant: its statistics are its row of series_hourly. So too
  // grouped by hour alone, with conditions on whole hours only: its row of series_hours.
  const source = merging(options) ? 'series_rollup' : hourly ? 'series_hourly'
    : byHourAlone(query) && variants.conditions.every((condition) => condition.where.length === 0) ? 'series_hours' : 'series_rollup';
  const met = variants.conditions.map((condition, index) => {
    const parts = [
      ...(condition.from === undefined ? [] : [`hour >= epoch_ms(${builder.value(condition.from)}::BIGINT)`]),
      ...(condition.to === undefined ? [] : [`hour < epoch_ms(${builder.value(condition.to)}::BIGINT)`]),
      ...condition.where.map((filter) => builder.filter(filter)),
    ];
    return `COALESCE(${parts.length === 0 ? 'TRUE' : `(${parts.join(' AND ')})`}, FALSE) AS k${index}`;
  });
  // The `*` row of an hourly series (groups left out by whole key, none asked by key): the rollup
  // rows of the groups not shown only.
  const excepted = (options.exceptGroups ?? []).filter((entry) => entry.keys.length > 0);
  const hiddenPairs = hourly && merging(options) && options.onlyGroups === undefined ? excepted.map((entry) => (entry.keep === names.length ? groupPairs(query, entry.keys) : undefined)) : [];
  const ofHidden = hiddenPairs.length > 0 && hiddenPairs.every((pairs) => pairs !== undefined);
  const rollup = untimed(query) ? `${peopleAsRollup(project, boundsOf(query, variants))} AS series_rollup`
    : ofHidden ? `${rollupOfGroupsNotShown(project, hiddenPairs as [number, string][][])} AS series_rollup` : 'series_rollup';
  const tagged = source !== 'series_rollup'
    ? `SELECT ${[...dimensions, 'entities', 'entity_digest', 'entity_events', 'top', 'epoch_ms(first_ts) AS first_ms', 'epoch_ms(last_ts) AS last_ms', ...met].join(', ')} FROM ${source} WHERE ${builder.where(project, query, ['entities > 0'])}`
    : `SELECT ${[...dimensions, 'user_key AS entity', 'digest AS digest_part', 'events AS c', 'epoch_ms(first_ts) AS first_ms', 'epoch_ms(last_ts) AS last_ms', ...met].join(', ')} FROM ${rollup} WHERE ${builder.where(project, query, ['user_key IS NOT NULL'])}`;
  const outerFacts = facts ? ', min(first_seen) AS first_seen, max(last_seen) AS last_seen, NULL AS severity_number' : '';
  const keyed = keyOf(names.slice(0, variants.keyDimensions ?? names.length));
  const chosenCase = (cases: readonly VariantCase[]) => (cases.length === 0
    ? '-1'
    : `CASE ${cases.map((entry) => `WHEN ${[...entry.meets.map((index) => `k${index}`), ...entry.fails.map((index) => `NOT k${index}`)].join(' AND ') || 'TRUE'} THEN ${Math.trunc(entry.variant)}`).join(' ')} ELSE -1 END`);
  const named = variants.selections.filter((selection) => selection.keys !== undefined);
  const rest = variants.selections.find((selection) => selection.keys === undefined);
  const whens = (named.length === 0 ? [{ keys: [] as string[], cases: [] as VariantCase[] }] : named)
    .map((selection) => `WHEN ${keyed} IN (${(selection.keys ?? []).map((key) => builder.value(key)).join(', ') || 'NULL'}) THEN ${chosenCase(selection.cases)}`);
  // Parameters bind by position here: the CTEs put the SQL in the order the values were added.
  const ctes = `WITH tagged AS (${tagged}), chosen AS (SELECT *, CASE ${whens.join(' ')} ELSE ${rest === undefined ? '-1' : chosenCase(rest.cases)} END AS variant FROM tagged) `;
  if (source !== 'series_rollup') {
    const rowFacts = facts ? ['first_ms AS first_seen', 'last_ms AS last_seen', 'NULL AS severity_number'] : [];
    return {
      sql: `${ctes}SELECT ${['variant', ...names, `${keyOf(names)} AS label_key`, 'entities', 'entity_digest::VARCHAR AS digest', 'entity_events::HUGEINT AS events', 'top', ...rowFacts].join(', ')}
        FROM chosen WHERE variant >= 0 ORDER BY ${['variant', ...names].join(', ')}`,
      parameters: builder.parameters,
    };
  }
  const perEntity = hourly
    ? `SELECT variant, ${names.join(', ')}, entity, digest_part, c, first_ms AS first_seen, last_ms AS last_seen FROM chosen WHERE variant >= 0`
    : `SELECT ${['variant', ...names, 'entity'].join(', ')}, any_value(digest_part) AS digest_part, sum(c)::BIGINT AS c, min(first_ms) AS first_seen, max(last_ms) AS last_seen FROM chosen WHERE variant >= 0 GROUP BY ${['variant', ...names, 'entity'].join(', ')}`;
  const statistics = 'count(*) AS entities, bit_xor(digest_part)::VARCHAR AS digest, sum(c) AS events, max(c, 6) AS top';
  if (merging(options)) {
    const kept = names.slice(0, Math.max(0, Math.min(names.length, options.keep ?? 0)));
    // Groups left out by their whole (hour, severity) key: an anti-join on the two columns, not each
    // row's key built and compared (values bind in order: the joins come first in the statement);
    // none where the rows read are already those of the other groups only.
    const timeIndex = query.groupBy.findIndex((dimension) => 'time' in dimension);
    const joined = excepted.map((entry) => (hourly && entry.keep === names.length ? groupPairs(query, entry.keys) : undefined));
    if (ofHidden) joined.fill([]);
    const antiJoins = joined.flatMap((pairs, index) => (pairs === undefined || pairs.length === 0 ? [] : [` ANTI JOIN (VALUES ${pairs.map(([time, severity]) => `(${builder.value(time)}::BIGINT, ${builder.value(severity)})`).join(', ')}) AS shown${index}(time, severity)
      ON per_entity.d${timeIndex} = shown${index}.time AND per_entity.d${1 - timeIndex} = shown${index}.severity`]));
    const only = options.onlyGroups === undefined ? [] : [`${keyOf(names)} IN (${options.onlyGroups.map((group) => builder.value(group)).join(', ') || 'NULL'})`];
    const except = excepted.flatMap((entry, index) => (joined[index] !== undefined ? [] : [`${keyOf(names.slice(0, entry.keep))} NOT IN (${entry.keys.map((key) => builder.value(key)).join(', ')})`]));
    const selected = `SELECT per_entity.* FROM (${perEntity}) AS per_entity${antiJoins.join('')} WHERE ${[...only, ...except].join(' AND ') || 'TRUE'}`;
    const merged = `SELECT ${['variant', ...kept, 'entity'].join(', ')}, any_value(digest_part) AS digest_part, sum(c) AS c, min(first_seen) AS first_seen, max(last_seen) AS last_seen FROM (${selected}) AS selected GROUP BY ${['variant', ...kept, 'entity'].join(', ')}`;
    const grouping = ['variant', ...kept];
    return { sql: `${ctes}SELECT ${[...grouping, `${keyOf(kept)} AS label_key`, statistics].join(', ')}${outerFacts} FROM (${merged}) AS merged GROUP BY ${grouping.join(', ')} ORDER BY ${grouping.join(', ')}`, parameters: builder.parameters };
  }
  const grouping = ['variant', ...names];
  return { sql: `${ctes}SELECT ${[...grouping, `${keyOf(names)} AS label_key`, statistics].join(', ')}${outerFacts} FROM (${perEntity}) AS per_entity GROUP BY ${grouping.join(', ')} ORDER BY ${grouping.join(', ')}`, parameters: builder.parameters };
}
