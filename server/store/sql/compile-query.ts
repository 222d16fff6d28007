/**
 * The query model → one statement, for any dialect: the exact answer, and the per-group
 * statistics the privacy guard works from. Both list groups ordered by their labels, so every
 * store answers in the same order.
 */
import type { EventQuery } from '../../domain/query-model.js';
import type { GroupStatisticsOptions } from '../row-mapping.js';
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
  // Entities are grouped by a 64-bit hash, much cheaper to group on than the string.
  const perEntity = `SELECT ${[...dimensions, `${dialect.entityKey(dialect.notNull(entityColumn))} AS entity`, 'count(*) AS c'].join(', ')}${facts} FROM ${dialect.events} WHERE ${where} GROUP BY ${[...names, 'entity'].join(', ')}`;
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
  if (options.onlyGroups !== undefined) {
    const kept = names.slice(0, Math.max(0, Math.min(names.length, options.keep ?? 0)));
    const keyed = `SELECT * FROM (${perEntity}) AS per_entity WHERE ${dialect.labelKey(names)} IN (${options.onlyGroups.map((group) => builder.value(group)).join(', ') || 'NULL'})`;
    // Each entity counted once per merged group.
    const merged = `SELECT ${[...kept, 'entity', 'sum(c) AS c'].join(', ')}${mergedFacts} FROM (${keyed}) AS keyed GROUP BY ${[...kept, 'entity'].join(', ')}`;
    const groupBy = kept.length === 0 ? '' : ` GROUP BY ${kept.join(', ')} ORDER BY ${kept.join(', ')}`;
    return builder.compiled(`SELECT ${[...kept, `${dialect.labelKey(kept)} AS label_key`, statistics].join(', ')}${outerFacts} FROM (${merged}) AS merged${digests}${groupBy}`);
  }
  // The key is made once per group, after grouping.
  const groupBy = names.length === 0 ? '' : ` GROUP BY ${names.join(', ')} ORDER BY ${names.join(', ')}`;
  return builder.compiled(`SELECT ${[...names, `${dialect.labelKey(names)} AS label_key`, statistics].join(', ')}${outerFacts} FROM (${perEntity}) AS per_entity${digests}${groupBy}`);
}
