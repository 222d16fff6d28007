/**
 * The query model → one statement, for any dialect: the exact answer, and the per-group
 * statistics the privacy guard works from. Both list groups ordered by their labels, so every
 * store answers in the same order.
 */
import type { EventQuery } from '../../domain/query-model.js';
import { type GroupStatisticsOptions, type VariantCase, merging } from '../row-mapping.js';
import type { Dialect } from './dialect.js';
import { type CompiledQuery, SqlBuilder } from './sql-builder.js';

/** The exact answer: one row per group, columns `d0..` (dimensions) and `a0..` (aggregates). */
export function compileQuery(dialect: Dialect, project: string, query: EventQuery): CompiledQuery {
  const builder = new SqlBuilder(dialect);
  const dimensions = query.groupBy.map((dimension, index) => `${builder.dimension(dimension)} AS d${index}`);
  const aggregates = query.aggregates.map((aggregate, index) => `${builder.aggregate(aggregate)} AS a${index}`);
  const names = query.groupBy.map((_, index) => `d${index}`);
  const groupBy = names.length === 0 ? '' : ` GROUP BY ${names.join(', ')} ORDER BY ${names.join(', ')}`;
  return builder.compiled(`SELECT ${[...dimensions, ...aggregates].join(', ')} FROM ${dialect.events} WHERE ${builder.where(project, query)}${groupBy} LIMIT ${query.limit}`);
}

/**
 * What the privacy guard needs per group: distinct entities, an order-free digest of them (the XOR
 * of their portable 64-bit hashes), the events, the six largest per-entity counts, and a key of
 * the labels. `onlyGroups` restricts to those keys and merges them: into one group (the suppress
 * bin), or with `keep`, into one group per value of the first `keep` dimensions (the low-effect
 * merge). `facts` adds first and last seen and the highest severity.
 */
export function compileGroupStatistics(dialect: Dialect, project: string, query: EventQuery, entity: string, options: GroupStatisticsOptions = {}): CompiledQuery {
  const builder = new SqlBuilder(dialect);
  const entityColumn = dialect.column(entity);
  const names = query.groupBy.map((_, index) => `d${index}`);
  const dimensions = query.groupBy.map((dimension, index) => `${builder.dimension(dimension)} AS d${index}`);
  const where = builder.where(project, query, [`${entityColumn} IS NOT NULL`]);
  const facts = options.facts ? ', min(ts) AS first_seen, max(ts) AS last_seen, max(severity_number) AS severity_number' : '';
  const mergedFacts = options.facts ? ', min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(severity_number) AS severity_number' : '';
  const outerFacts = options.facts
    ? `, ${dialect.epochMilliseconds('min(first_seen)')} AS first_seen, ${dialect.epochMilliseconds('max(last_seen)')} AS last_seen, max(severity_number) AS severity_number`
    : '';
  const variants = options.variants;
  // With variants, each variant is a column grouped on first, so one pass answers them all.
  const variant = variants === undefined ? [] : ['variant'];
  // Entities are grouped by a 64-bit hash, much cheaper to group on than the string.
  const entityKey = `${dialect.entityKey(dialect.notNull(entityColumn))} AS entity`;
  let perEntity: string;
  if (variants === undefined) {
    perEntity = `SELECT ${[...dimensions, entityKey, 'count(*) AS c'].join(', ')}${facts} FROM ${dialect.events} WHERE ${where} GROUP BY ${[...names, 'entity'].join(', ')}`;
  } else {
    // Every row of the project is read and tagged with the conditions it meets; the case of its
    // group then says in which variant, if any, it counts.
    const met = variants.conditions.map((condition, index) => {
      const parts = [...builder.timeRange(condition.from, condition.to), ...condition.where.map((filter) => builder.filter(filter))];
      if (condition.cohort !== undefined) parts.push(builder.cohort(project, condition.cohort));
      return `${dialect.isTrue(parts.length === 0 ? '1 = 1' : `(${parts.join(' AND ')})`)} AS k${index}`;
    });
    const tagged = `SELECT ${[...dimensions, entityKey, 'ts', 'severity_number', ...met].join(', ')} FROM ${dialect.events} WHERE ${where}`;
    const keyOf = dialect.labelKey(names.slice(0, variants.keyDimensions ?? names.length));
    const chosenCase = (cases: readonly VariantCase[]) => (cases.length === 0
      ? '-1'
      : `CASE ${cases.map((entry) => `WHEN ${[...entry.meets.map((index) => `k${index}`), ...entry.fails.map((index) => `NOT k${index}`)].join(' AND ') || '1 = 1'} THEN ${Math.trunc(entry.variant)}`).join(' ')} ELSE -1 END`);
    // Groups named by key first (in a list each, usually short: the selection most groups share is
    // the one without keys), then every other group. The key is always computed, so naming no group
    // costs what naming one does.
    const keyed = variants.selections.filter((selection) => selection.keys !== undefined);
    const rest = variants.selections.find((selection) => selection.keys === undefined);
    const whens = (keyed.length === 0 ? [{ keys: [], cases: [] }] : keyed)
      .map((selection) => `WHEN ${keyOf} IN (${(selection.keys ?? []).map((key) => builder.value(key)).join(', ') || 'NULL'}) THEN ${chosenCase(selection.cases)}`);
    const chosen = `SELECT *, CASE ${whens.join(' ')} ELSE ${rest === undefined ? '-1' : chosenCase(rest.cases)} END AS variant FROM (${tagged}) AS tagged`;
    perEntity = `SELECT ${['variant', ...names, 'entity', 'count(*) AS c'].join(', ')}${facts} FROM (${chosen}) AS chosen WHERE variant >= 0 GROUP BY ${['variant', ...names, 'entity'].join(', ')}`;
  }
  // Where that hash is not the portable one, each distinct entity's portable hash is computed once
  // and joined on it, not once per (group, entity) row: at 10M events an hourly series has about
  // 7M such rows and 100,000 entities.
  let digests = '';
  let digestPart = 'entity';
  if (!dialect.entityHashIsPortable) {
    const distinct = `SELECT DISTINCT ${entityColumn} AS who FROM ${dialect.events} WHERE ${builder.where(project, query, [`${entityColumn} IS NOT NULL`])}`;
    digests = ` JOIN (SELECT ${dialect.entityKey('who')} AS entity, min(${dialect.portableHash('who')}) AS digest_part FROM (${distinct}) GROUP BY 1) AS entity_digests USING (entity)`;
    digestPart = 'digest_part';
  }
  const statistics = `count(*) AS entities, ${dialect.xorAsText(digestPart)} AS digest, sum(c) AS events, ${dialect.largest('c', 6)} AS top`;
  if (merging(options)) {
    const kept = names.slice(0, Math.max(0, Math.min(names.length, options.keep ?? 0)));
    const only = options.onlyGroups === undefined ? [] : [`${dialect.labelKey(names)} IN (${options.onlyGroups.map((group) => builder.value(group)).join(', ') || 'NULL'})`];
    const except = (options.exceptGroups ?? []).filter((entry) => entry.keys.length > 0)
      .map((entry) => `${dialect.labelKey(names.slice(0, entry.keep))} NOT IN (${entry.keys.map((key) => builder.value(key)).join(', ')})`);
    const keyed = `SELECT * FROM (${perEntity}) AS per_entity WHERE ${[...only, ...except].join(' AND ') || '1 = 1'}`;
    // Each entity counted once per merged group.
    const merged = `SELECT ${[...variant, ...kept, 'entity', 'sum(c) AS c'].join(', ')}${mergedFacts} FROM (${keyed}) AS keyed GROUP BY ${[...variant, ...kept, 'entity'].join(', ')}`;
    const grouping = [...variant, ...kept];
    const groupBy = grouping.length === 0 ? '' : ` GROUP BY ${grouping.join(', ')} ORDER BY ${grouping.join(', ')}`;
    return builder.compiled(`SELECT ${[...grouping, `${dialect.labelKey(kept)} AS label_key`, statistics].join(', ')}${outerFacts} FROM (${merged}) AS merged${digests}${groupBy}`);
  }
  // The key is made once per group, after grouping.
  const grouping = [...variant, ...names];
  const groupBy = grouping.length === 0 ? '' : ` GROUP BY ${grouping.join(', ')} ORDER BY ${grouping.join(', ')}`;
  return builder.compiled(`SELECT ${[...grouping, `${dialect.labelKey(names)} AS label_key`, statistics].join(', ')}${outerFacts} FROM (${perEntity}) AS per_entity${digests}${groupBy}`);
}
