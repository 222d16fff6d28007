/**
 * A guarded question's conditions (guarded-statistics.ts, funnel-guard.ts): each filter, the
 * bounds of one numeric field, the time range and the cohort as one item each, written and
 * normalized, and what each adds to the noise's seed.
 */
import { type Cohort, type EventQuery, type Filter, fieldName } from '../domain/query-model.js';
import { valuesItem } from './value-tails.js';

export interface Condition {
  /**
   * The condition as written, normalized (equal items are one condition), and the seed of its
   * low-effect draw. Never what it selects in the project: a row of one person outside the
   * question (a longer value a prefix also matches, a value in a wider bin, a row in a minute
   * only they fill) would change it for a group they are not in.
   */
  item: string;
  /**
   * The field whose values in a group's own rows settle the condition in place of `item` (a prefix
   * or a numeric range, value-tails.ts: so `prefix "posi"`, `eq "positive"` and the `positive` row
   * of a grouping are one question wherever they select the same rows of the group, or the same
   * rows but one person's).
   */
  valuesOf?: Filter['field'];
  /** The seed of the low-effect draw, where not `seedItem` (every prefix or range of one field draws alike). */
  draw?: string;
  /** `filter`: an `eq`, `in` or `prefix` filter, seeded by what it selects; `range`: the bounds of one numeric field. */
  kind: 'filter' | 'range' | 'time' | 'cohort';
  filters: Filter[];
  from?: number;
  to?: number;
  cohort?: Cohort;
}

const rangeOperators = new Set(['gte', 'gt', 'lt', 'lte']);

/** The query's conditions as written and normalized (no store call: see `Condition.item`). */
export function conditionsOf(query: EventQuery): Condition[] {
  const conditions: Condition[] = [];
  // One time condition, however its bounds are written: its seed comes from the group's rows.
  if (query.from !== undefined || query.to !== undefined) conditions.push({ item: JSON.stringify(['ts']), kind: 'time', filters: [], from: query.from, to: query.to });
  if (query.cohort !== undefined) {
    const cohort = query.cohort;
    // As written (its range snapped for untrusted readers): the set of people in it would change
    // with one person outside the group. Every cohort of one event draws alike for low effect.
    conditions.push({ item: JSON.stringify(['cohort', cohort.name, cohort.from ?? null, cohort.to ?? null, cohort.where.map((filter) => JSON.stringify([fieldName(filter.field), filter.op, filter.value])).sort()]), kind: 'cohort', filters: [], cohort, draw: JSON.stringify(['cohort', cohort.name]) });
  }
  const ranges = new Map<string, Filter[]>();
  for (const filter of query.where) {
    const name = fieldName(filter.field);
    if (rangeOperators.has(filter.op) && !Array.isArray(filter.value)) {
      ranges.set(name, [...(ranges.get(name) ?? []), filter]);
      continue;
    }
    const values = Array.isArray(filter.value) ? filter.value : [filter.value];
    if (filter.op === 'eq' || filter.op === 'in') {
      conditions.push({ item: JSON.stringify([name, 'in', [...new Set(values.map(String))].sort()]), kind: 'filter', filters: [filter] });
    } else if (filter.op === 'prefix') {
      // One low-effect draw for every prefix or range of the field: spelled longer or shorter, one
      // that excludes the same people is judged alike (the draw also takes the people it excludes).
      conditions.push({ item: JSON.stringify([name, 'prefix', String(filter.value)]), kind: 'filter', filters: [filter], valuesOf: filter.field, draw: JSON.stringify([name, 'values']) });
    } else {
      conditions.push({ item: JSON.stringify([name, filter.op, filter.value]), kind: 'filter', filters: [filter] });
    }
  }
  for (const [name, filters] of ranges) {
    conditions.push({ item: JSON.stringify([name, 'range', filters.map((filter) => JSON.stringify([filter.op, filter.value])).sort()]), kind: 'range', filters, valuesOf: filters[0]!.field, draw: JSON.stringify([name, 'values']) });
  }
  const seen = new Set<string>();
  return conditions.filter((condition) => !seen.has(condition.item) && seen.add(condition.item));
}

/**
 * What a condition adds to the noise's seed. A value filter adds the values it selects, as a
 * grouping adds its label: not the field's name, so `vars.city = C` and `attributes.city = C`, a
 * prefix matching only `C`, the `C` row of a grouping by city, and the same question grouped by
 * both city and result or filtered on both, are one question with one answer. Other conditions
 * add their item (what they select in the project).
 */
export function seedItem(condition: Condition): string {
  if (condition.kind !== 'filter') return condition.item;
  const [, operator, values] = JSON.parse(condition.item) as [string, string, unknown];
  if (operator !== 'in' || !Array.isArray(values)) return condition.item;
  return valuesItem(values);
}
