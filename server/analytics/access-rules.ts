/**
 * What each access level may ask. `direct` may ask anything and gets exact answers. `trusted`
 * readers get guarded answers to any filter, but never see the protected entity column.
 * `untrusted` readers may also only AND equality and prefix filters on other columns, and ranges
 * snapped to money-style bins, group by them and by fixed time grains, count events and users, and
 * see closed time buckets only.
 */
import { QueryError } from '../domain/query-error.js';
import type { AccessLevel } from '../domain/access-level.js';
import type { FunnelQuery } from '../domain/funnel-model.js';
import { type EventQuery, type Field, type Filter, fieldName, grainMilliseconds, isMoneyStyleBin } from '../domain/query-model.js';


function refuse(message: string): QueryError {
  return new QueryError('not_allowed', message);
}

function isEntity(field: Field, entity: string): boolean {
  return 'column' in field && field.column === entity;
}

/** Checks `query` against the reader's level and returns the query to run (closed buckets only, for untrusted). */
export function applyAccessRules(query: EventQuery, access: AccessLevel, entity: string, now = Date.now()): EventQuery {
  if (access === 'direct') return query;
  // A cohort's own filters follow the same rules as the query's.
  if (query.cohort !== undefined) applyAccessRules({ where: query.cohort.where, groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 }, access, entity, now);
  for (const filter of query.where) {
    if (isEntity(filter.field, entity)) throw refuse(`${fieldName(filter.field)} identifies people: it cannot be filtered at ${access} access`);
  }
  for (const dimension of query.groupBy) {
    if ('field' in dimension && isEntity(dimension.field, entity)) throw refuse(`${entity} identifies people: it cannot be grouped at ${access} access`);
    if ('field' in dimension && 'column' in dimension.field && dimension.field.column === 'id') throw refuse('event ids cannot be grouped below direct access');
  }
  for (const aggregate of query.aggregates) {
    if (aggregate.fn !== 'count' && aggregate.fn !== 'users') throw refuse(`${aggregate.fn} is not available below direct access yet; count and users are`);
  }
  if (access === 'trusted') return query;
  // Low-effect detection judges a cohort as one condition, the set of people in it; filters inside
  // it are never judged one by one, so a cohort with and without a filter that leaves out only one
  // person would tell whether that person is in it.
  if (query.cohort !== undefined && query.cohort.where.length > 0) {
    throw refuse('untrusted readers define a cohort by its event name and time range only: filters inside a cohort are not judged one by one by the guard, so they could single out a person; filter the question itself instead');
  }
  checkRanges(query.where);
  query = { ...query, ...snapTimeRange(query.from, query.to, now) };
  if (query.cohort !== undefined) query = { ...query, cohort: { ...query.cohort, ...snapTimeRange(query.cohort.from, query.cohort.to, now) } };
  for (const filter of query.where) {
    if (filter.op === 'gte' || filter.op === 'lt') continue;
    if (filter.op !== 'eq' && filter.op !== 'prefix') throw refuse(`untrusted readers may filter with eq, prefix and snapped ranges only, not ${filter.op}`);
    if ('column' in filter.field && (filter.field.column === 'id' || filter.field.column === 'message')) {
      throw refuse(`${filter.field.column} cannot be filtered by untrusted readers`);
    }
  }
  const grains = query.groupBy.flatMap((dimension) => ('time' in dimension ? [grainMilliseconds[dimension.time]] : []));
  if (grains.length === 0) return query;
  // Closed buckets only: a bucket still filling would let a reader watch single events arrive.
  const grain = Math.max(...grains);
  const closed = Math.floor(now / grain) * grain;
  return { ...query, to: Math.min(query.to ?? closed, closed) };
}

const minute = 60_000;
const hour = 3_600_000;
const day = 86_400_000;

/**
 * `from` and `to` for untrusted readers, widened to a fixed grid (after Diffix's range snapping):
 * whole days for ranges of ten days or more, whole hours for ten hours or more, whole minutes
 * below (an open range counts from a day before `to`, or up to now). Moving a bound by less than
 * the grid asks the same question, so it cannot draw fresh noise or shave off one event.
 */
export function snapTimeRange(from: number | undefined, to: number | undefined, now = Date.now()): { from?: number; to?: number } {
  const end = to ?? Math.max(now, (from ?? now) + minute);
  const span = end - (from ?? end - day);
  const grid = span >= 10 * day ? day : span >= 10 * hour ? hour : minute;
  return {
    from: from === undefined ? undefined : Math.floor(from / grid) * grid,
    to: to === undefined ? undefined : Math.ceil(to / grid) * grid,
  };
}

/** The fields a query filters or groups on as single values (not numeric bins or snapped ranges), for the isolating-column check. */
export function singleValueUses(query: EventQuery): { field: Field; as: string }[] {
  const filters = [...query.where, ...(query.cohort?.where ?? [])];
  return [
    ...filters.filter((filter) => filter.op !== 'gte' && filter.op !== 'lt').map((filter) => ({ field: filter.field, as: 'in a filter' })),
    ...query.groupBy.flatMap((dimension) => ('field' in dimension && dimension.bin === undefined ? [{ field: dimension.field, as: 'as a grouping' }] : [])),
  ];
}

/** As `singleValueUses`, for a funnel: its steps' filters and its breakdown. */
export function funnelSingleValueUses(funnel: FunnelQuery): { field: Field; as: string }[] {
  return [
    ...(funnel.breakdown === undefined ? [] : [{ field: funnel.breakdown, as: 'as a funnel breakdown' }]),
    ...funnel.steps.flatMap((step) => step.where.filter((filter) => filter.op !== 'gte' && filter.op !== 'lt').map((filter) => ({ field: filter.field, as: 'in a funnel step' }))),
  ];
}

/**
 * Ranges for untrusted readers, after Diffix's snapping: a numeric field is narrowed only by a
 * pair `gte a` and `lt b` whose width b − a is money-style (1, 2 or 5 × 10ⁿ) and a multiple of which
 * `a` is, so a reader cannot shave a range until it holds one person (no one-sided ranges either).
 */
function checkRanges(filters: readonly Filter[]): void {
  const ranges = new Map<string, { gte: unknown[]; lt: unknown[] }>();
  for (const filter of filters) {
    if (filter.op !== 'gte' && filter.op !== 'lt') continue;
    const name = fieldName(filter.field);
    const range = ranges.get(name) ?? { gte: [], lt: [] };
    range[filter.op].push(filter.value);
    ranges.set(name, range);
  }
  for (const [name, range] of ranges) {
    const [low] = range.gte;
    const [high] = range.lt;
    if (range.gte.length !== 1 || range.lt.length !== 1 || typeof low !== 'number' || typeof high !== 'number') {
      throw refuse(`untrusted readers narrow ${name} with exactly one numeric gte and one numeric lt (a range like 100 ≤ x < 200)`);
    }
    const width = high - low;
    const steps = low / width;
    if (!(width > 0) || !isMoneyStyleBin(width) || Math.abs(steps - Math.round(steps)) > 1e-9) {
      throw refuse(`the range of ${name} must be one money-style bin: a width of 1, 2 or 5 × 10^n starting at a multiple of it (${low} to ${high} is not)`);
    }
  }
}

/**
 * Funnels: step filters follow the query rules; the breakdown may not be the entity column; for
 * untrusted readers `from` and `to` are snapped as a query's are. Returns the funnel to run.
 */
export function applyFunnelAccessRules(funnel: FunnelQuery, access: AccessLevel, entity: string, now = Date.now()): FunnelQuery {
  if (access === 'direct') return funnel;
  if (funnel.breakdown !== undefined && isEntity(funnel.breakdown, entity)) throw refuse(`${entity} identifies people: funnels cannot be broken down by it`);
  for (const step of funnel.steps) applyAccessRules({ where: step.where, groupBy: [], aggregates: [{ fn: 'count' }], limit: 1 }, access, entity);
  return access === 'untrusted' ? { ...funnel, ...snapTimeRange(funnel.from, funnel.to, now) } : funnel;
}
